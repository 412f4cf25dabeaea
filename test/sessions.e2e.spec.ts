import request from 'supertest';
import { DataSource } from 'typeorm';
import { createUser } from './support/factories';
import { TEST_PASSWORD, TestStack, formToken, startStack } from './support/test-app';

describe('passwords and sessions over HTTP', () => {
  let stack: TestStack;
  let db: DataSource;
  beforeAll(async () => {
    stack = await startStack({ SESSION_MAX_HOURS: '12', SESSION_IDLE_MINUTES: '30' }, { worker: false });
    db = stack.app.get(DataSource);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('changes one’s password with the current one; every other session ends, this one stays', async () => {
    const user = await createUser(stack.app, 'secretariat', { networkId: 'rurume' });
    const here = await stack.login(user.email);
    const elsewhere = await stack.login(user.email);

    const errorsOf = async (body: object) =>
      (await here.post('/api/auth/password').send(body).expect(400)).body.errors.map((e: { path: string; message: string }) => [
        e.path,
        e.message,
      ]);
    expect(await errorsOf({ currentPassword: 'wrong-pass-1', newPassword: 'kurume-houkan-7' })).toEqual([
      ['currentPassword', expect.stringContaining('現在のパスワードが正しくありません')],
    ]);
    expect(await errorsOf({ currentPassword: TEST_PASSWORD, newPassword: 'Kp2mQ9x7'.repeat(9) + 'z' })).toEqual([
      ['newPassword', expect.stringContaining('72バイト以内')],
    ]);
    expect(await errorsOf({ currentPassword: TEST_PASSWORD, newPassword: 'aaaaaaa1' })).toEqual([
      ['newPassword', expect.stringContaining('よく使われている')],
    ]);
    expect(await errorsOf({ currentPassword: TEST_PASSWORD, newPassword: 'Password2026' })).toEqual([
      ['newPassword', expect.stringContaining('よく使われている')],
    ]);
    expect(await errorsOf({ currentPassword: TEST_PASSWORD, newPassword: TEST_PASSWORD })).toEqual([
      ['newPassword', expect.stringContaining('現在のパスワードと違うもの')],
    ]);
    expect((await here.post('/api/auth/password').send({}).expect(400)).body.errors.map((e: { path: string }) => e.path)).toEqual([
      'currentPassword',
      'newPassword',
    ]);
    await elsewhere.get('/api/auth/me').expect(200); // nothing changed yet

    const changed = await here
      .post('/api/auth/password')
      .send({ currentPassword: TEST_PASSWORD, newPassword: 'kurume-houkan-7' })
      .expect(200);
    expect(changed.body).toEqual({ endedSessions: 1 });
    await here.get('/api/auth/me').expect(200);
    await elsewhere.get('/api/auth/me').expect(401);
    await stack.http.post('/api/auth/login').send({ email: user.email, password: TEST_PASSWORD }).expect(401);
    await stack.login(user.email, 'kurume-houkan-7');
    const [row] = await db.query(`SELECT detail FROM audit_event WHERE action = 'password_changed' AND user_email = $1`, [user.email]);
    expect(row.detail).toEqual({ endedSessions: 1 });
  });

  it('refuses a password over 72 bytes, or a common one, when the admin creates a user', async () => {
    const admin = await stack.login((await createUser(stack.app, 'admin')).email);
    for (const [password, message] of [
      ['あいうえおかきくけこさしすせそたちつてとなにぬねの1a', '72バイト以内'],
      ['qwerty123', 'よく使われている'],
      ['sakura2024', 'よく使われている'],
    ]) {
      const { body } = await admin.post('/api/users').send({ email: 'p@example.jp', name: '試験', role: 'admin', password }).expect(400);
      expect(body.errors).toEqual([{ path: 'password', label: 'パスワード', message: expect.stringContaining(message) }]);
    }
  });

  it('ends a session SESSION_MAX_HOURS after its log-in, however busy it is', async () => {
    const user = await createUser(stack.app, 'admin');
    const api = await stack.login(user.email);
    await db.query(`UPDATE user_session SET created_at = now() - interval '11 hours 59 minutes' WHERE user_id = $1`, [user.id]);
    await api.get('/api/auth/me').expect(200);
    await db.query(`UPDATE user_session SET created_at = now() - interval '12 hours 1 minute', last_seen_at = now() WHERE user_id = $1`, [
      user.id,
    ]);
    await api.get('/api/auth/me').expect(401);
    expect(await db.query(`SELECT 1 FROM user_session WHERE user_id = $1`, [user.id])).toEqual([]);
  });

  it('lists one’s own sessions and logs out everywhere else; another user’s session cannot be ended', async () => {
    const user = await createUser(stack.app, 'admin');
    const here = await stack.login(user.email);
    const phone = await stack.login(user.email);
    await phone.get('/api/auth/me').set('User-Agent', 'PhoneBrowser/2.0').expect(200);
    const { body: sessions } = await here.get('/api/auth/sessions').expect(200);
    expect(sessions).toHaveLength(2);
    expect(sessions.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    for (const s of sessions) {
      expect(s).toMatchObject({ id: expect.stringMatching(/^[0-9a-f]{64}$/), ip: expect.stringMatching(/127\.0\.0\.1/) });
      expect(new Date(s.expiresAt).getTime()).toBeLessThanOrEqual(new Date(s.createdAt).getTime() + 12 * 3_600_000);
    }
    const other = await stack.login((await createUser(stack.app, 'admin')).email);
    await other.delete(`/api/auth/sessions/${sessions[0].id}`).expect(404);
    await phone.get('/api/auth/me').expect(200);

    expect((await here.post('/api/auth/sessions/logout-others').expect(200)).body).toEqual({ ended: 1 });
    await phone.get('/api/auth/me').expect(401);
    await here.get('/api/auth/me').expect(200);
    expect((await here.get('/api/auth/sessions').expect(200)).body).toHaveLength(1);
  });

  it('does the same from the sessions page: 他の端末からログアウト', async () => {
    const user = await createUser(stack.app, 'admin');
    const browser = request.agent(stack.app.getHttpServer());
    const loginPage = await browser.get('/login').expect(200);
    await browser
      .post('/login')
      .type('form')
      .send({ email: user.email, password: TEST_PASSWORD, _csrf: formToken(loginPage.text) })
      .expect(303);
    const other = await stack.login(user.email);
    const page = await browser.get('/account/sessions').expect(200);
    expect(page.text).toContain('他の端末からログアウト');
    expect(page.text).toContain('この端末');
    const done = await browser
      .post('/account/sessions/logout-others')
      .type('form')
      .send({ _csrf: formToken(page.text) })
      .expect(200);
    expect(done.text).toContain('他の端末のログイン1件を終了しました');
    await other.get('/api/auth/me').expect(401);
    await browser.get('/account').expect(200);
  });

  it('ends every session of an account the admin stops; it cannot log in until restarted', async () => {
    const user = await createUser(stack.app, 'secretariat', { networkId: 'rurume' });
    const first = await stack.login(user.email);
    const second = await stack.login(user.email);
    const adminUser = await createUser(stack.app, 'admin');
    const admin = await stack.login(adminUser.email);

    await admin.post(`/api/users/${user.id}/lock`).expect(204);
    await first.get('/api/auth/me').expect(401);
    await second.get('/api/auth/me').expect(401);
    const refused = await stack.http.post('/api/auth/login').send({ email: user.email, password: TEST_PASSWORD }).expect(403);
    expect(refused.body).toMatchObject({ code: 'ACCOUNT_DISABLED', message: expect.stringContaining('利用停止中') });
    // Without the password nothing tells that the account exists, or is stopped.
    const wrong = await stack.http.post('/api/auth/login').send({ email: user.email, password: 'wrong-pass-1' }).expect(401);
    const unknown = await stack.http.post('/api/auth/login').send({ email: 'nobody@example.jp', password: 'wrong-pass-1' }).expect(401);
    expect(wrong.body).toEqual(unknown.body);
    // A session made just before the stop dies too (the check is on every request).
    await db.query(`UPDATE app_user SET disabled_at = NULL WHERE id = $1`, [user.id]);
    const racing = await stack.login(user.email);
    await db.query(`UPDATE app_user SET disabled_at = now() WHERE id = $1`, [user.id]);
    await racing.get('/api/auth/me').expect(401);

    await admin.post(`/api/users/${user.id}/unlock`).expect(204);
    await stack.login(user.email);
    await admin.post(`/api/users/${adminUser.id}/lock`).expect(409);
    const actions = await db.query(`SELECT action, detail FROM audit_event WHERE target_id = $1 AND action LIKE 'user_%' ORDER BY id`, [
      user.id,
    ]);
    expect(actions).toEqual([
      { action: 'user_disabled', detail: { email: user.email, endedSessions: 2 } },
      { action: 'user_enabled', detail: { email: user.email, endedSessions: 0 } },
    ]);
  });
});
