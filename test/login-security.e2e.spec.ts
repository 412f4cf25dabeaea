import { randomInt } from 'node:crypto';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { LoginFailures } from '../src/accounts/login-failures';
import { createUser } from './support/factories';
import { TEST_PASSWORD, TestStack, formToken, startStack } from './support/test-app';

/** A documentation address (RFC 5737) of its own for each client, forwarded by the trusted proxy (127.0.0.1). */
let clients = 0;
function address(): string {
  clients += 1;
  return `${clients % 2 ? '198.51.100' : '203.0.113'}.${Math.ceil(clients / 2)}`;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

describe('lock-out that cannot be used against the user', () => {
  let stack: TestStack;
  let db: DataSource;
  beforeAll(async () => {
    // bcrypt at the service's own work factor: the timing test below compares its cost (the run's default is 4).
    stack = await startStack({ TRUST_PROXY: '127.0.0.1', PASSWORD_HASH_COST: '10' }, { worker: false });
    db = stack.app.get(DataSource);
  });
  afterAll(async () => {
    await stack?.close();
  });

  const attempt = (email: string, password: string, from: string) =>
    stack.http.post('/api/auth/login').set('X-Forwarded-For', from).send({ email, password });
  const audit = (action: string, email: string) =>
    db.query(`SELECT ip, detail FROM audit_event WHERE action = $1 AND user_email = $2 ORDER BY id`, [action, email]);

  it('answers a wrong password, an unknown e-mail and a slowed-down account alike; the owner logs in from elsewhere', async () => {
    const user = await createUser(stack.app, 'admin');
    const attacker = address();
    const unknown = await attempt('nobody-here@example.jp', 'wrong-pass-1', attacker);
    const wrong = await attempt(user.email, 'wrong-pass-1', attacker);
    expect([unknown.status, wrong.status]).toEqual([401, 401]);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body).toEqual({
      code: 'LOGIN_FAILED',
      message: expect.stringContaining('メールアドレスまたはパスワードが正しくありません'),
    });
    for (let i = 0; i < 4; i++) expect((await attempt(user.email, `wrong-${i}-pass`, attacker)).status).toBe(401);

    // Five failures from this address: now even the right password from it is answered as a failure…
    const slowed = await attempt(user.email, TEST_PASSWORD, attacker);
    expect(slowed.status).toBe(401);
    expect(slowed.body).toEqual(unknown.body);
    expect(slowed.headers['set-cookie']).toBeUndefined();
    // …while the owner, anywhere else, logs in with it at once.
    const owner = await attempt(user.email, TEST_PASSWORD, address());
    expect(owner.status).toBe(200);
    expect(owner.body.token).toEqual(expect.any(String));
    // An unknown e-mail slowed down looks the same too.
    for (let i = 0; i < 4; i++) await attempt('nobody-here@example.jp', `wrong-${i}-pass`, attacker);
    expect((await attempt('nobody-here@example.jp', 'wrong-pass-1', attacker)).body).toEqual(unknown.body);

    expect(await audit('login_failed', user.email)).toHaveLength(5);
    expect(await audit('login_throttled', user.email)).toEqual([{ ip: attacker, detail: { waitSeconds: 1 } }]);
    expect(await audit('login_throttled', 'nobody-here@example.jp')).toHaveLength(1);
    expect(await audit('login', user.email)).toHaveLength(1);
  });

  it('slows down with a growing delay instead of locking: after the wait, the right password works from the same address', async () => {
    const user = await createUser(stack.app, 'admin');
    const from = address();
    for (let i = 0; i < 5; i++) await attempt(user.email, `wrong-${i}-pass`, from).expect(401);
    await attempt(user.email, TEST_PASSWORD, from).expect(401);
    await new Promise((r) => setTimeout(r, 1100));
    await attempt(user.email, 'wrong-5-pass', from).expect(401); // the sixth failure: the next wait is 2 s
    await attempt(user.email, TEST_PASSWORD, from).expect(401);
    expect((await audit('login_throttled', user.email)).map((r: { detail: { waitSeconds: number } }) => r.detail.waitSeconds)).toEqual([
      1, 2,
    ]);
    await new Promise((r) => setTimeout(r, 2100));
    await attempt(user.email, TEST_PASSWORD, from).expect(200);
    // Success forgets the failures: a typo afterwards is just a typo.
    await attempt(user.email, 'wrong-9-pass', from).expect(401);
    await attempt(user.email, TEST_PASSWORD, from).expect(200);
  });

  it('takes about as long for an unknown e-mail and a slowed-down account as for a wrong password (bcrypt every time)', async () => {
    const user = await createUser(stack.app, 'admin');
    const slowedFrom = address();
    // As after a long run of failures from this address: the next attempt has minutes to wait.
    const scope = stack.app.get(LoginFailures).passwordScope(user.email, slowedFrom);
    await db.query(`INSERT INTO login_failure (scope, count, first_at, last_at) VALUES ($1, 12, now(), now())`, [scope]);
    // The CPU this process (the API runs in it) spends on the attempt, not the wall time: bcrypt is CPU work,
    // and wall time on a loaded machine varies more than the difference this test looks for.
    const time = async (send: () => Promise<unknown>) => {
      const start = process.cpuUsage();
      await send();
      const used = process.cpuUsage(start);
      return (used.user + used.system) / 1000;
    };
    const wrong: number[] = [];
    const unknown: number[] = [];
    const slowed: number[] = [];
    for (let i = 0; i < 5; i++) {
      // Each from a fresh address, so that neither is slowed down itself.
      wrong.push(await time(() => attempt(user.email, `wrong-${i}-x`, address()).expect(401)));
      unknown.push(await time(() => attempt(`nobody-${i}@example.jp`, 'wrong-pass-1', address()).expect(401)));
      slowed.push(await time(() => attempt(user.email, TEST_PASSWORD, slowedFrom).expect(401)));
    }
    const [w, u, s] = [median(wrong), median(unknown), median(slowed)];
    // The attack run measured 90 ms against 4 ms; a bcrypt of cost 10 is tens of milliseconds here.
    expect(Math.min(w, u, s)).toBeGreaterThan(20);
    expect(Math.min(u, s) / w).toBeGreaterThan(0.6);
    expect(Math.max(u, s) / w).toBeLessThan(1.6);
  });

  it('answers the log-in page the same way for all three', async () => {
    const user = await createUser(stack.app, 'admin');
    const from = address();
    const browser = request.agent(stack.app.getHttpServer());
    const _csrf = formToken((await browser.get('/login').set('X-Forwarded-For', from).expect(200)).text);
    const post = (email: string, password: string) =>
      browser.post('/login').set('X-Forwarded-For', from).type('form').send({ email, password, _csrf });
    const pages: string[] = [];
    pages.push((await post('nobody@example.jp', 'wrong-pass-1').expect(401)).text.replace('nobody@example.jp', 'EMAIL'));
    for (let i = 0; i < 5; i++) pages.push((await post(user.email, `wrong-${i}-pass`).expect(401)).text.replace(user.email, 'EMAIL'));
    pages.push((await post(user.email, TEST_PASSWORD).expect(401)).text.replace(user.email, 'EMAIL'));
    expect(new Set(pages).size).toBe(1);
    expect(pages[0]).toContain('メールアドレスまたはパスワードが正しくありません');
  });
});

/** Logs in from a socket bound to this loopback address (127.0.0.0/8 is all this machine): a client of its own. */
function postFrom(base: string, localAddress: string, path: string, body: object, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
    const data = JSON.stringify(body);
    const url = new URL(path, base);
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString() || '{}') }));
      },
    );
    req.on('error', reject);
    req.setHeader('Content-Type', 'application/json');
    for (const [name, value] of Object.entries(headers)) req.setHeader(name, value);
    req.end(data);
  });
}

describe('throttling shared by every API process', () => {
  const LIMITS = { THROTTLE_LOGIN_PER_MINUTE: '6', THROTTLE_PER_MINUTE: '1000' };
  let first: TestStack;
  let second: TestStack;
  beforeAll(async () => {
    first = await startStack({ ...LIMITS, TRUST_PROXY: '127.0.0.1' }, { worker: false });
    second = await startStack({ ...LIMITS, TRUST_PROXY: '127.0.0.1' }, { worker: false });
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
  });

  const apiLogin = (stack: TestStack, from: string) =>
    stack.http.post('/api/auth/login').set('X-Forwarded-For', from).send({ email: 'guess@example.jp', password: 'guess-pass-1' });

  it('counts both log-in routes on both processes in one allowance per address, and survives a restart', async () => {
    const from = address();
    const browser = request.agent(first.app.getHttpServer());
    const _csrf = formToken((await browser.get('/login').set('X-Forwarded-For', from).expect(200)).text);
    for (let i = 0; i < 2; i++)
      await browser
        .post('/login')
        .set('X-Forwarded-For', from)
        .type('form')
        .send({ email: 'guess@example.jp', password: 'x1', _csrf })
        .expect(401);
    for (let i = 0; i < 2; i++) await apiLogin(first, from).expect(401);
    for (let i = 0; i < 2; i++) await apiLogin(second, from).expect(401);
    const refused = await apiLogin(second, from).expect(429);
    expect(refused.body).toMatchObject({ code: 'TOO_MANY_REQUESTS', message: expect.stringContaining('待ってから') });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    const page = await browser
      .post('/login')
      .set('X-Forwarded-For', from)
      .type('form')
      .send({ email: 'a@example.jp', password: 'x1', _csrf });
    expect(page.status).toBe(429);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('アクセスが集中しています');

    // Another address is not affected; a restarted process still remembers.
    await apiLogin(second, address()).expect(401);
    await first.close();
    first = await startStack({ ...LIMITS, TRUST_PROXY: '127.0.0.1' }, { worker: false });
    await apiLogin(first, from).expect(429);
  });

  it('counts requests that arrive at the same moment each once, per address, on both processes', async () => {
    const [crowd, other] = [address(), address()];
    // Each for an account of its own: an account's own slowing-down after failures is not what is counted here.
    const guess = (stack: TestStack, from: string, n: number) =>
      stack.http
        .post('/api/auth/login')
        .set('X-Forwarded-For', from)
        .send({ email: `crowd-${n}@example.jp`, password: 'guess-pass-1' });
    const answers = await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => guess(i % 2 ? first : second, crowd, i)),
      ...Array.from({ length: 3 }, (_, i) => guess(first, other, 10 + i)),
    ]);
    const statuses = (from: number, to: number) => answers.slice(from, to).map((answer) => answer.status);
    expect(statuses(0, 10).filter((status) => status === 401)).toHaveLength(6);
    expect(statuses(0, 10).filter((status) => status === 429)).toHaveLength(4);
    expect(statuses(10, 13)).toEqual([401, 401, 401]);
  });

  it('is as tight on the second factor and on a signing link’s 暗証番号', async () => {
    const from = address();
    for (let i = 0; i < 6; i++)
      await first.http
        .post('/api/auth/login/mfa')
        .set('X-Forwarded-For', from)
        .send({ mfaToken: 'x'.repeat(43), code: '123456' })
        .expect(401);
    await second.http.post('/api/auth/login/mfa/passkey/options').set('X-Forwarded-For', from).send({ mfaToken: 'x' }).expect(429);

    const family = request.agent(first.app.getHttpServer());
    const link = '/sign/this-is-not-a-real-link-token-000000';
    const _csrf = formToken((await family.get(link).set('X-Forwarded-For', from).expect(404)).text);
    for (let i = 0; i < 6; i++)
      await family.post(`${link}/pin`).set('X-Forwarded-For', from).type('form').send({ code: '1234', _csrf }).expect(404);
    await family.post(`${link}/pin`).set('X-Forwarded-For', from).type('form').send({ code: '1234', _csrf }).expect(429);
    // Log-in has its own count: the same address may still log in.
    await apiLogin(first, from).expect(401);
  });
});

describe('the client address is the socket’s unless TRUST_PROXY names the proxy', () => {
  let stack: TestStack;
  let base: string;
  beforeAll(async () => {
    stack = await startStack({ THROTTLE_LOGIN_PER_MINUTE: '6' }, { worker: false });
    await stack.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(stack.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('ignores X-Forwarded-For from a client that is not a named proxy: a new header is not a new allowance', async () => {
    const socket = `127.${randomInt(1, 250)}.${randomInt(1, 250)}.${randomInt(2, 250)}`;
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const answer = await postFrom(
        base,
        socket,
        '/api/auth/login',
        { email: 'xff@example.jp', password: 'guess-pass-1' },
        { 'X-Forwarded-For': `192.0.2.${i + 1}` },
      );
      statuses.push(answer.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 429]);
    const rows = await stack.app.get(DataSource).query(`SELECT DISTINCT ip FROM audit_event WHERE user_email = 'xff@example.jp'`);
    expect(rows).toEqual([{ ip: socket }]);
    // Another socket address is another client.
    expect(
      (
        await postFrom(base, `127.${randomInt(1, 250)}.${randomInt(1, 250)}.1`, '/api/auth/login', {
          email: 'xff@example.jp',
          password: 'x1',
        })
      ).status,
    ).toBe(401);
  });
});
