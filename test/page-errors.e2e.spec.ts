import request from 'supertest';
import { createOfficeWithManager, createUser } from './support/factories';
import { Agent, TestStack, formToken, startStack } from './support/test-app';

type Answer = { status: number; headers: Record<string, string>; text: string };

/**
 * Whatever goes wrong, a browser page (anything outside /api) answers a Japanese HTML page with a way back, never
 * JSON: unknown pages and ids, refusals, bodies too large or of the wrong type or malformed, forms that fail the
 * validation pipe, a missing CSRF token. Under /api the same failures stay JSON.
 */
describe('errors reach a browser as pages, never JSON', () => {
  let stack: TestStack;
  let manager: Agent;
  let staff: Agent;
  let secretariat: Agent;

  beforeAll(async () => {
    stack = await startStack({}, { worker: false });
    const { office, manager: account } = await createOfficeWithManager(stack.app, 'rurume');
    manager = await stack.login(account.email);
    staff = await stack.login((await createUser(stack.app, 'office_staff', { officeId: office.id })).email);
    secretariat = await stack.login((await createUser(stack.app, 'secretariat', { networkId: 'rurume' })).email);
  });
  afterAll(async () => {
    await stack?.close();
  });

  function expectPage(answer: Answer, status: number, words: RegExp): void {
    expect([answer.status, answer.headers['content-type']]).toEqual([status, expect.stringMatching(/^text\/html/)]);
    expect(answer.text).toMatch(/<html lang="ja"/);
    expect(answer.text).toMatch(words);
    expect(answer.text).toMatch(/<a href="[^"]*">[^<]*戻る<\/a>/); // a way back
    expect(answer.text).not.toMatch(/^\s*\{/);
  }

  it('unknown pages and unknown ids', async () => {
    expectPage(await stack.http.get('/no-such-page'), 404, /見つかりません/);
    expectPage(await stack.http.post('/no-such-page').type('form').send({ a: '1' }), 404, /見つかりません/);
    expectPage(await manager.get('/documents/00000000-0000-4000-8000-000000000000'), 404, /見つかりません/);
    expectPage(await manager.get('/documents/not-a-uuid'), 404, /見つかりません/);
    expectPage(await manager.get('/office/batches/00000000-0000-4000-8000-000000000000'), 404, /一括処理が見つかりません/);
    expectPage(await manager.get('/office/patients/00000000-0000-4000-8000-000000000000'), 404, /見つかりません/);
    // The API keeps answering JSON.
    const api = await manager.get('/api/documents/00000000-0000-4000-8000-000000000000');
    expect([api.status, api.headers['content-type']]).toEqual([404, expect.stringMatching(/^application\/json/)]);
    // The footer's 稼働状況 link: a page for a browser, JSON for a monitor.
    const health = await stack.http.get('/health').set('Accept', 'text/html,application/xhtml+xml,*/*;q=0.8');
    expect([health.headers['content-type'], health.text]).toEqual([
      expect.stringMatching(/^text\/html/),
      expect.stringContaining('<h1>稼働状況</h1>'),
    ]);
    expect((await stack.http.get('/health')).headers['content-type']).toMatch(/^application\/json/);
    const unknownApi = await stack.http.get('/api/no-such-thing');
    expect([unknownApi.status, unknownApi.headers['content-type']]).toEqual([404, expect.stringMatching(/^application\/json/)]);
  });

  it('an error page is titled with the page it refuses, whatever refused it; a family link’s pages each by their own name', async () => {
    const titled = (answer: Answer, status: number, title: string) => {
      expectPage(answer, status, new RegExp(`<h1>${title}</h1>`));
      expect(answer.text).toContain(`<title>${title} | `);
    };
    titled(await manager.get('/exemplars/RURUME-999999-9/pdf'), 404, '書類のPDF: 見つかりません');
    titled(await manager.get('/documents/00000000-0000-4000-8000-000000000000'), 404, '書類: 見つかりません');
    titled(await manager.get('/office/patients/00000000-0000-4000-8000-000000000000'), 404, '患者: 見つかりません');
    // Refused by the role guard before the route's handler runs: still named.
    titled(await secretariat.get('/office'), 403, '事業所: この操作はできません');
    titled(await staff.get('/office/batches/new'), 403, '名簿の取り込み: この操作はできません');
    // Refused by the validation pipe.
    titled(
      await manager
        .post('/office/documents')
        .type('form')
        .send({ _form: 'x'.repeat(101) }),
      400,
      '書類の作成: 入力内容に誤りがあります',
    );
    // A page nobody has: no name to give.
    titled(await stack.http.get('/no-such-page'), 404, '見つかりません');
    // A family's link: the signing page, the printed document and the 利用目的 say which page cannot be opened.
    const token = 'x'.repeat(43);
    expect((await stack.http.get(`/sign/${token}`)).text).toContain('<h1>署名のページを開けません</h1>');
    expect((await stack.http.get(`/sign/${token}/document`)).text).toContain('<h1>印刷される書類（A4）を開けません</h1>');
    expect((await stack.http.get(`/sign/${token}/purpose`)).text).toContain('<h1>利用目的のページを開けません</h1>');
    expect((await stack.http.get(`/withdraw/${token}`)).text).toContain('<h1>同意の撤回のページを開けません</h1>');
    expect((await stack.http.get(`/d/${token}`)).text).toContain('<h1>書類のダウンロードページを開けません</h1>');
  });

  it('refusals: another role, staff where a manager is needed, a missing CSRF token', async () => {
    expectPage(await secretariat.get('/office'), 403, /権限|できません/);
    expectPage(await staff.get('/office/batches/new'), 403, /事業所管理者が行います/);
    expectPage(await manager.get('/admin/audit'), 403, /権限|できません/);
    // A form posted without its token (a page in another tab, an old page): a page saying what to do.
    const page = await stack.http.post('/login').type('form').send({ email: 'x@example.jp', password: 'x' });
    expectPage(page, 403, /ページを開き直して|もう一度/);
  });

  it('bodies a page cannot take: too large, the wrong type, malformed', async () => {
    const token = formToken((await manager.get('/office').expect(200)).text);
    // JSON to a page, larger than a JSON body may be (1 MB).
    const large = await manager
      .post('/office/documents')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ _form: 'patient-consent', _csrf: token, big: 'x'.repeat(1_100_000) }));
    expectPage(large, 413, /大きすぎます/);
    const wrongType = await manager.post('/office/documents').set('Content-Type', 'application/xml').send('<a/>');
    expectPage(wrongType, 415, /形式/);
    const text = await manager.post('/office/documents').set('Content-Type', 'text/plain').send('hello');
    expectPage(text, 400, /オブジェクト|誤り/);
    const malformed = await manager.post('/office/documents').set('Content-Type', 'application/json').send('{"_form": ');
    expectPage(malformed, 400, /読み取れません|誤り/);
    // An upload over its limit (20 MB), on the public verification page.
    const visitor = request.agent(stack.app.getHttpServer());
    const _csrf = formToken((await visitor.get('/verify').expect(200)).text);
    const huge = await visitor
      .post('/verify')
      .field('_csrf', _csrf)
      .attach('file', Buffer.alloc(21 * 1024 * 1024, 0x20), 'huge.pdf');
    expectPage(huge, 413, /大きすぎます/);
  });

  it('a page form the validation pipe refuses lists each field with its label, on a page', async () => {
    const answer = await manager
      .post('/office/documents')
      .type('form')
      .send({ _form: 'x'.repeat(101), _subject: '<script>alert(1)</script>' });
    expectPage(answer, 400, /様式/);
    expect(answer.text).not.toContain('<script>alert(1)</script>');
    // Back to the page the form was on, when the browser says where it came from (and it is ours).
    const withReferer = await manager
      .post('/office/documents')
      .set('Host', 'renkei.test')
      .set('Referer', 'http://renkei.test/office/documents/new?form=patient-consent')
      .type('form')
      .send({ _form: 'x'.repeat(101) });
    expect(withReferer.text).toContain('<a href="/office/documents/new?form&#x3D;patient-consent">前のページへ戻る</a>');
    const foreign = await manager.post('/office/documents').set('Referer', 'https://evil.example/').type('form').send({ _form: '' });
    expect(foreign.text).not.toContain('前のページへ戻る');
  });
});
