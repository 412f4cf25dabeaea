import { createPatient, issuedConsent } from './support/consents';
import { createOfficeWithManager } from './support/factories';
import { Agent, TestStack, startStack } from './support/test-app';

/** The document page's signing-request form, as posted by a browser: the rows in the form's own order. */
function rows(overrides: Record<number, Record<string, string>>, ordered = true): string {
  const roles = ['patient', 'family1', 'family2', 'proxy', 'explainer'];
  const fields = new URLSearchParams();
  roles.forEach((role, i) => {
    fields.append(`signers[${i}][role]`, role);
    const row = { name: '', relation: '', method: 'email', email: '', accessCode: '', ...overrides[i] };
    for (const [key, value] of Object.entries(row)) fields.append(`signers[${i}][${key}]`, value);
  });
  if (ordered) fields.append('ordered', 'on');
  return fields.toString();
}

describe('the signing-request form on the document page: errors beside their fields, what was typed kept', () => {
  let stack: TestStack;
  let office: Agent;
  let documentId: string;

  beforeAll(async () => {
    stack = await startStack({}, { worker: false });
    const { manager } = await createOfficeWithManager(stack.app, 'rurume');
    office = await stack.login(manager.email);
    const patient = await createPatient(office, '依頼 ハナ', { name: '依頼 健太', email: 'kenta.form@example.jp' });
    documentId = (await issuedConsent(office, patient.id)).id;
  });
  afterAll(async () => {
    await stack?.close();
  });

  const post = (body: string) => office.post(`/documents/${documentId}/signing`).type('form').send(body);
  const requests = async () => (await office.get(`/api/documents/${documentId}/signing`).expect(200)).body as unknown[];

  it('shows each problem beside its field in the form row it belongs to, keeps the input, and creates nothing', async () => {
    const page = await post(
      rows({
        1: { name: '依頼 健太', relation: '', email: 'not-an-address' },
        4: { name: '説明 看護師'.repeat(10), method: 'in_person', accessCode: '12' },
      }),
    ).expect(400);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('署名を依頼できませんでした');
    // Row 1 (患者家族1) and row 4 (説明者), though rows 0, 2 and 3 were left blank and not sent on.
    expect(page.text).toMatch(/id="s1-email-error">[^<]*メールアドレス/);
    expect(page.text).toMatch(/id="s4-name-error">[^<]*40文字/);
    expect(page.text).toMatch(/id="s4-code-error">[^<]*4〜8桁/);
    expect(page.text).not.toContain('id="s0-name-error"');
    expect(page.text).toContain('value="not-an-address"');
    expect(page.text).toContain(`value="${'説明 看護師'.repeat(10)}"`);
    expect(page.text).toMatch(/name="ordered" checked/);
    // The 暗証番号 the office chose for the family is kept too (the page is not stored), and the banner is an error.
    expect(page.text).toMatch(/id="s4-code"[^>]*value="12"/);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.text).toMatch(/class="error-summary" role="alert"[^>]*><h2>署名を依頼できませんでした/);
    expect(page.text).not.toContain('class="notice ok"');
    expect(await requests()).toEqual([]);
  });

  it('reports a required role left blank above the rows, and escapes what it shows again', async () => {
    const page = await post(rows({ 1: { name: '<script>alert(1)</script>', relation: '長男', email: 'x@example.jp' } }, false)).expect(400);
    expect(page.text).toContain('患者説明・同意書取得者の署名者を指定してください');
    expect(page.text).not.toContain('<script>alert(1)</script>');
    expect(page.text).toContain('&lt;script&gt;');
    expect(page.text).not.toMatch(/name="ordered" checked/);
    expect(await requests()).toEqual([]);
  });

  it('wrong types come back as a page too, and the right input then sends the request', async () => {
    const wrong = await office
      .post(`/documents/${documentId}/signing`)
      .type('form')
      .send('signers[0][role]=patient&signers[0][name][x]=1')
      .expect(400);
    expect(wrong.headers['content-type']).toMatch(/^text\/html/);
    expect(await requests()).toEqual([]);

    const sent = await post(
      rows({
        1: { name: '依頼 健太', relation: '長男', email: 'kenta.form@example.jp' },
        4: { name: '説明 看護師', method: 'in_person' },
      }),
    ).expect(303);
    expect(sent.headers.location).toContain(`/documents/${documentId}?message=`);
    expect(await requests()).toHaveLength(1);
  });
});

describe('the signing-request form: a signer without an e-mail address is asked in person', () => {
  let stack: TestStack;
  let office: Agent;
  let documentId: string;

  beforeAll(async () => {
    stack = await startStack({}, { worker: false });
    const { manager } = await createOfficeWithManager(stack.app, 'rurume');
    office = await stack.login(manager.email);
    // A family contact with no e-mail address.
    const patient = await office
      .post('/api/patients')
      .send({
        name: '自動 ハナ',
        nameKana: 'しけん',
        birthDate: '1938-04-05',
        address: '東京都東久留米市滝山1-2-3',
        family: [{ name: '自動 健太', relation: '長男', phone: '090-1111-2222' }],
      })
      .expect(201);
    documentId = (await issuedConsent(office, patient.body.id)).id;
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('offers 「自動」, which the server resolves from the e-mail field: an address is メール, none is 対面', async () => {
    const page = await office.get(`/documents/${documentId}`).expect(200);
    expect(page.text).toMatch(/<select id="s1-method"[^>]*><option value="" selected>自動（メールアドレスがあればメール、なければ対面）/);
    expect(page.text).toContain('メールアドレスを入れるとメールで、空なら対面で依頼します');

    const automatic = { method: '' };
    const sent = await office
      .post(`/documents/${documentId}/signing`)
      .type('form')
      .send(
        rows(
          {
            1: { ...automatic, name: '自動 健太', relation: '長男' },
            2: { ...automatic, name: '自動 花子', relation: '長女', email: 'hanako.auto@example.jp' },
            4: { ...automatic, name: '説明 看護師' },
          },
          false,
        ),
      )
      .expect(303);
    expect(sent.headers.location).toContain('?message=');
    const [request] = (await office.get(`/api/documents/${documentId}/signing`).expect(200)).body as {
      signers: { name: string; method: string }[];
    }[];
    const methods = Object.fromEntries(request.signers.map((s) => [s.name, s.method]));
    expect(methods).toEqual({ '自動 健太': 'in_person', '自動 花子': 'email', '説明 看護師': 'in_person' });
  });
});
