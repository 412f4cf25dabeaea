import http from 'node:http';
import { AddressInfo } from 'node:net';
import { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { launchBrowser, listen } from './support/browser';
import { createOfficeWithManager, createUser } from './support/factories';
import { Agent, TEST_PASSWORD, TestStack, formToken, startStack, withCsrfHeader } from './support/test-app';

describe('CSRF over HTTP: tokens on every form, the header on cookie-authenticated API calls', () => {
  let stack: TestStack;
  let db: DataSource;
  let manager: { id: string; email: string };
  beforeAll(async () => {
    stack = await startStack({}, { worker: false });
    db = stack.app.get(DataSource);
    manager = (await createOfficeWithManager(stack.app, 'rurume')).manager;
  });
  afterAll(async () => {
    await stack?.close();
  });

  const staffNamed = async (name: string) => (await db.query(`SELECT 1 FROM staff_member WHERE name = $1`, [name])).length;

  /** A browser that logged in through the log-in page: the session cookie, and the pages' tokens. */
  async function pageSession(email: string): Promise<Agent> {
    const agent = request.agent(stack.app.getHttpServer());
    const _csrf = formToken((await agent.get('/login').expect(200)).text);
    await agent.post('/login').type('form').send({ email, password: TEST_PASSWORD, _csrf }).expect(303);
    return agent;
  }

  it('refuses a web form without this session’s token, with a Japanese page; the page’s own token works', async () => {
    const agent = await pageSession(manager.email);
    const other = await stack.login(manager.email);
    const missing = await agent.post('/account/sessions/logout-others').type('form').send({}).expect(403);
    expect(missing.headers['content-type']).toMatch(/text\/html/);
    expect(missing.text).toContain('このページの有効期限が切れました');
    await agent
      .post('/account/sessions/logout-others')
      .type('form')
      .send({ _csrf: 'x'.repeat(43) })
      .expect(403);
    // Another session's token is not this one's (tokens are bound to the session).
    const foreign = formToken((await (await pageSession(manager.email)).get('/account/sessions').expect(200)).text);
    await agent.post('/account/sessions/logout-others').type('form').send({ _csrf: foreign }).expect(403);
    await other.get('/api/auth/me').expect(200); // nothing happened

    const page = await agent.get('/account/sessions').expect(200);
    expect(page.text.match(/name="_csrf"/g)!.length).toBeGreaterThanOrEqual(2); // log-out in the header, and this page's forms
    expect(page.text).toContain('<meta name="csrf-token"');
    await agent
      .post('/account/sessions/logout-others')
      .type('form')
      .send({ _csrf: formToken(page.text) })
      .expect(200);
    await other.get('/api/auth/me').expect(401);
  });

  it('puts a token into every posted form of a page, and a multipart upload checks it too', async () => {
    const agent = await pageSession(manager.email);
    const page = (await agent.get('/office/batches/new').expect(200)).text;
    const forms = page.match(/<form\b[^>]*method="post"[^>]*>/gi)!;
    const tokens = page.match(/<form\b[^>]*method="post"[^>]*><input type="hidden" name="_csrf" value="[^"]+">/gi)!;
    expect(tokens.length).toBe(forms.length);
    const csv = Buffer.from('氏名,メールアドレス\r\n検査 一郎,ichiro@example.jp\r\n');
    await agent.post('/office/batches/preview').attach('file', csv, 'staff.csv').expect(403);
    await agent.post('/office/batches/preview').field('_csrf', formToken(page)).attach('file', csv, 'staff.csv').expect(200);
  });

  it('needs the token for a log-in from the page (no log-in CSRF), and gives anonymous visitors their own', async () => {
    const victim = request.agent(stack.app.getHttpServer());
    const refused = await victim.post('/login').type('form').send({ email: manager.email, password: TEST_PASSWORD }).expect(403);
    expect(refused.headers['set-cookie'] ?? []).not.toEqual(expect.arrayContaining([expect.stringMatching(/^renkei_session=/)]));
    // The attacker's own page gives the attacker a token for the attacker's cookie, not the victim's.
    const attacker = request.agent(stack.app.getHttpServer());
    const attackersToken = formToken((await attacker.get('/login').expect(200)).text);
    await victim.get('/login').expect(200);
    await victim.post('/login').type('form').send({ email: manager.email, password: TEST_PASSWORD, _csrf: attackersToken }).expect(403);
    await victim.get('/api/auth/me').expect(401);
  });

  it('refuses a cookie-authenticated API change without X-CSRF-Token; Bearer calls need none', async () => {
    const agent = request.agent(stack.app.getHttpServer());
    const { body } = await agent.post('/api/auth/login').send({ email: manager.email, password: TEST_PASSWORD }).expect(200);
    const refused = await agent.post('/api/staff').send({ name: '偽造 一郎' }).expect(403);
    expect(refused.body).toEqual({ code: 'CSRF_REJECTED', message: expect.stringContaining('X-CSRF-Token') });
    await agent.post('/api/staff').type('form').send({ name: '偽造 一郎' }).expect(403); // the attack run's form-encoded call
    expect(await staffNamed('偽造 一郎')).toBe(0);
    await agent.get('/api/staff').expect(200); // reading needs no token

    await stack.http.post('/api/staff').set('Authorization', `Bearer ${body.token}`).send({ name: 'ベアラー 二郎' }).expect(201);
    await (await withCsrfHeader(agent)).post('/api/staff').send({ name: 'クッキー 三郎' }).expect(201);
    expect(await staffNamed('ベアラー 二郎')).toBe(1);
    expect(await staffNamed('クッキー 三郎')).toBe(1);
  });

  it('refuses what a browser says comes from another origin, even with a valid token', async () => {
    const agent = await withCsrfHeader(await pageSession(manager.email));
    for (const headers of [
      { Origin: 'http://evil.example' },
      { Origin: 'http://127.0.0.1:1' }, // same host, another port
      { Origin: 'null', 'Sec-Fetch-Site': 'cross-site' }, // a sandboxed frame on another site
      { 'Sec-Fetch-Site': 'cross-site' },
      { 'Sec-Fetch-Site': 'same-site' }, // another port or subdomain: SameSite cookies go along
    ]) {
      const response = await agent.post('/api/staff').set(headers).send({ name: '越境 四郎' });
      expect([headers, response.status, response.body.message]).toEqual([headers, 403, 'ほかのサイトから送られた操作は受け付けません']);
    }
    // An anonymous API log-in from another site is refused too (it would set the victim's cookie).
    await stack.http
      .post('/api/auth/login')
      .set('Origin', 'http://evil.example')
      .send({ email: manager.email, password: TEST_PASSWORD })
      .expect(403);
    expect(await staffNamed('越境 四郎')).toBe(0);
    // Our own pages' posts: Chromium sends Origin "null" under the no-referrer policy, and says same-origin.
    await agent.post('/api/staff').set({ Origin: 'null', 'Sec-Fetch-Site': 'same-origin' }).send({ name: '同一 五郎' }).expect(201);
  });
});

describe('CSRF in a browser: a cross-site attacker and a page on another port of the same host', () => {
  let stack: TestStack;
  let browser: Browser;
  let baseUrl: string;
  let attackerServer: http.Server;
  let attackerPort: number;
  let db: DataSource;
  let manager: { email: string };
  let officeId: string;
  let intruder: { email: string };
  /** What the attacker's pages are: given per test, served on another port. */
  let attackPage = '';

  beforeAll(async () => {
    stack = await startStack({}, { worker: false });
    db = stack.app.get(DataSource);
    ({
      manager,
      office: { id: officeId },
    } = await createOfficeWithManager(stack.app, 'rurume'));
    intruder = await createUser(stack.app, 'admin');
    baseUrl = await listen(stack);
    attackerServer = http.createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(attackPage));
    await new Promise<void>((resolve) => attackerServer.listen(0, '127.0.0.1', resolve));
    attackerPort = (attackerServer.address() as AddressInfo).port;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => attackerServer?.close(r));
    await stack?.close();
  });

  // 127.0.0.1 on another port is the same site as the app (SameSite cookies go along); localhost is another site.
  const attackers = () => [
    { name: 'same site, other port', url: `http://127.0.0.1:${attackerPort}/` },
    { name: 'cross-site', url: `http://localhost:${attackerPort}/` },
  ];

  async function victim(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ locale: 'ja-JP' });
    const page = await context.newPage();
    await page.goto(`${baseUrl}/login`);
    await page.getByLabel('メールアドレス').fill(manager.email);
    await page.getByLabel('パスワード').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'ログイン' }).click();
    await page.waitForURL(`${baseUrl}/office`);
    return { context, page };
  }

  /** The attacker's page: forms that post themselves to the app, and a no-cors fetch with the victim's cookies. */
  function formsAgainst(app: string): string {
    return `<!doctype html><html><body>
      <iframe name="a"></iframe><iframe name="b"></iframe><iframe name="c"></iframe>
      <form id="f1" method="post" action="${app}/account/sessions/logout-others" target="a"></form>
      <form id="f2" method="post" action="${app}/api/staff" target="b"><input name="name" value="攻撃 太郎"></form>
      <form id="f3" method="post" action="${app}/login" target="c">
        <input name="email" value="${intruder.email}"><input name="password" value="${TEST_PASSWORD}"></form>
      <script>
        let loaded = 0;
        for (const frame of document.querySelectorAll('iframe')) frame.addEventListener('load', () => { if (++loaded === 3) done(); });
        let fetched = false;
        function done() { if (fetched) document.title = 'done'; else setTimeout(done, 50); }
        fetch('${app}/api/auth/sessions/logout-others', { method: 'POST', mode: 'no-cors', credentials: 'include',
          headers: { 'Content-Type': 'text/plain' }, body: 'x' }).catch(() => {}).finally(() => { fetched = true; });
        document.getElementById('f1').submit(); document.getElementById('f2').submit(); document.getElementById('f3').submit();
      </script></body></html>`;
  }

  it('changes nothing from either attacker: no session ended, no staff added, no log-in as the attacker', async () => {
    for (const attacker of attackers()) {
      const { context, page } = await victim();
      const elsewhere = await stack.login(manager.email); // the victim's other device
      attackPage = formsAgainst(baseUrl);
      const attack = await context.newPage();
      await attack.goto(attacker.url);
      await attack.waitForFunction(() => document.title === 'done', undefined, { timeout: 15_000 });

      expect([attacker.name, (await elsewhere.get('/api/auth/me')).status]).toEqual([attacker.name, 200]);
      expect([
        attacker.name,
        (await db.query(`SELECT 1 FROM staff_member WHERE name = '攻撃 太郎' AND office_id = $1`, [officeId])).length,
      ]).toEqual([attacker.name, 0]);
      const me = await page.request.get(`${baseUrl}/api/auth/me`);
      expect([attacker.name, (await me.json()).email]).toEqual([attacker.name, manager.email]);
      await context.close();
    }
  });

  it('does not log a visitor without a session in as the attacker (log-in CSRF)', async () => {
    for (const attacker of attackers()) {
      const context = await browser.newContext({ locale: 'ja-JP' });
      const page = await context.newPage();
      await page.goto(`${baseUrl}/login`); // the visitor has been here: a CSRF cookie of their own
      attackPage = formsAgainst(baseUrl);
      await page.goto(attacker.url);
      await page.waitForFunction(() => document.title === 'done', undefined, { timeout: 15_000 });
      const me = await page.request.get(`${baseUrl}/api/auth/me`);
      expect([attacker.name, me.status()]).toEqual([attacker.name, 401]);
      expect((await context.cookies(baseUrl)).map((c) => c.name)).not.toContain('renkei_session');
      await context.close();
    }
  });
});
