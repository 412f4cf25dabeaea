import { DataSource } from 'typeorm';
import { createOfficeWithManager, createUser } from './support/factories';
import request from 'supertest';
import { Agent, TestStack, formToken, startStack } from './support/test-app';

/** One way to check input (src/common/validation): every bad field in one 400, JSON for the API, a page for the web. */
describe('request validation', () => {
  let stack: TestStack;
  let office: Agent;
  let admin: Agent;

  beforeAll(async () => {
    stack = await startStack({}, { worker: false });
    office = await stack.login((await createOfficeWithManager(stack.app, 'rurume')).manager.email);
    admin = await stack.login((await createUser(stack.app, 'admin')).email);
  });

  afterAll(async () => {
    await stack?.close();
  });

  const count = async (table: string) => (await stack.app.get(DataSource).query(`SELECT count(*)::int AS n FROM ${table}`))[0].n;

  it('lists every invalid field at once, with its path, Japanese label and Japanese message', async () => {
    const { body } = await office
      .post('/api/patients')
      .send({
        name: '',
        birthDate: '昭和15年',
        address: 12,
        family: [
          { name: '山田 一郎', relation: '長男', email: 'ichiro@example.jp' },
          { name: '山田 次郎', relation: '', email: 'jiro@' },
        ],
      })
      .expect(400);
    expect(body).toEqual({
      code: 'INVALID_REQUEST',
      message: '入力内容に5件の誤りがあります',
      errors: [
        { path: 'name', label: '氏名', message: '氏名は必須です' },
        { path: 'birthDate', label: '生年月日', message: '生年月日は正しい日付（YYYY-MM-DD）で入力してください' },
        { path: 'address', label: '住所', message: '住所は文字列で指定してください' },
        { path: 'family[1].relation', label: '続柄', message: '続柄は必須です' },
        { path: 'family[1].email', label: '家族のメールアドレス', message: '家族のメールアドレスの形式が正しくありません' },
      ],
    });

    const offices = await admin
      .post('/api/offices')
      .send({ networkId: 'atlantis', name: 3, postalCode: '12', phone: ['x'] })
      .expect(400);
    expect(offices.body.errors).toEqual([
      { path: 'networkId', label: 'ネットワーク', message: expect.stringMatching(/^ネットワークは次のいずれかです: .*rurume/) },
      { path: 'name', label: '事業所名', message: '事業所名は文字列で指定してください' },
      { path: 'postalCode', label: '郵便番号', message: '郵便番号は7桁で入力してください（例: 203-0053）' },
      { path: 'phone', label: '電話番号', message: '電話番号は文字列で指定してください' },
    ]);
  });

  it('refuses wrong types with 400, never 500: a number for text, an object for `form`, a list for the body', async () => {
    const render = await office
      .post('/api/renders')
      .send({ network: 'rurume', form: { id: 'staff-pledge' }, data: {} })
      .expect(400);
    expect(render.body.errors).toEqual([{ path: 'form', label: '様式', message: '様式は文字列で指定してください' }]);
    const document = await office
      .post('/api/documents')
      .send({ form: { id: 'office-pledge' }, data: [] })
      .expect(400);
    expect(document.body.errors.map((e: { path: string }) => e.path)).toEqual(['form', 'data']);
    const staff = await office.post('/api/staff').send({ name: 123, isManager: 'yes' }).expect(400);
    expect(staff.body.errors).toEqual([
      { path: 'name', label: '氏名', message: '氏名は文字列で指定してください' },
      { path: 'isManager', label: '管理者', message: '管理者は true か false で指定してください' },
    ]);
    const list = await office
      .post('/api/staff')
      .send([{ name: '山田' }])
      .expect(400);
    expect(list.body.errors).toEqual([{ path: 'body', label: 'リクエスト', message: 'リクエストの内容はオブジェクトで指定してください' }]);
    await admin.get('/api/audit?limit=many').expect(400);
  });

  it('refuses values outside their choices: a user role, a custody event, a document status, a signer role', async () => {
    const user = await admin
      .post('/api/users')
      .send({ email: 'root@example.jp', name: '管理', role: 'superuser', password: 'good-pass-9' })
      .expect(400);
    expect(user.body.errors).toEqual([
      { path: 'role', label: '役割', message: '役割は次のいずれかです: office_manager, office_staff, secretariat, admin' },
    ]);
    const event = await office.post('/api/exemplars/NOPE-000000-1/events').send({ type: 'teleported' }).expect(400);
    expect(event.body.errors[0]).toMatchObject({ path: 'type', label: '種類' });
    await office.get('/api/documents?status=lost').expect(400);

    const patient = await office.post('/api/patients').send({ name: '署名 ハル' }).expect(201);
    const doc = await office.post('/api/documents').send({ form: 'patient-consent', subjectId: patient.body.id }).expect(201);
    await office.post(`/api/documents/${doc.body.id}/issue`).expect(201);
    const roles = await office
      .post(`/api/documents/${doc.body.id}/signing`)
      .send({
        signers: [
          { role: 'explainer', name: '説明 看護師', method: 'in_person' },
          { role: 'butler', name: '執事', method: 'in_person' },
        ],
      })
      .expect(400);
    expect(roles.body.errors).toEqual([
      { path: 'signers[1].role', label: '役割', message: expect.stringContaining('family1（患者家族1）') },
    ]);
    const method = await office
      .post(`/api/documents/${doc.body.id}/signing`)
      .send({ signers: [{ role: 'explainer', name: '説明 看護師', method: 'pigeon' }] })
      .expect(400);
    expect(method.body.errors).toEqual([
      { path: 'signers[0].method', label: '署名の方法', message: '署名の方法は次のいずれかです: email, in_person' },
    ]);
  });

  it('refuses oversized lists by their size: a 5,000-member family, 5,000 signers', async () => {
    const before = await count('patient');
    const family = Array.from({ length: 5000 }, (_, i) => ({ name: `家族 ${i}`, relation: '親族', email: `f${i}@example.jp` }));
    const { body } = await office.post('/api/patients').send({ name: '大家族 ハル', family }).expect(400);
    expect(body.errors).toEqual([{ path: 'family', label: '家族', message: '家族は20名までです' }]);
    expect(await count('patient')).toBe(before);

    const signers = Array.from({ length: 5000 }, (_, i) => ({ role: 'family1', name: `署名者 ${i}`, email: `s${i}@example.jp` }));
    const signing = await office.post('/api/documents/00000000-0000-0000-0000-000000000000/signing').send({ signers }).expect(400);
    expect(signing.body.errors).toEqual([{ path: 'signers', label: '署名者', message: '署名者は10件以内で指定してください' }]);
  });

  it('answers a web form with bad input with a Japanese HTML page, not JSON', async () => {
    const event = await office
      .post('/documents/00000000-0000-0000-0000-000000000000/exemplars/NOPE-000000-1/events')
      .type('form')
      .send({ type: 'teleported' })
      .expect(400);
    expect(event.headers['content-type']).toMatch(/^text\/html/);
    expect(event.text).toContain('入力内容に誤りがあります');
    expect(event.text).toContain('記録の種類: 記録の種類は次のいずれかです: mailed, handed_to_family, printed, destroyed');

    const visitor = request.agent(stack.app.getHttpServer());
    const _csrf = formToken((await visitor.get('/login').expect(200)).text);
    const login = await visitor.post('/login').type('form').send(`email[a]=x&password=y&_csrf=${_csrf}`).expect(400);
    expect(login.headers['content-type']).toMatch(/^text\/html/);
    expect(login.text).toContain('メールアドレスは文字列で指定してください');

    // The form comes back on its document's page: a real, issued document.
    const patient = await office.post('/api/patients').send({ name: '検証 ハナ' }).expect(201);
    const doc = await office.post('/api/documents').send({ form: 'patient-consent', subjectId: patient.body.id }).expect(201);
    await office.post(`/api/documents/${doc.body.id}/issue`).expect(201);
    const signing = await office
      .post(`/documents/${doc.body.id}/signing`)
      .type('form')
      .send(Array.from({ length: 11 }, (_, i) => `signers[${i}][role]=family1&signers[${i}][name]=家族${i}`).join('&'))
      .expect(400);
    expect(signing.headers['content-type']).toMatch(/^text\/html/);
    expect(signing.text).toContain('署名者は10件以内で指定してください');

    // Still JSON for the API, whatever the client asks for.
    const api = await office
      .post('/api/receipts')
      .set('Accept', 'text/html')
      .send({ code: ['x'] });
    expect(api.status).toBe(403);
    expect(api.body.code).toBe('FORBIDDEN');
  });

  it('documents the body of every operation that takes one in /api/docs-json', async () => {
    const { body: doc } = await stack.http.get('/api/docs-json').expect(200);
    type Operation = { requestBody?: { content: Record<string, { schema: { $ref?: string; properties?: object } }> } };
    const withBody: string[] = [];
    for (const [path, operations] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)) {
      for (const [method, operation] of Object.entries(operations)) {
        if (!operation.requestBody) continue;
        withBody.push(`${method.toUpperCase()} ${path}`);
        for (const { schema } of Object.values(operation.requestBody.content)) {
          const resolved = schema.$ref ? doc.components.schemas[schema.$ref.replace('#/components/schemas/', '')] : schema;
          expect(Object.keys(resolved.properties ?? {}).length).toBeGreaterThan(0);
        }
      }
    }
    expect(withBody.sort()).toEqual(
      [
        'POST /api/auth/login',
        'POST /api/auth/login/mfa',
        'POST /api/auth/login/mfa/passkey/options',
        'POST /api/auth/login/mfa/passkey',
        'POST /api/auth/password',
        'POST /api/auth/mfa/totp/setup',
        'POST /api/auth/mfa/totp/confirm',
        'DELETE /api/auth/mfa/totp',
        'POST /api/auth/mfa/recovery-codes',
        'POST /api/auth/mfa/passkeys',
        'DELETE /api/auth/mfa/passkeys/{id}',
        'POST /api/offices',
        'POST /api/users',
        'POST /api/staff',
        'POST /api/patients',
        'POST /api/documents',
        'POST /api/documents/{id}/versions',
        'POST /api/exemplars/{code}/events',
        'POST /api/receipts',
        'POST /api/renders',
        'POST /api/documents/{id}/signing',
        'POST /api/signing/{requestId}/signers/{signerId}/in-person',
        'POST /api/verify',
        'POST /api/visits/documents',
        'POST /api/visits/{visitId}/device',
        'POST /api/visits/{visitId}/signatures',
        'POST /api/api-keys',
        'POST /api/webhooks',
        'POST /api/batches/preview',
        'POST /api/batches',
        'POST /api/applications',
        'POST /api/applications/{id}/reject',
        'POST /api/invitations',
        'POST /api/invitations/{token}',
        'POST /api/registrations/{id}/done',
        'POST /api/registrations/{id}/questions',
        'POST /api/registrations/{id}/answer',
        'POST /api/staff/{id}/training',
        'PATCH /api/staff/{id}',
        'POST /api/staff/{id}/leave',
        'PATCH /api/patients/{id}',
        'POST /api/documents/{id}/consent-withdrawal',
        'POST /api/patients/{id}/rights-requests',
        'POST /api/rights-requests/{id}/answer',
        'POST /api/rights-requests/{id}/corrections',
        'POST /api/patients/{id}/erasure',
        'POST /api/patients/{id}/legal-hold',
        'POST /api/retention/erasure',
      ].sort(),
    );
    // The rest take no body: actions on what the URL names (issue, withdraw, resend, cancel, switch-to-in-person, leave, lock…).
    const bodiless = Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([method, op]) => method === 'post' && !op.requestBody)
        .map(() => path),
    );
    expect(bodiless.length).toBeGreaterThan(0);
    expect(
      bodiless.every((path) =>
        /\/(issue|paper-signature|withdraw|leave|resend|cancel|logout|logout-others|setup|options|recovery-codes|reset|lock|unlock|approve|follow-up|switch-to-in-person|test|retry)$/.test(
          path,
        ),
      ),
    ).toBe(true);
  });
});
