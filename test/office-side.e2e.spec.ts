import request from 'supertest';
import { DataSource } from 'typeorm';
import { totpCode } from '../src/accounts/totp';
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
    // The log-in and the CSRF check come first: a stranger is never shown the confirmation.
    const stranger = await stack.http.post(`/documents/${doc.id}/issue`).type('form').send({ _confirm: 'document.issue' });
    expect(stranger.status).toBe(403);
    expect(stranger.text).not.toContain('書類番号が確定します');
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

  it('pages GET /api/documents in the database: an array as before, the total and links in headers, at most 500 a page', async () => {
    const { manager } = await createOfficeWithManager(stack.app, 'rurume');
    const own = await stack.login(manager.email);
    const made: string[] = [];
    for (let i = 0; i < 3; i++) made.push((await own.post('/api/documents').send({ form: 'office-pledge' }).expect(201)).body.id);
    const first = await own.get('/api/documents?limit=2').expect(200);
    expect(first.body.map((d: { id: string }) => d.id)).toEqual([made[2], made[1]]); // newest first
    expect(first.headers['x-total-count']).toBe('3');
    expect(first.headers.link).toBe(
      '</api/documents?limit=2&page=1>; rel="first", </api/documents?limit=2&page=2>; rel="next", </api/documents?limit=2&page=2>; rel="last"',
    );
    const second = await own.get('/api/documents?limit=2&page=2').expect(200);
    expect([second.body.map((d: { id: string }) => d.id), second.headers['x-total-count']]).toEqual([[made[0]], '3']);
    expect((await own.get('/api/documents?status=issued').expect(200)).headers['x-total-count']).toBe('0');
    await own.get('/api/documents?limit=501').expect(400);

    // The 事務局: its network's submitted forms, a page at a time too.
    const clerk = await stack.login((await createUser(stack.app, 'secretariat', { networkId: 'rurume' })).email);
    const network = await clerk.get('/api/documents?limit=1').expect(200);
    expect(network.body).toHaveLength(Math.min(1, Number(network.headers['x-total-count'])));
    expect(network.headers.link).toContain('rel="first"');
    const docs = (await stack.http.get('/api/docs-json').expect(200)).body;
    const limit = docs.paths['/api/documents'].get.parameters.find((p: { name: string }) => p.name === 'limit');
    expect(limit.schema).toMatchObject({ maximum: 500, default: 500 });
  });

  it('an empty e-mail that is needed says it is required, beside its field', async () => {
    const doc = await issuedConsent(office, patientId);
    const asked = await office
      .post(`/documents/${doc.id}/signing`)
      .type('form')
      .send({ 'signers[0][role]': 'family1', 'signers[0][name]': '確認 健太', 'signers[0][method]': 'email', 'signers[0][email]': '' });
    expect(asked.status).toBeGreaterThanOrEqual(400);
    expect(asked.text).toMatch(/id="s0-email-error">[^<]*メールアドレスは必須です（メールで署名する場合）/);
    const invited = await office.post('/office/users').type('form').send({ name: '招待 三郎', email: '' });
    expect(invited.status).toBeGreaterThanOrEqual(400);
    expect(invited.text).toMatch(/メールアドレスは必須です/);
    // The public application form: its 管理者メールアドレス left empty.
    const visitor = request.agent(stack.app.getHttpServer());
    const _csrf = formToken((await visitor.get('/apply/rurume').expect(200)).text);
    const applied = await visitor.post('/apply/rurume').type('form').send({ _csrf, officeName: '申込 診療所', managerEmail: '' });
    expect(applied.status).toBe(400);
    expect(applied.text).toContain('管理者メールアドレスは必須です');
    expect(applied.text).not.toContain('管理者メールアドレスの形式が正しくありません');
  });

  it('a staff change links its draft notice, whose signing form asks the office’s 管理者 and speaks of the office, not a family', async () => {
    const { manager } = await createOfficeWithManager(stack.app, 'rurume');
    const officeWeb = await stack.login(manager.email);
    const added = await officeWeb
      .post('/office/staff')
      .type('form')
      .send({ name: '変更 一美', email: 'kazumi.change@example.jp' })
      .expect(303);
    const draftId = new URL(added.headers.location, 'http://x').searchParams.get('draft');
    expect(draftId).toMatch(/^[0-9a-f-]{36}$/);
    const home = (await officeWeb.get(added.headers.location).expect(200)).text;
    expect(home).toMatch(
      new RegExp(`id="office-message">[^<]*確認して発行してください <a href="/documents/${draftId}">下書きを確認する</a>`),
    );

    const draft = (await officeWeb.get(`/api/documents/${draftId}`).expect(200)).body;
    expect(draft.version.data).toMatchObject({ managerName: manager.name });
    await officeWeb.post(`/api/documents/${draftId}/issue`).expect(201);
    const page = (await officeWeb.get(`/documents/${draftId}`).expect(200)).text;
    expect(page).toContain('署名する人を入力してください（書類の記入内容と事業所の管理者から入れてあります。確認してください）');
    expect(page).not.toContain('患者の家族');
    expect(page).toContain(`<legend>管理者 *</legend>`);
    expect(page).toContain(`name="signers[0][name]" type="text" value="${manager.name}"`);
    expect(page).toContain(`name="signers[0][email]" type="email" value="${manager.email}"`);

    // A patient's consent still speaks of the family.
    const consent = await issuedConsent(office, patientId);
    expect((await office.get(`/documents/${consent.id}`).expect(200)).text).toContain('書類の記入内容と患者の家族の登録から入れてあります');
  });
});

/** Every outgoing or irreversible button of the pages asks first, and saying what will happen. */
describe('the confirmation step on every outgoing or irreversible action', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack({ WEBHOOK_ALLOW_PRIVATE: '1' }, { worker: false });
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** The page's form posting to `action` opts in to the confirmation `key`. */
  const asksFirst = (page: string, action: string, key: string) =>
    expect(page).toMatch(
      new RegExp(
        `action="${action}"[^>]*>(<input type="hidden" name="_csrf"[^>]*>)?<input type="hidden" name="_confirm" value="${key.replace('.', '\\.')}"`,
      ),
    );

  /** Posting with the key answers the confirmation page (and does nothing yet). */
  const confirmation = async (agent: Agent, action: string, key: string, body: Record<string, string> = {}) => {
    const asked = await agent
      .post(action)
      .type('form')
      .send({ ...body, _confirm: key, _back: '/office' })
      .expect(200);
    expect(asked.headers['content-type']).toMatch(/^text\/html/);
    expect(asked.text).toContain(`<form method="post" action="${action}" class="actions">`);
    return asked.text;
  };

  it('an invitation resend, an API key revoked, a webhook tested, re-sent or deleted: each asks, and only the second post acts', async () => {
    const { manager } = await createOfficeWithManager(stack.app, 'rurume');
    const agent = await stack.login(manager.email);
    const invited = await agent.post('/api/invitations').send({ name: '招待 二郎', email: 'jiro.invite@example.jp' }).expect(201);
    const userId = (invited.body.userId ?? invited.body.id) as string;
    asksFirst((await agent.get('/office/users').expect(200)).text, `/office/users/${userId}/resend`, 'invitation.resend');
    expect(await confirmation(agent, `/office/users/${userId}/resend`, 'invitation.resend')).toContain(
      '前に送ったリンクは使えなくなります',
    );

    const key = (await agent.post('/api/api-keys').send({ name: '記録システム' }).expect(201)).body;
    asksFirst((await agent.get('/integrations').expect(200)).text, `/integrations/keys/${key.id}/revoke`, 'api-key.revoke');
    expect(await confirmation(agent, `/integrations/keys/${key.id}/revoke`, 'api-key.revoke')).toContain('すぐに使えなくなります');
    expect((await agent.get('/api/api-keys').expect(200)).body.map((k: { id: string }) => k.id)).toContain(key.id);
    await agent.post(`/integrations/keys/${key.id}/revoke`).type('form').send({}).expect(303);
    expect((await agent.get('/api/api-keys').expect(200)).body).toEqual([]);

    const hook = (
      await agent
        .post('/api/webhooks')
        .send({ url: 'http://127.0.0.1:9/hook', events: ['document.issued'] })
        .expect(201)
    ).body;
    await agent.post(`/api/webhooks/${hook.id}/test`).expect(202);
    const hookPage = (await agent.get(`/integrations/webhooks/${hook.id}`).expect(200)).text;
    asksFirst(hookPage, `/integrations/webhooks/${hook.id}/test`, 'webhook.test');
    asksFirst(hookPage, `/integrations/webhooks/${hook.id}/delete`, 'webhook.delete');
    const delivery = /deliveries\/([0-9a-f-]{36})\/retry/.exec(hookPage)![1];
    asksFirst(hookPage, `/integrations/webhooks/${hook.id}/deliveries/${delivery}/retry`, 'webhook.retry');
    expect(await confirmation(agent, `/integrations/webhooks/${hook.id}/deliveries/${delivery}/retry`, 'webhook.retry')).toContain(
      'もう一度送ります',
    );
    expect(await confirmation(agent, `/integrations/webhooks/${hook.id}/delete`, 'webhook.delete')).toContain('元に戻せません');
    expect((await agent.get('/api/webhooks').expect(200)).body.map((w: { id: string }) => w.id)).toContain(hook.id);
    await agent.post(`/integrations/webhooks/${hook.id}/delete`).type('form').send({}).expect(303);
    expect((await agent.get('/api/webhooks').expect(200)).body).toEqual([]);
  });

  it('利用停止, 法的保存の解除 and removing a second factor ask first; a password is asked again, never written into the page', async () => {
    const admin = await stack.login((await createUser(stack.app, 'admin')).email);
    const { manager } = await createOfficeWithManager(stack.app, 'rurume');
    asksFirst((await admin.get(`/admin/users/${manager.id}`).expect(200)).text, `/admin/users/${manager.id}/lock`, 'user.lock');
    expect(await confirmation(admin, `/admin/users/${manager.id}/lock`, 'user.lock')).toContain('ログイン中の端末もすべてログアウトします');
    const agent = await stack.login(manager.email); // not stopped by the question

    const patientId = (await createPatient(agent, '保存 ウメ', { name: '保存 一郎', email: 'ichiro.hold@example.jp' })).id;
    await agent.post(`/api/patients/${patientId}/legal-hold`).send({ reason: '訴訟のため' }).expect(201);
    const release = `/office/patients/${patientId}/legal-hold/release`;
    asksFirst((await agent.get(`/office/patients/${patientId}`).expect(200)).text, release, 'legal-hold.release');
    expect(await confirmation(agent, release, 'legal-hold.release')).toContain('法的保存を解除します');
    expect((await agent.get(`/office/patients/${patientId}`).expect(200)).text).toContain(release);
    // Answering a 利用停止 request stops the patient's use: it asks first; a disclosure's answer does not.
    const received = { receivedAt: new Date().toISOString().slice(0, 10), receivedVia: 'phone', detail: '電話で受付' };
    const stop = (
      await agent
        .post(`/api/patients/${patientId}/rights-requests`)
        .send({ kind: 'suspension', ...received })
        .expect(201)
    ).body;
    const see = (
      await agent
        .post(`/api/patients/${patientId}/rights-requests`)
        .send({ kind: 'disclosure', ...received })
        .expect(201)
    ).body;
    const patientPage = (await agent.get(`/office/patients/${patientId}`).expect(200)).text;
    asksFirst(patientPage, `/office/patients/${patientId}/rights-requests/${stop.id}/answer`, 'rights.suspension-answer');
    const disclosureForm = patientPage.slice(patientPage.indexOf(`rights-requests/${see.id}/answer`));
    expect(disclosureForm.slice(0, disclosureForm.indexOf('</form>'))).not.toContain('name="_confirm"');

    const { body: setup } = await agent.post('/api/auth/mfa/totp/setup').send({ password: TEST_PASSWORD }).expect(200);
    await agent
      .post('/api/auth/mfa/totp/confirm')
      .send({ code: totpCode(setup.secret), password: TEST_PASSWORD })
      .expect(200);
    asksFirst((await agent.get('/account/mfa').expect(200)).text, '/account/mfa/totp/remove', 'mfa.totp.remove');
    const asked = await confirmation(agent, '/account/mfa/totp/remove', 'mfa.totp.remove', { password: TEST_PASSWORD });
    expect(asked).toContain('認証アプリの設定を解除します');
    expect(asked).not.toContain(TEST_PASSWORD);
    expect(asked).toContain('<input id="confirm-password" name="password" type="password"');
    expect((await agent.get('/api/auth/mfa').expect(200)).body).toMatchObject({ totp: true });
  });
});
