import request from 'supertest';
import { DataSource } from 'typeorm';
import { createPatient, issuedConsent } from './support/consents';
import { createOffice, createOfficeWithManager, createUser } from './support/factories';
import { Agent, TEST_PASSWORD, TestStack, formToken, startStack } from './support/test-app';

/** The office's pages around the signer, as a browser without JavaScript meets them. */
describe('the office side around the signer, over HTTP', () => {
  let stack: TestStack;
  let office: Agent;
  let managerEmail: string;
  let patientId: string;

  beforeAll(async () => {
    stack = await startStack({}, { worker: false });
    managerEmail = (await createOfficeWithManager(stack.app, 'rurume')).manager.email;
    office = await stack.login(managerEmail);
    patientId = (await createPatient(office, '確認 ハナ', { name: '確認 健太', email: 'kenta.confirm@example.jp' })).id;
  });
  afterAll(async () => {
    await stack?.close();
  });

  const draft = async () => (await office.post('/api/documents').send({ form: 'patient-consent', subjectId: patientId }).expect(201)).body;
  const statusOf = async (id: string) => (await office.get(`/api/documents/${id}`).expect(200)).body.status as string;

  it('asks before issuing: the page says what will happen, keeps the values, and only its button issues', async () => {
    const doc = await draft();
    const page = (await office.get(`/documents/${doc.id}`).expect(200)).text;
    expect(page).toMatch(
      /action="\/documents\/[^"]+\/issue"><input type="hidden" name="_csrf"[^>]*><input type="hidden" name="_confirm" value="document.issue"/,
    );

    const asked = await office
      .post(`/documents/${doc.id}/issue`)
      .type('form')
      .send({ _confirm: 'document.issue', _back: `/documents/${doc.id}`, extra: 'kept' })
      .expect(200);
    expect(asked.text).toContain('<h1>書類の発行</h1>');
    expect(asked.text).toContain('書類番号が確定します');
    expect(asked.text).toContain(`<form method="post" action="/documents/${doc.id}/issue"`);
    expect(asked.text).toContain('<input type="hidden" name="extra" value="kept">');
    expect(asked.text).not.toContain('name="_confirm"');
    expect(asked.text).toContain(`<a href="/documents/${doc.id}" class="button plain">戻る</a>`);
    expect(await statusOf(doc.id)).toBe('draft');

    // 戻る leads only to a page of this site.
    const elsewhere = await office
      .post(`/documents/${doc.id}/issue`)
      .type('form')
      .send({ _confirm: 'document.issue', _back: '//evil.example/x' });
    expect(elsewhere.text).toContain('<a href="/" class="button plain">戻る</a>');
    // A confirmation nobody defined does nothing.
    for (const key of ['no-such-step', '__proto__', 'toString']) {
      const refused = await office.post(`/documents/${doc.id}/issue`).type('form').send({ _confirm: key }).expect(400);
      expect(refused.headers['content-type']).toMatch(/^text\/html/);
    }
    expect(await statusOf(doc.id)).toBe('draft');

    await office.post(`/documents/${doc.id}/issue`).type('form').send({}).expect(303);
    expect(await statusOf(doc.id)).toBe('issued');
  });

  it('links a PDF through a page route: an ended session logs in and comes back, a wrong number is a Japanese page', async () => {
    const doc = await issuedConsent(office, patientId);
    const page = (await office.get(`/documents/${doc.id}`).expect(200)).text;
    expect(page).not.toContain('href="/api/exemplars/');

    const { body } = await office.get(`/api/documents/${doc.id}`).expect(200);
    const code = (body.exemplars as { code: string }[])[0].code;
    const loggedOut = request.agent(stack.app.getHttpServer());
    const sent = await loggedOut.get(`/exemplars/${code}/pdf`).expect(303);
    expect(sent.headers.location).toBe(`/login?next=${encodeURIComponent(`/exemplars/${code}/pdf`)}`);
    const _csrf = formToken((await loggedOut.get(sent.headers.location).expect(200)).text);
    const back = await loggedOut
      .post('/login')
      .type('form')
      .send({ email: managerEmail, password: TEST_PASSWORD, next: `/exemplars/${code}/pdf`, _csrf })
      .expect(303);
    expect(back.headers.location).toBe(`/exemplars/${code}/pdf`);

    const wrong = await office.get('/exemplars/RURUME-999999-9/pdf').expect(404);
    expect(wrong.headers['content-type']).toMatch(/^text\/html/);
    expect(wrong.text).toContain('<html lang="ja">');
    const api = await office.get('/api/exemplars/RURUME-999999-9/pdf').expect(404);
    expect(api.headers['content-type']).toMatch(/json/);
  });

  it('the 督促 lists what the matrix counts as owed, the latest 別紙3 too; without a recipient the matrix says why', async () => {
    const clerk = await stack.login((await createUser(stack.app, 'secretariat', { networkId: 'rurume' })).email);
    const { office, manager } = await createOfficeWithManager(stack.app, 'rurume');
    const officeApi = await stack.login(manager.email);
    // A joiner, and a staff-change notice (別紙3) drafted: the matrix shows it as not yet submitted.
    await officeApi.post('/api/staff').send({ name: '督促 三子', email: 'sanko@example.jp' }).expect(201);
    const members = [{ action: '新規', name: '督促 三子', jobTitle: '看護師', email: 'sanko@example.jp' }];
    const notice = await officeApi.post('/api/documents').send({ form: 'staff-change', data: { managerName: '管理 太郎', members } });
    expect(notice.status).toBe(201);
    const matrix = (await clerk.get(`/secretariat?office=${office.id}`).expect(200)).text;
    const row = matrix.slice(matrix.indexOf(`data-office="${office.name}"`));
    expect(row.slice(0, row.indexOf('</tr>'))).toContain(`<a href="/documents/${notice.body.id}">作成中</a>`);
    const sent = await clerk.post(`/api/offices/${office.id}/follow-up`).expect(202);
    expect(sent.body.items.missing).toEqual([
      '別紙1 るるめネットにおける情報管理誓約書: 未提出',
      '別紙2 るるめネットにおける情報保持誓約書（督促 三子）: 未提出',
      expect.stringMatching(/^別紙3 .+（最新）: 作成中$/),
    ]);

    // An office nobody of which has an account or an address: no button, but the reason.
    const lonely = await createOffice(stack.app, 'rurume', '宛先なし訪問看護');
    const page = (await clerk.get(`/secretariat?office=${lonely.id}`).expect(200)).text;
    expect(page).toContain('督促メールを送れません: 宛先（管理者のアカウントまたはメールアドレス）がありません');
    expect(page).not.toContain(`/secretariat/offices/${lonely.id}/follow-up`);
    // A manager on the roster with an address but no account: reached by the mail, so the button, not the reason.
    const rostered = await createOffice(stack.app, 'rurume', '名簿の管理者だけ訪問看護');
    await stack.app
      .get(DataSource)
      .query(
        `INSERT INTO staff_member (office_id, name, email, is_manager, active) VALUES ($1, '名簿 管理子', 'roster-manager@example.jp', true, true)`,
        [rostered.id],
      );
    const reachable = (await clerk.get(`/secretariat?office=${rostered.id}`).expect(200)).text;
    expect(reachable).not.toContain('督促メールを送れません');
    expect(reachable).toContain(`/secretariat/offices/${rostered.id}/follow-up`);
  });

  it('the receipt names the office, the person and the form; a blank or unknown number is told on the page', async () => {
    const clerk = await stack.login((await createUser(stack.app, 'secretariat', { networkId: 'rurume' })).email);
    const { office, manager } = await createOfficeWithManager(stack.app, 'rurume');
    const officeApi = await stack.login(manager.email);
    const staff = await officeApi.post('/api/staff').send({ name: '受領 花子', email: 'hanako.receipt@example.jp' }).expect(201);
    const pledge = await officeApi.post('/api/documents').send({ form: 'staff-pledge', subjectId: staff.body.id }).expect(201);
    const issued = await officeApi.post(`/api/documents/${pledge.body.id}/issue`).expect(201);
    const code = issued.body.exemplars.find((e: { kind: string }) => e.kind === 'original').code as string;
    const send = (value: string) => clerk.post('/secretariat/receipt').type('form').send({ code: value });

    const received = await send(code).expect(200);
    expect(received.text).toMatch(
      new RegExp(`id="receipt-result">${office.name}・別紙2 [^（]+（受領 花子）: ${code} を「受領」として記録しました`),
    );
    expect((await send('').expect(422)).text).toMatch(/class="notice error"[^>]*>書類番号を入力してください/);
    expect((await send('RURUME-999999-9').expect(404)).text).toContain('class="notice error"');
  });
});
