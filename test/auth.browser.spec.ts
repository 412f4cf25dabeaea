import jsQR from 'jsqr';
import { Browser, BrowserContext, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { DataSource } from 'typeorm';
import { totpCode } from '../src/accounts/totp';
import { axeViolations } from './support/a11y';
import { launchBrowser, listen } from './support/browser';
import { createOfficeWithManager, createUser } from './support/factories';
import { TEST_PASSWORD, TestStack, startStack } from './support/test-app';

/**
 * Log-in security as its users meet it, in Chromium: MFA_REQUIRED, so each new account enrols a second factor at
 * its first log-in. The site is opened as http://localhost:… — WebAuthn binds passkeys to a domain, never an IP.
 */
describe('two factors, passwords and sessions in the browser', () => {
  let stack: TestStack;
  let browser: Browser;
  let base: string;
  let db: DataSource;

  beforeAll(async () => {
    stack = await startStack({ MFA_REQUIRED: '1' });
    db = stack.app.get(DataSource);
    base = (await listen(stack)).replace('127.0.0.1', 'localhost');
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, locale: 'ja-JP' });
    return { context, page: await context.newPage() };
  }

  async function expectAccessible(page: Page, what: string): Promise<void> {
    expect([what, await axeViolations(page)]).toEqual([what, []]);
  }

  async function passwordStep(page: Page, email: string, password = TEST_PASSWORD): Promise<void> {
    await page.goto(`${base}/login`);
    await page.getByLabel('メールアドレス').fill(email);
    await page.getByLabel('パスワード').fill(password);
    await page.getByRole('button', { name: 'ログイン' }).click();
    await page.waitForLoadState();
  }

  /** An account that already has an authenticator app (set up through the API); its next code logs it in. */
  async function enrolledByApi(email: string): Promise<() => string> {
    const api = await stack.login(email);
    const { body } = await api.post('/api/auth/mfa/totp/setup').send({ password: TEST_PASSWORD }).expect(200);
    await api
      .post('/api/auth/mfa/totp/confirm')
      .send({ code: totpCode(body.secret), password: TEST_PASSWORD })
      .expect(200);
    await api.post('/api/auth/logout').expect(204);
    return () => totpCode(body.secret, Date.now() + 30_000);
  }

  async function logIn(page: Page, email: string, code: () => string): Promise<void> {
    await passwordStep(page, email);
    await page.getByLabel('確認コード').fill(code());
    await page.getByRole('button', { name: '確認', exact: true }).click();
    await page.waitForLoadState();
  }

  it('enrols an authenticator app at first log-in from the QR code, then logs in with a computed code', async () => {
    const { manager } = await createOfficeWithManager(stack.app, 'rurume');
    const { context, page } = await newPage();
    await page.goto(`${base}/login`);
    await expectAccessible(page, 'log-in page');
    await passwordStep(page, manager.email);
    await page.waitForURL(`${base}/account/mfa`);
    await page.getByText('このサービスでは2段階認証が必須です').waitFor();
    await expectAccessible(page, '2段階認証 (enrolment)');
    await page.goto(`${base}/office`);
    expect(page.url()).toBe(`${base}/account/mfa`); // nothing else until a factor is set up

    // A wrong password: the page asks again beside the field, and sets nothing up.
    await page.locator('#password-totp-setup').fill('wrong-pass-1');
    await page.getByRole('button', { name: '認証アプリを設定する' }).click();
    await page.locator('#password-totp-setup-error').getByText('パスワードが正しくありません').waitFor();
    await page.locator('#password-totp-setup').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: '認証アプリを設定する' }).click();
    await page.getByRole('heading', { name: '認証アプリの設定' }).waitFor();
    await expectAccessible(page, '認証アプリの設定');
    // The QR code is what the phone reads: the otpauth URL with the secret shown below it.
    const src = (await page.getByRole('img', { name: /QRコード/ }).getAttribute('src'))!;
    const png = PNG.sync.read(Buffer.from(src.replace(/^data:image\/png;base64,/, ''), 'base64'));
    const url = new URL(jsQR(new Uint8ClampedArray(png.data), png.width, png.height)!.data);
    const secret = url.searchParams.get('secret')!;
    expect(url.protocol + url.host).toBe('otpauth:totp');
    expect((await page.locator('.secret').textContent())!.replace(/\s/g, '')).toBe(secret);

    await page.getByLabel('確認コード（6桁）').fill('000000');
    await page.getByLabel('現在のパスワード（本人確認のため）').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: '確認' }).click();
    await page.getByRole('alert').getByText('確認コードが正しくありません').waitFor();
    await page.getByLabel('確認コード（6桁）').fill(totpCode(secret));
    await page.getByLabel('現在のパスワード（本人確認のため）').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: '確認' }).click();
    await page.getByRole('heading', { name: '回復コード' }).waitFor();
    expect(await page.locator('ol.codes li').allTextContents()).toEqual(
      Array.from({ length: 10 }, () => expect.stringMatching(/^[a-z2-9]{5}-[a-z2-9]{5}$/)),
    );
    await expectAccessible(page, '回復コード');
    await page.getByRole('link', { name: '保管しました。次へ進む' }).click();
    await page.waitForURL(`${base}/office`);

    await page.getByRole('button', { name: 'ログアウト' }).click();
    await page.waitForURL(`${base}/login`);
    await passwordStep(page, manager.email);
    await page.getByRole('heading', { name: '2段階認証' }).waitFor();
    await expectAccessible(page, 'log-in, second step');
    expect(await page.getByRole('button', { name: 'パスキーで確認' }).count()).toBe(0); // none registered
    await page.getByLabel('確認コード').fill('000000');
    await page.getByRole('button', { name: '確認', exact: true }).click();
    await page
      .getByRole('alert')
      .getByText(/あと4回/)
      .waitFor();
    await page.getByLabel('確認コード').fill(totpCode(secret, Date.now() + 30_000));
    await page.getByRole('button', { name: '確認', exact: true }).click();
    await page.waitForURL(`${base}/office`);
    await context.close();
  });

  it('enrols a passkey with Chromium’s virtual authenticator and logs in with it', async () => {
    const user = await createUser(stack.app, 'secretariat', { networkId: 'rurume' });
    const { context, page } = await newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });

    await passwordStep(page, user.email);
    await page.waitForURL(`${base}/account/mfa`);
    await page.getByLabel(/パスキーの名前/).fill('受付のパソコン');
    await page.locator('#password-passkey-add').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'パスキーを追加する' }).click();
    await page.getByRole('heading', { name: '回復コード' }).waitFor(); // the first factor comes with recovery codes
    await page.getByText('パスキー「受付のパソコン」を登録しました').waitFor();
    const [stored] = await db.query(`SELECT credential_id, name FROM user_passkey WHERE user_id = $1`, [user.id]);
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials.map((c) => c.credentialId.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_'))).toEqual([
      stored.credential_id,
    ]);
    await page.getByRole('link', { name: '保管しました。次へ進む' }).click();
    await page.waitForURL(`${base}/secretariat`);

    await page.goto(`${base}/account/mfa`);
    await page.getByRole('cell', { name: '受付のパソコン' }).waitFor();
    await expectAccessible(page, '2段階認証 with a passkey');

    await page.getByRole('button', { name: 'ログアウト' }).click();
    await passwordStep(page, user.email);
    await page.getByRole('heading', { name: 'パスキーで確認する' }).waitFor();
    await page.getByRole('button', { name: 'パスキーで確認' }).click();
    await page.waitForURL(`${base}/secretariat`);
    const [login] = await db.query(`SELECT detail FROM audit_event WHERE action = 'login' AND user_email = $1 ORDER BY id DESC LIMIT 1`, [
      user.email,
    ]);
    expect(login.detail).toEqual({ method: 'passkey' });
    const [used] = await db.query(`SELECT last_used_at, counter FROM user_passkey WHERE user_id = $1`, [user.id]);
    expect(used.last_used_at).not.toBeNull();
    await context.close();
  });

  it('changes the password, logs out the other devices, from pages that pass axe', async () => {
    const user = await createUser(stack.app, 'admin');
    const elsewhere = await stack.login(user.email); // another device, logged in before the app was set up
    const code = await enrolledByApi(user.email);
    const { context, page } = await newPage();
    await logIn(page, user.email, code);
    await page.getByRole('link', { name: 'アカウント' }).click();
    await page.getByRole('heading', { name: 'アカウント' }).waitFor();
    await expectAccessible(page, 'アカウント');

    await page.getByRole('link', { name: 'ログイン中の端末' }).click();
    await page.getByRole('heading', { name: 'ログイン中の端末' }).waitFor();
    expect(await page.locator('table.data tbody tr').count()).toBe(2);
    await expectAccessible(page, 'ログイン中の端末');
    await page.getByRole('button', { name: '他の端末からログアウト' }).click();
    await page.getByText('他の端末のログイン1件を終了しました').waitFor();
    await elsewhere.get('/api/auth/me').expect(401);

    await page.goto(`${base}/account/password`);
    await page.getByLabel('現在のパスワード').fill(TEST_PASSWORD);
    await page.getByLabel('新しいパスワード', { exact: true }).fill('sakura2024');
    await page.getByLabel('新しいパスワード（確認のためもう一度）').fill('sakura2025');
    await page.getByRole('button', { name: '変更する' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.locator('#confirmPassword-error').textContent()).toBe('確認のために入力したパスワードが一致しません');
    await expectAccessible(page, 'パスワードの変更 with errors');
    await page.getByLabel('現在のパスワード').fill(TEST_PASSWORD);
    await page.getByLabel('新しいパスワード', { exact: true }).fill('sakura2024');
    await page.getByLabel('新しいパスワード（確認のためもう一度）').fill('sakura2024');
    await page.getByRole('button', { name: '変更する' }).click();
    expect(await page.locator('#newPassword-error').textContent()).toContain('よく使われている');
    await page.getByLabel('現在のパスワード').fill(TEST_PASSWORD);
    await page.getByLabel('新しいパスワード', { exact: true }).fill('houmon-kango-731');
    await page.getByLabel('新しいパスワード（確認のためもう一度）').fill('houmon-kango-731');
    await page.getByRole('button', { name: '変更する' }).click();
    await page.getByText('パスワードを変更しました').waitFor();
    await expectAccessible(page, 'パスワードの変更 done');
    await stack.http.post('/api/auth/login').send({ email: user.email, password: 'houmon-kango-731' }).expect(200);
    await context.close();
  });

  it('lets the admin find a user and reset their lost factor after checking who they are', async () => {
    const admin = await createUser(stack.app, 'admin');
    const adminCode = await enrolledByApi(admin.email);
    const { office } = await createOfficeWithManager(stack.app, 'rurume');
    const staff = await createUser(stack.app, 'office_staff', { officeId: office.id });
    await enrolledByApi(staff.email);
    const { context, page } = await newPage();
    await logIn(page, admin.email, adminCode);
    await page.getByRole('link', { name: '利用者' }).click();
    await page.getByRole('heading', { name: '利用者' }).waitFor();
    await page.getByLabel('メールアドレスまたは氏名').fill(staff.email);
    await page.getByRole('button', { name: '検索' }).click();
    await page.getByRole('link', { name: staff.email }).waitFor();
    await expectAccessible(page, '利用者');
    await page.getByRole('link', { name: staff.email }).click();
    await page.getByRole('heading', { name: staff.name }).waitFor();
    await expectAccessible(page, '利用者の詳細');

    await page.getByLabel('電話や対面で本人であることを確認しました').check();
    await page.getByRole('button', { name: '2段階認証を再設定する' }).click();
    await page.getByText('2段階認証を再設定しました').waitFor();
    expect(await page.locator('dl.props').textContent()).toContain('未設定');
    const [row] = await db.query(`SELECT user_email FROM audit_event WHERE action = 'mfa_reset' AND target_id = $1`, [staff.id]);
    expect(row.user_email).toBe(admin.email);

    await page.getByRole('button', { name: '利用停止にする' }).click();
    await page.getByRole('dialog').getByRole('button', { name: '利用停止にする' }).click(); // it asks first
    await page.getByText('利用停止にしました').waitFor();
    await stack.http.post('/api/auth/login').send({ email: staff.email, password: TEST_PASSWORD }).expect(403);
    await page.getByRole('button', { name: '利用を再開する' }).click();
    await page.getByText('利用を再開しました').waitFor();
    await context.close();
  });
});
