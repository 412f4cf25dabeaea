import request from 'supertest';
import { DataSource } from 'typeorm';
import { totpCode } from '../src/accounts/totp';
import { createOfficeWithManager, createUser } from './support/factories';
import { Agent, TEST_PASSWORD, TestStack, startStack, withCsrfHeader } from './support/test-app';

/** Sets up the authenticator app through the API, as an integrator would: the code is computed like a phone's. */
async function enrolTotp(agent: Agent): Promise<{ secret: string; recoveryCodes: string[] }> {
  const { body: setup } = await agent.post('/api/auth/mfa/totp/setup').send({ password: TEST_PASSWORD }).expect(200);
  const { body } = await agent
    .post('/api/auth/mfa/totp/confirm')
    .send({ code: totpCode(setup.secret), password: TEST_PASSWORD })
    .expect(200);
  return { secret: setup.secret, recoveryCodes: body.recoveryCodes };
}

/** A code the app shows in the next 30-second step: the current one was spent confirming the set-up. */
const nextCode = (secret: string) => totpCode(secret, Date.now() + 30_000);

describe('two factors over HTTP (TOTP, recovery codes, admin reset)', () => {
  let stack: TestStack;
  let db: DataSource;
  beforeAll(async () => {
    stack = await startStack({}, { worker: false });
    db = stack.app.get(DataSource);
  });
  afterAll(async () => {
    await stack?.close();
  });

  const audit = (action: string, email: string) =>
    db.query(`SELECT action, user_email, target_id, detail FROM audit_event WHERE action = $1 AND user_email = $2 ORDER BY id`, [
      action,
      email,
    ]);
  const passwordStep = (email: string) => stack.http.post('/api/auth/login').send({ email, password: TEST_PASSWORD }).expect(200);

  it('sets up an authenticator app: secret and otpauth URL, confirmed by a code, ten recovery codes', async () => {
    const user = await createUser(stack.app, 'office_staff', { officeId: (await createOfficeWithManager(stack.app, 'rurume')).office.id });
    const api = await stack.login(user.email);
    const { body: setup } = await api.post('/api/auth/mfa/totp/setup').send({ password: TEST_PASSWORD }).expect(200);
    expect(setup.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(setup.otpauthUrl).toBe(
      `otpauth://totp/${encodeURIComponent('連携様式サービス:' + user.email)}?secret=${setup.secret}` +
        `&issuer=${encodeURIComponent('連携様式サービス')}&algorithm=SHA1&digits=6&period=30`,
    );
    const wrong = await api.post('/api/auth/mfa/totp/confirm').send({ code: '000000', password: TEST_PASSWORD }).expect(400);
    expect(wrong.body.errors).toEqual([
      { path: 'code', label: '確認コード', message: expect.stringContaining('確認コードが正しくありません') },
    ]);
    expect((await api.get('/api/auth/mfa').expect(200)).body).toMatchObject({ enabled: false, totp: false });

    const { body } = await api
      .post('/api/auth/mfa/totp/confirm')
      .send({ code: totpCode(setup.secret), password: TEST_PASSWORD })
      .expect(200);
    expect(body.recoveryCodes).toHaveLength(10);
    expect(new Set(body.recoveryCodes).size).toBe(10);
    for (const code of body.recoveryCodes) expect(code).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    expect((await api.get('/api/auth/mfa').expect(200)).body).toMatchObject({
      required: false,
      enabled: true,
      totp: true,
      recoveryCodesLeft: 10,
    });
    // Stored hashed: no code appears in the database.
    const stored = await db.query(`SELECT code_hash FROM user_recovery_code WHERE user_id = $1`, [user.id]);
    expect(stored).toHaveLength(10);
    expect(JSON.stringify(stored)).not.toContain(body.recoveryCodes[0].replace('-', ''));
    expect(await audit('mfa_totp_enrolled', user.email)).toHaveLength(1);
    // The set-up is used up.
    await api
      .post('/api/auth/mfa/totp/confirm')
      .send({ code: totpCode(setup.secret), password: TEST_PASSWORD })
      .expect(400);
  });

  it('asks an enrolled user for a code: no session until then, then the usual answer; each code works once', async () => {
    const user = await createUser(stack.app, 'secretariat', { networkId: 'rurume' });
    const { secret } = await enrolTotp(await stack.login(user.email));

    const first = await passwordStep(user.email);
    expect(Object.keys(first.body).sort()).toEqual(['mfaRequired', 'mfaToken']);
    expect(first.body.mfaRequired).toBe(true);
    expect(first.headers['set-cookie']).toBeUndefined(); // no session cookie…
    await stack.http.get('/api/auth/me').set('Authorization', `Bearer ${first.body.mfaToken}`).expect(401); // …and no token that works

    const browser = request.agent(stack.app.getHttpServer());
    const done = await browser
      .post('/api/auth/login/mfa')
      .send({ mfaToken: first.body.mfaToken, code: nextCode(secret) })
      .expect(200);
    expect(done.body).toEqual({ token: expect.any(String), user: expect.objectContaining({ email: user.email, role: 'secretariat' }) });
    expect(String(done.headers['set-cookie'])).toMatch(/renkei_session=/);
    await browser.get('/api/auth/me').expect(200);
    await stack.http.get('/api/auth/me').set('Authorization', `Bearer ${done.body.token}`).expect(200);
    // The token logged in once.
    await stack.http
      .post('/api/auth/login/mfa')
      .send({ mfaToken: first.body.mfaToken, code: nextCode(secret) })
      .expect(401);

    // The same code in a new log-in is spent, and so is the one before it.
    const second = await passwordStep(user.email);
    const reused = await stack.http
      .post('/api/auth/login/mfa')
      .send({ mfaToken: second.body.mfaToken, code: nextCode(secret) })
      .expect(401);
    expect(reused.body).toMatchObject({ code: 'MFA_CODE_WRONG', triesLeft: 4 });
    await stack.http
      .post('/api/auth/login/mfa')
      .send({ mfaToken: second.body.mfaToken, code: totpCode(secret) })
      .expect(401);
    const logins = await db.query(`SELECT detail FROM audit_event WHERE action = 'login' AND user_email = $1 ORDER BY id`, [user.email]);
    expect(logins.map((l: { detail: { method: string } }) => l.detail.method)).toEqual(['password', 'totp']);
  });

  it('ends the mfaToken after 5 wrong codes, even for the right one next; 40 guesses at once check only 5', async () => {
    const user = await createUser(stack.app, 'admin');
    const { secret } = await enrolTotp(await stack.login(user.email));
    const { body } = await passwordStep(user.email);
    for (let left = 4; left >= 1; left--) {
      const wrong = await stack.http.post('/api/auth/login/mfa').send({ mfaToken: body.mfaToken, code: '000000' }).expect(401);
      expect(wrong.body).toMatchObject({ code: 'MFA_CODE_WRONG', triesLeft: left, message: expect.stringContaining(`あと${left}回`) });
    }
    const fifth = await stack.http.post('/api/auth/login/mfa').send({ mfaToken: body.mfaToken, code: '000000' }).expect(401);
    expect(fifth.body).toMatchObject({ code: 'MFA_TOKEN_INVALID', message: expect.stringContaining('もう一度ログイン') });
    const right = await stack.http
      .post('/api/auth/login/mfa')
      .send({ mfaToken: body.mfaToken, code: nextCode(secret) })
      .expect(401);
    expect(right.body.code).toBe('MFA_TOKEN_INVALID');
    expect(await audit('login_mfa_failed', user.email)).toHaveLength(5);

    const other = await createUser(stack.app, 'admin');
    await enrolTotp(await stack.login(other.email));
    const token = (await passwordStep(other.email)).body.mfaToken;
    const guesses = await Promise.all(
      Array.from({ length: 40 }, (_, i) => stack.http.post('/api/auth/login/mfa').send({ mfaToken: token, code: String(100000 + i) })),
    );
    expect(guesses.every((g) => g.status === 401)).toBe(true);
    expect(guesses.filter((g) => g.body.code === 'MFA_CODE_WRONG')).toHaveLength(4);
    expect(await audit('login_mfa_failed', other.email)).toHaveLength(5);
  });

  it('logs in with a recovery code once; it is then spent', async () => {
    const user = await createUser(stack.app, 'admin');
    const api = await stack.login(user.email);
    const { recoveryCodes } = await enrolTotp(api);
    const token = (await passwordStep(user.email)).body.mfaToken;
    // Typed back in capitals and without the hyphen, as people do.
    const typed = recoveryCodes[3].replace('-', '').toUpperCase();
    await stack.http.post('/api/auth/login/mfa').send({ mfaToken: token, code: typed }).expect(200);
    const again = (await passwordStep(user.email)).body.mfaToken;
    expect((await stack.http.post('/api/auth/login/mfa').send({ mfaToken: again, code: recoveryCodes[3] }).expect(401)).body.code).toBe(
      'MFA_CODE_WRONG',
    );
    expect((await api.get('/api/auth/mfa').expect(200)).body.recoveryCodesLeft).toBe(9);
    expect(await audit('mfa_recovery_code_used', user.email)).toHaveLength(1);
    // New codes replace the old set.
    const { body } = await api.post('/api/auth/mfa/recovery-codes').send({ password: TEST_PASSWORD }).expect(200);
    expect(body.recoveryCodes).toHaveLength(10);
    await stack.http.post('/api/auth/login/mfa').send({ mfaToken: again, code: recoveryCodes[4] }).expect(401);
    await stack.http.post('/api/auth/login/mfa').send({ mfaToken: again, code: body.recoveryCodes[0] }).expect(200);
  });

  it('offers passkeys only to a user who has one, for this host; a forged answer is a wrong try', async () => {
    const user = await createUser(stack.app, 'admin');
    const api = await stack.login(user.email);
    const options = await api.post('/api/auth/mfa/passkeys/options').set('Host', 'renkei.example.jp').expect(200);
    expect(options.body).toMatchObject({ rp: { id: 'renkei.example.jp', name: '連携様式サービス' }, user: { name: user.email } });
    expect(options.body.challenge).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const forged = await api
      .post('/api/auth/mfa/passkeys')
      .send({
        password: TEST_PASSWORD,
        response: { id: 'x', rawId: 'x', type: 'public-key', response: { clientDataJSON: 'e30', attestationObject: 'AA' } },
      })
      .expect(400);
    expect(forged.body.errors[0]).toMatchObject({ path: 'response', label: 'パスキー' });
    expect((await api.get('/api/auth/mfa').expect(200)).body.passkeys).toEqual([]);

    await enrolTotp(api);
    const token = (await passwordStep(user.email)).body.mfaToken;
    const none = await stack.http.post('/api/auth/login/mfa/passkey/options').send({ mfaToken: token }).expect(409);
    expect(none.body.message).toContain('パスキーが登録されていません');
    const answer = {
      id: 'x',
      rawId: 'x',
      type: 'public-key',
      clientExtensionResults: {},
      response: { clientDataJSON: 'e30', authenticatorData: 'AA', signature: 'AA' },
    };
    const wrong = await stack.http.post('/api/auth/login/mfa/passkey').send({ mfaToken: token, response: answer }).expect(401);
    expect(wrong.body).toMatchObject({ code: 'MFA_CODE_WRONG', triesLeft: 4 });
    await stack.http.post('/api/auth/login/mfa/passkey/options').send({ mfaToken: 'not-a-token' }).expect(401);
    const bad = await stack.http
      .post('/api/auth/login/mfa')
      .send({ mfaToken: 42, code: ['1'] })
      .expect(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['code', 'mfaToken']);
  });

  it('lets the admin reset a lost factor: factors gone, every session ended, audit-logged; nobody else may', async () => {
    const { office, manager } = await createOfficeWithManager(stack.app, 'rurume');
    const staff = await createUser(stack.app, 'office_staff', { officeId: office.id });
    const staffApi = await stack.login(staff.email);
    await enrolTotp(staffApi);
    const admin = await createUser(stack.app, 'admin');
    const adminApi = await stack.login(admin.email);

    const listed = await adminApi.get(`/api/users?q=${encodeURIComponent(staff.email)}`).expect(200);
    expect(listed.body).toEqual([
      expect.objectContaining({ id: staff.id, mfa: { enabled: true, totp: true, passkeys: 0, recoveryCodesLeft: 10 }, disabledAt: null }),
    ]);
    const managerApi = await stack.login(manager.email);
    await managerApi.post(`/api/users/${staff.id}/mfa/reset`).expect(403);
    await managerApi.get('/api/users').expect(403);

    await adminApi.post(`/api/users/${staff.id}/mfa/reset`).expect(204);
    await staffApi.get('/api/auth/me').expect(401); // every session ended
    const [row] = await db.query(
      `SELECT user_email, target_type, target_id, detail FROM audit_event WHERE action = 'mfa_reset' AND target_id = $1`,
      [staff.id],
    );
    expect(row).toMatchObject({
      user_email: admin.email,
      target_type: 'user',
      detail: { email: staff.email, totp: true, endedSessions: 1 },
    });
    expect(await db.query(`SELECT 1 FROM user_recovery_code WHERE user_id = $1`, [staff.id])).toEqual([]);
    // Next log-in is by password alone (MFA is not required here), and the user can enrol again.
    const again = await passwordStep(staff.email);
    expect(again.body.token).toEqual(expect.any(String));
    await adminApi.post('/api/users/00000000-0000-0000-0000-000000000000/mfa/reset').expect(404);
    await adminApi.post('/api/users/nonsense/mfa/reset').expect(404);
  });
});

describe('MFA_REQUIRED: enrolment at first log-in', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ MFA_REQUIRED: '1' }, { worker: false });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('lets a user without a second factor do nothing but enrol one, then everything', async () => {
    const { manager } = await createOfficeWithManager(stack.app, 'rurume');
    const agent = request.agent(stack.app.getHttpServer());
    const login = await agent.post('/api/auth/login').send({ email: manager.email, password: TEST_PASSWORD }).expect(200);
    expect(login.body).toMatchObject({ token: expect.any(String), mfaEnrolmentRequired: true });
    await withCsrfHeader(agent);
    const blocked = await agent.get('/api/staff').expect(403);
    expect(blocked.body).toMatchObject({ code: 'MFA_ENROLMENT_REQUIRED', enrolUrl: '/account/mfa' });
    expect((await agent.get('/office').expect(303)).headers.location).toBe('/account/mfa');
    expect((await agent.get('/').expect(303)).headers.location).toBe('/account/mfa');
    await agent.get('/account/mfa').expect(200);
    await agent.get('/api/auth/me').expect(200);
    expect((await agent.get('/api/auth/mfa').expect(200)).body).toMatchObject({ required: true, enabled: false });

    const { secret } = await enrolTotp(agent);
    await agent.get('/api/staff').expect(200); // the same session, now with a factor
    await agent.delete('/api/auth/mfa/totp').send({ password: TEST_PASSWORD }).expect(409); // the last factor stays while MFA is required
    const next = await agent.post('/api/auth/login').send({ email: manager.email, password: TEST_PASSWORD }).expect(200);
    expect(next.body.mfaRequired).toBe(true);
    await agent
      .post('/api/auth/login/mfa')
      .send({ mfaToken: next.body.mfaToken, code: nextCode(secret) })
      .expect(200);
  });
});
