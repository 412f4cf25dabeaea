import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { totpCode } from '../src/accounts/totp';
import { createOfficeWithManager, createUser } from './support/factories';
import { TestRedis, startRedisServer } from './support/redis-server';
import { TestSmtp, linkIn, startSmtp } from './support/smtp';
import { Agent, TEST_PASSWORD, TestStack, formToken, startStack, withCsrfHeader } from './support/test-app';

/**
 * Issue 21, points 1, 4 and 5, attacked over HTTP: a stolen session cannot change the second factor; log-in,
 * the second step and a 暗証番号 still answer while Redis is down; one account guessed from many addresses
 * is slowed down for every browser but its owner's.
 */

/** A documentation address (RFC 5737) of its own for each client, forwarded by the trusted proxy (127.0.0.1). */
let clients = 0;
function address(): string {
  clients += 1;
  return `192.0.2.${clients % 250}`;
}

// ---- A software passkey: a P-256 key and the CBOR of a `none` attestation, as a browser would send it. ----

function cborHead(major: number, length: number): Buffer {
  if (length < 24) return Buffer.from([(major << 5) | length]);
  if (length < 256) return Buffer.from([(major << 5) | 24, length]);
  const head = Buffer.alloc(3);
  head[0] = (major << 5) | 25;
  head.writeUInt16BE(length, 1);
  return head;
}

function cbor(value: unknown): Buffer {
  if (typeof value === 'number') return value >= 0 ? cborHead(0, value) : cborHead(1, -1 - value);
  if (typeof value === 'string') return Buffer.concat([cborHead(3, Buffer.byteLength(value)), Buffer.from(value)]);
  if (Buffer.isBuffer(value)) return Buffer.concat([cborHead(2, value.length), value]);
  if (value instanceof Map) return Buffer.concat([cborHead(5, value.size), ...[...value].flatMap(([k, v]) => [cbor(k), cbor(v)])]);
  throw new Error(`cannot encode ${String(value)}`);
}

/** The registration answer of a new passkey for these creation options, at this origin. */
function newPasskey(options: { challenge: string; rp: { id: string } }, origin: string) {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const coseKey = new Map<number, unknown>([
    [1, 2],
    [3, -7],
    [-1, 1],
    [-2, Buffer.from(jwk.x!, 'base64url')],
    [-3, Buffer.from(jwk.y!, 'base64url')],
  ]);
  const credentialId = randomBytes(16);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(credentialId.length);
  const authData = Buffer.concat([
    createHash('sha256').update(options.rp.id).digest(),
    Buffer.from([0x45]), // user present, user verified, attested credential data
    Buffer.alloc(4),
    Buffer.alloc(16), // aaguid
    length,
    credentialId,
    cbor(coseKey),
  ]);
  const attestationObject = cbor(
    new Map<string, unknown>([
      ['fmt', 'none'],
      ['attStmt', new Map()],
      ['authData', authData],
    ]),
  );
  const clientData = Buffer.from(JSON.stringify({ type: 'webauthn.create', challenge: options.challenge, origin, crossOrigin: false }));
  const id = credentialId.toString('base64url');
  return {
    id,
    rawId: id,
    type: 'public-key',
    clientExtensionResults: {},
    response: {
      clientDataJSON: clientData.toString('base64url'),
      attestationObject: attestationObject.toString('base64url'),
      transports: ['internal'],
    },
  };
}

describe('a stolen session cannot take over the second factor (re-authentication)', () => {
  let smtp: TestSmtp;
  let stack: TestStack;
  let db: DataSource;
  beforeAll(async () => {
    smtp = await startSmtp();
    stack = await startStack({ SMTP_URL: smtp.url, TRUST_PROXY: '127.0.0.1' });
    db = stack.app.get(DataSource);
  });
  afterAll(async () => {
    await stack?.close();
    await smtp?.close();
  });

  const HOST = 'renkei.example.jp';
  const changeMail = (email: string, change: string) =>
    smtp.waitFor((m) => m.to === email && m.subject.includes('2段階認証の設定が変更されました') && m.text.includes(change));

  it('refuses every factor change without the password (403 REAUTH_REQUIRED), allows it with, and mails the owner each time', async () => {
    const user = await createUser(stack.app, 'office_staff', { officeId: (await createOfficeWithManager(stack.app, 'rurume')).office.id });
    // What a thief holds: the session cookie and its CSRF token — not the password.
    const stolen = await stack.login(user.email);
    stolen.set('Host', HOST);
    const refused = (response: request.Response) => {
      expect(response.status).toBe(403);
      expect(response.body).toMatchObject({ code: 'REAUTH_REQUIRED', message: expect.stringContaining('パスワード') });
    };
    const status = async () => (await stolen.get('/api/auth/mfa').expect(200)).body;

    // The authenticator app: neither set-up nor confirmation without the password, nor with a wrong one.
    refused(await stolen.post('/api/auth/mfa/totp/setup').send({}));
    refused(await stolen.post('/api/auth/mfa/totp/setup').send({ password: 'wrong-pass-1' }));
    const { body: setup } = await stolen.post('/api/auth/mfa/totp/setup').send({ password: TEST_PASSWORD }).expect(200);
    refused(await stolen.post('/api/auth/mfa/totp/confirm').send({ code: totpCode(setup.secret) }));
    refused(await stolen.post('/api/auth/mfa/totp/confirm').send({ code: totpCode(setup.secret), password: 'wrong-pass-2' }));
    expect(await status()).toMatchObject({ enabled: false, totp: false });
    const { body: confirmed } = await stolen
      .post('/api/auth/mfa/totp/confirm')
      .send({ code: totpCode(setup.secret), password: TEST_PASSWORD })
      .expect(200);
    expect(await status()).toMatchObject({ enabled: true, totp: true, recoveryCodesLeft: 10 });
    const enrolled = await changeMail(user.email, '認証アプリを設定しました');
    expect(enrolled.text).toContain(user.email);
    expect(enrolled.text).toMatch(/日時: \d{4}/);
    // No secret in the mail: neither the app's key nor a recovery code.
    expect(enrolled.text).not.toContain(setup.secret);
    expect(enrolled.text).not.toContain(confirmed.recoveryCodes[0]);

    // New recovery codes.
    refused(await stolen.post('/api/auth/mfa/recovery-codes'));
    refused(await stolen.post('/api/auth/mfa/recovery-codes').send({ password: 'wrong-pass-3' }));
    const { body: codes } = await stolen.post('/api/auth/mfa/recovery-codes').send({ password: TEST_PASSWORD }).expect(200);
    expect(codes.recoveryCodes).toHaveLength(10);
    const issued = await changeMail(user.email, '回復コードを新しく発行しました');
    expect(issued.text).not.toContain(codes.recoveryCodes[0]);

    // A passkey: added and removed only with the password.
    const options = (await stolen.post('/api/auth/mfa/passkeys/options').expect(200)).body;
    const passkey = newPasskey(options, `http://${HOST}`);
    refused(await stolen.post('/api/auth/mfa/passkeys').send({ response: passkey, name: '盗んだ端末' }));
    refused(await stolen.post('/api/auth/mfa/passkeys').send({ response: passkey, name: '盗んだ端末', password: 'wrong-pass-4' }));
    expect((await status()).passkeys).toEqual([]);
    const options2 = (await stolen.post('/api/auth/mfa/passkeys/options').expect(200)).body;
    const added = await stolen
      .post('/api/auth/mfa/passkeys')
      .send({ response: newPasskey(options2, `http://${HOST}`), name: '事務所のパソコン', password: TEST_PASSWORD })
      .expect(201);
    expect(added.body.passkey).toMatchObject({ name: '事務所のパソコン' });
    await changeMail(user.email, 'パスキーを登録しました');
    refused(await stolen.delete(`/api/auth/mfa/passkeys/${added.body.passkey.id}`));
    refused(await stolen.delete(`/api/auth/mfa/passkeys/${added.body.passkey.id}`).send({ password: 'wrong-pass-5' }));
    expect((await status()).passkeys).toHaveLength(1);
    await stolen.delete(`/api/auth/mfa/passkeys/${added.body.passkey.id}`).send({ password: TEST_PASSWORD }).expect(204);
    expect((await status()).passkeys).toEqual([]);
    await changeMail(user.email, 'パスキーを削除しました');

    // Removing the app.
    refused(await stolen.delete('/api/auth/mfa/totp'));
    refused(await stolen.delete('/api/auth/mfa/totp').send({ password: 'wrong-pass-6' }));
    expect(await status()).toMatchObject({ totp: true });
    await stolen.delete('/api/auth/mfa/totp').send({ password: TEST_PASSWORD }).expect(204);
    expect(await status()).toMatchObject({ enabled: false, totp: false });
    await changeMail(user.email, '認証アプリの設定を解除しました');

    // One mail per change, to the owner only; every refusal audit-logged.
    const mails = smtp.messages.filter((m) => m.subject.includes('2段階認証の設定が変更されました') && m.to === user.email);
    expect(mails).toHaveLength(5);
    const [{ count: refusals }] = await db.query(
      `SELECT count(*)::int AS count FROM audit_event WHERE action = 'reauth_failed' AND user_email = $1`,
      [user.email],
    );
    expect(refusals).toBe(12);
  });

  it('counts a wrong password like a failed log-in: the same address is then slowed at log-in too', async () => {
    const user = await createUser(stack.app, 'admin');
    const stolen = await stack.login(user.email);
    const thief = address();
    for (let i = 0; i < 5; i++)
      await stolen
        .post('/api/auth/mfa/recovery-codes')
        .set('X-Forwarded-For', thief)
        .send({ password: `guess-${i}-pass` })
        .expect(403);
    // The five went onto the log-in's own count for this account from the thief's address…
    const scope = (await db.query(`SELECT scope, count FROM login_failure WHERE scope LIKE $1 AND scope LIKE $2`, [
      'pw:%',
      `%:${thief}`,
    ])) as Array<{
      scope: string;
      count: number;
    }>;
    expect(scope).toHaveLength(1);
    expect(scope[0].count).toBe(5);
    // …so, with a few more of them on it (a delay longer than this machine's slowest request), even the right
    // password is refused from that address, here and at log-in.
    await db.query(`UPDATE login_failure SET count = 10, last_at = now() WHERE scope = $1`, [scope[0].scope]);
    const again = await stolen.post('/api/auth/mfa/totp/setup').set('X-Forwarded-For', thief).send({ password: TEST_PASSWORD });
    expect(again.status).toBe(403);
    expect(again.body.code).toBe('REAUTH_REQUIRED');
    const login = await stack.http
      .post('/api/auth/login')
      .set('X-Forwarded-For', thief)
      .send({ email: user.email, password: TEST_PASSWORD });
    expect(login.status).toBe(401);
    expect(login.body.code).toBe('LOGIN_FAILED');
    // …while the owner elsewhere is not affected.
    await stack.http
      .post('/api/auth/login')
      .set('X-Forwarded-For', address())
      .send({ email: user.email, password: TEST_PASSWORD })
      .expect(200);
  });

  it('asks for the password on the web pages, and shows the form again with the message beside the field', async () => {
    const user = await createUser(stack.app, 'admin');
    const browser = request.agent(stack.app.getHttpServer());
    let _csrf = formToken((await browser.get('/login').expect(200)).text);
    await browser.post('/login').type('form').send({ email: user.email, password: TEST_PASSWORD, _csrf }).expect(303);
    const page = (await browser.get('/account/mfa').expect(200)).text;
    expect(page).toContain('id="password-totp-setup"');
    _csrf = formToken(page);

    const blank = await browser.post('/account/mfa/totp/setup').type('form').send({ _csrf, password: '' }).expect(403);
    expect(blank.headers['content-type']).toMatch(/text\/html/);
    expect(blank.text).toMatch(/<p class="field-error" id="password-totp-setup-error">確認のため、現在のパスワードを入力してください<\/p>/);
    const wrong = await browser.post('/account/mfa/totp/setup').type('form').send({ _csrf, password: 'wrong-pass-1' }).expect(403);
    expect(wrong.text).toMatch(/id="password-totp-setup-error">パスワードが正しくありません/);
    const setup = await browser.post('/account/mfa/totp/setup').type('form').send({ _csrf, password: TEST_PASSWORD }).expect(200);
    const secret = /<span class="secret">([A-Z2-7 ]+)<\/span>/.exec(setup.text)![1].replace(/ /g, '');
    expect(setup.text).toContain('id="password-totp-confirm"');

    // The code alone does not confirm it.
    const noPassword = await browser
      .post('/account/mfa/totp/confirm')
      .type('form')
      .send({ _csrf, code: totpCode(secret) })
      .expect(403);
    expect(noPassword.text).toMatch(/id="password-totp-confirm-error">確認のため、現在のパスワードを入力してください/);
    await browser
      .post('/account/mfa/totp/confirm')
      .type('form')
      .send({ _csrf, code: totpCode(secret), password: TEST_PASSWORD })
      .expect(200);
    await changeMail(user.email, '認証アプリを設定しました');

    const codes = await browser.post('/account/mfa/recovery-codes').type('form').send({ _csrf }).expect(403);
    expect(codes.text).toMatch(/id="password-recovery-codes-error">確認のため、現在のパスワードを入力してください/);
    const removal = await browser.post('/account/mfa/totp/remove').type('form').send({ _csrf, password: 'nope-pass-1' }).expect(403);
    expect(removal.text).toMatch(/id="password-totp-remove-error">パスワードが正しくありません/);
    const [{ totp }] = await db.query(`SELECT count(*)::int AS totp FROM user_totp WHERE user_id = $1`, [user.id]);
    expect(totp).toBe(1);
  });
});

describe('log-in while Redis is down (private redis-server, stopped mid-test)', () => {
  let redis: TestRedis;
  let smtp: TestSmtp;
  let stack: TestStack;
  beforeAll(async () => {
    redis = await startRedisServer();
    smtp = await startSmtp();
    stack = await startStack({ REDIS_URL: redis.url, SMTP_URL: smtp.url, TRUST_PROXY: '127.0.0.1', THROTTLE_LOGIN_PER_MINUTE: '6' });
  });
  afterAll(async () => {
    // Back up, so that the worker's queues close cleanly (their reconnection backs off: slow on a loaded machine).
    await redis?.start().catch(() => undefined);
    await stack?.close();
    await smtp?.close();
    await redis?.stop();
  }, 180_000);

  const timed = async <T>(send: () => Promise<T>): Promise<[T, number]> => {
    const start = Date.now();
    const result = await send();
    return [result, Date.now() - start];
  };

  it('answers log-in 200/401 (never 500, without waiting on Redis), the second step and a 暗証番号; /health says degraded', async () => {
    // Prepared while Redis is up: a plain account, an account with an app, and a consent whose signer has a PIN.
    const { manager } = await createOfficeWithManager(stack.app, 'rurume');
    const plain = await createUser(stack.app, 'admin');
    const withApp = await createUser(stack.app, 'admin');
    const enrolling = await stack.login(withApp.email);
    const { body: setup } = await enrolling.post('/api/auth/mfa/totp/setup').send({ password: TEST_PASSWORD }).expect(200);
    await enrolling
      .post('/api/auth/mfa/totp/confirm')
      .send({ code: totpCode(setup.secret), password: TEST_PASSWORD })
      .expect(200);
    const office = await stack.login(manager.email);
    const patient = await office
      .post('/api/patients')
      .send({ name: '停止 ハル', family: [{ name: '停止 健太', relation: '長男', email: 'kenta+redis@example.jp' }] })
      .expect(201);
    const doc = await office.post('/api/documents').send({ form: 'patient-consent', subjectId: patient.body.id }).expect(201);
    await office.post(`/api/documents/${doc.body.id}/issue`).expect(201);
    await office
      .post(`/api/documents/${doc.body.id}/signing`)
      .send({
        signers: [
          { role: 'family1', name: '停止 健太', relation: '長男', method: 'email', email: 'kenta+redis@example.jp', accessCode: '4321' },
          { role: 'explainer', name: '説明 看護師', method: 'in_person' },
        ],
      })
      .expect(201);
    const link = linkIn(await smtp.waitFor((m) => m.to === 'kenta+redis@example.jp'), '/sign/');
    await stack.http.get('/health').expect(200);

    await redis.shutdownNoSave();

    const login = (email: string, password: string, from = address()) =>
      stack.http.post('/api/auth/login').set('X-Forwarded-For', from).send({ email, password });
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const [wrong, wrongMs] = await timed(() => login(plain.email, 'wrong-pass-1'));
      expect(wrong.status).toBe(401);
      expect(wrong.body.code).toBe('LOGIN_FAILED');
      const [right, rightMs] = await timed(() => login(plain.email, TEST_PASSWORD));
      expect(right.status).toBe(200);
      expect(right.body.token).toEqual(expect.any(String));
      times.push(wrongMs, rightMs);
    }
    // The attack run measured 1–4 s before its 500: now nothing waits on Redis's retries.
    expect(times.sort((a, b) => a - b)[Math.floor(times.length / 2)]).toBeLessThan(900);
    await stack.http
      .get('/api/auth/me')
      .set('Authorization', `Bearer ${(await login(plain.email, TEST_PASSWORD)).body.token}`)
      .expect(200);

    // The slow-down still holds (its counts are in PostgreSQL), and so does a per-address throttle (in memory).
    const attacker = address();
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await login('nobody-redis@example.jp', `wrong-${i}-pass`, attacker)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 429]);

    // The second step: the mfaToken lives in PostgreSQL.
    const first = await login(withApp.email, TEST_PASSWORD).expect(200);
    expect(first.body.mfaRequired).toBe(true);
    const wrongCode = await stack.http.post('/api/auth/login/mfa').send({ mfaToken: first.body.mfaToken, code: '000000' }).expect(401);
    expect(wrongCode.body).toMatchObject({ code: 'MFA_CODE_WRONG', triesLeft: 4 });
    const done = await stack.http
      .post('/api/auth/login/mfa')
      .send({ mfaToken: first.body.mfaToken, code: totpCode(setup.secret, Date.now() + 30_000) })
      .expect(200);
    expect(done.body.user.email).toBe(withApp.email);

    // The web log-in.
    const browser = request.agent(stack.app.getHttpServer());
    const _csrf = formToken((await browser.get('/login').expect(200)).text);
    const page = await browser.post('/login').type('form').send({ email: plain.email, password: 'wrong-pass-2', _csrf }).expect(401);
    expect(page.text).toContain('メールアドレスまたはパスワードが正しくありません');
    const web = await browser.post('/login').type('form').send({ email: plain.email, password: TEST_PASSWORD, _csrf }).expect(303);
    expect(web.headers.location).toBe('/admin/audit');

    // A signing link's 暗証番号: wrong, then right.
    const family = request.agent(stack.app.getHttpServer());
    const pinCsrf = formToken((await family.get(link).expect(200)).text);
    expect((await family.post(`${link}/pin`).type('form').send({ code: '0000', _csrf: pinCsrf }).expect(401)).text).toContain('あと4回');
    await family.post(`${link}/pin`).type('form').send({ code: '4321', _csrf: pinCsrf }).expect(303);

    // Enrolling a factor needs no Redis either (its pending secret is in PostgreSQL; the mail waits in the outbox).
    const late = await createUser(stack.app, 'admin');
    const agent = request.agent(stack.app.getHttpServer());
    await agent.post('/api/auth/login').set('X-Forwarded-For', address()).send({ email: late.email, password: TEST_PASSWORD }).expect(200);
    await withCsrfHeader(agent);
    const { body: lateSetup } = await agent.post('/api/auth/mfa/totp/setup').send({ password: TEST_PASSWORD }).expect(200);
    await agent
      .post('/api/auth/mfa/totp/confirm')
      .send({ code: totpCode(lateSetup.secret), password: TEST_PASSWORD })
      .expect(200);

    const health = await stack.http.get('/health').expect(503);
    expect(health.body).toMatchObject({ status: 'degraded', reasons: expect.arrayContaining(['redis_down']) });
  });
});

describe('one account guessed from many addresses: slowed for every browser but its owner’s (device cookies)', () => {
  let stack: TestStack;
  let db: DataSource;
  beforeAll(async () => {
    stack = await startStack({ TRUST_PROXY: '127.0.0.1' }, { worker: false });
    db = stack.app.get(DataSource);
  });
  afterAll(async () => {
    await stack?.close();
  });

  const login = (email: string, password: string, from: string, agent: Agent | null = null) =>
    (agent ?? stack.http).post('/api/auth/login').set('X-Forwarded-For', from).send({ email, password });

  /** The owner logs in on their browser (it keeps the device cookie), and out again (the session cookie goes). */
  async function ownerLogsIn(email: string, from: string, device: Agent): Promise<request.Response> {
    const answer = await login(email, TEST_PASSWORD, from, device).expect(200);
    await device
      .post('/api/auth/logout')
      .set('X-CSRF-Token', (await device.get('/api/auth/csrf').expect(200)).body.csrfToken)
      .expect(204);
    return answer;
  }

  /** 30 wrong passwords, each from an address of its own: the statuses, and the last answer. */
  async function guess(email: string): Promise<{ statuses: number[]; last: request.Response }> {
    const statuses: number[] = [];
    let last: request.Response | null = null;
    for (let i = 0; i < 30; i++) {
      last = await login(email, `guess-${i}-pass`, address());
      statuses.push(last.status);
    }
    return { statuses, last: last! };
  }

  it('answers 429 with Retry-After after 10 failures, whatever the address, while the owner’s device still logs in', async () => {
    const owner = await createUser(stack.app, 'admin');
    // The owner logged in on this browser before: it holds the account's device cookie.
    const device = request.agent(stack.app.getHttpServer());
    const home = address();
    const first = await ownerLogsIn(owner.email, home, device);
    expect(String(first.headers['set-cookie'])).toMatch(/renkei_device=[A-Za-z0-9_-]{43};.*HttpOnly/);

    const { statuses, last } = await guess(owner.email);
    expect(statuses).toEqual([...Array(10).fill(401), ...Array(20).fill(429)]);
    expect(last.body).toMatchObject({ code: 'TOO_MANY_REQUESTS', message: expect.stringContaining('いつもお使いの端末以外') });
    const retryAfter = Number(last.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(60);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect(last.body.retryAfterSeconds).toBe(retryAfter);

    // The right password from a browser without the cookie waits too (that is the point: it could be anyone)…
    const stranger = await login(owner.email, TEST_PASSWORD, address());
    expect(stranger.status).toBe(429);
    expect(stranger.headers['set-cookie']).toBeUndefined();
    // …but the owner's device logs in, from its usual address or another.
    await ownerLogsIn(owner.email, home, device);
    await ownerLogsIn(owner.email, address(), device);
    // A device cookie is bound to its account: it does not help with another account under attack.
    const other = await createUser(stack.app, 'admin');
    await guess(other.email);
    await login(other.email, TEST_PASSWORD, home, device).expect(429);
    // Only 10 of the 30 guesses were checked against the password.
    const [{ failed }] = await db.query(
      `SELECT count(*)::int AS failed FROM audit_event WHERE action = 'login_failed' AND user_email = $1`,
      [owner.email],
    );
    expect(failed).toBe(10);
  });

  it('treats an unknown e-mail address exactly the same (nothing tells whether the account exists)', async () => {
    const known = await createUser(stack.app, 'admin');
    const a = await guess(known.email);
    const b = await guess(`nobody-${Date.now()}@example.jp`);
    expect(b.statuses).toEqual(a.statuses);
    // The same answer, but for the seconds left, which differ by the time the second round took.
    const { retryAfterSeconds: _a, ...first } = a.last.body;
    const { retryAfterSeconds: _b, ...second } = b.last.body;
    expect(second).toEqual(first);
    expect(Math.abs(Number(b.last.headers['retry-after']) - Number(a.last.headers['retry-after']))).toBeLessThanOrEqual(5);
  });

  it('stops trusting a device cookie that keeps failing (a stolen cookie is no free pass)', async () => {
    const owner = await createUser(stack.app, 'admin');
    const device = request.agent(stack.app.getHttpServer());
    await ownerLogsIn(owner.email, address(), device);
    for (let i = 0; i < 10; i++) await login(owner.email, `wrong-${i}-pass`, address(), device).expect(401);
    // Its own ten are spent: it now counts with strangers, and the account's count had room for one more.
    await login(owner.email, 'wrong-10-pass', address(), device).expect(401);
    await guess(owner.email);
    await login(owner.email, TEST_PASSWORD, address(), device).expect(429);
  });

  it('shows the web log-in page again with a Japanese message and Retry-After; the owner’s browser logs in', async () => {
    const owner = await createUser(stack.app, 'admin');
    const mine = request.agent(stack.app.getHttpServer());
    const home = address();
    let _csrf = formToken((await mine.get('/login').set('X-Forwarded-For', home).expect(200)).text);
    await mine
      .post('/login')
      .set('X-Forwarded-For', home)
      .type('form')
      .send({ email: owner.email, password: TEST_PASSWORD, _csrf })
      .expect(303);
    await mine
      .post('/logout')
      .set('X-Forwarded-For', home)
      .type('form')
      .send({ _csrf: formToken((await mine.get('/account').expect(200)).text) });
    await guess(owner.email);

    const stranger = request.agent(stack.app.getHttpServer());
    const from = address();
    const strangerCsrf = formToken((await stranger.get('/login').set('X-Forwarded-For', from).expect(200)).text);
    const page = await stranger
      .post('/login')
      .set('X-Forwarded-For', from)
      .type('form')
      .send({ email: owner.email, password: TEST_PASSWORD, _csrf: strangerCsrf })
      .expect(429);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(Number(page.headers['retry-after'])).toBeGreaterThan(0);
    expect(page.text).toContain('いつもお使いの端末以外からのログインを一時的に止めています');
    expect(page.text).toContain('<form'); // the log-in form again, not an error page

    _csrf = formToken((await mine.get('/login').set('X-Forwarded-For', home).expect(200)).text);
    const back = await mine
      .post('/login')
      .set('X-Forwarded-For', home)
      .type('form')
      .send({ email: owner.email, password: TEST_PASSWORD, _csrf })
      .expect(303);
    expect(back.headers.location).toBe('/admin/audit');
    await withCsrfHeader(mine);
    await mine.get('/api/auth/me').expect(200);
  });
});
