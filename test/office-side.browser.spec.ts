import { Browser, BrowserContext, Page } from 'playwright-core';
import { axeViolations } from './support/a11y';
import { launchBrowser, listen } from './support/browser';
import { createOffice, createOfficeWithManager, createUser } from './support/factories';
import { Agent, TEST_PASSWORD, TestStack, startStack } from './support/test-app';

const SHOTS = process.env.SHOTS_DIR; // set to keep the screenshots (e.g. /work/shots/office-side)

/** The office around the signer, on a desktop and a phone: the signing form, its errors, the confirmations. */
describe('the office side around the signer, in the browser', () => {
  let stack: TestStack;
  let browser: Browser;
  let baseUrl: string;
  let api: Agent;
  let managerEmail: string;

  beforeAll(async () => {
    stack = await startStack({}, { worker: false });
    baseUrl = await listen(stack);
    browser = await launchBrowser();
    managerEmail = (await createOfficeWithManager(stack.app, 'rurume')).manager.email;
    api = await stack.login(managerEmail);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  async function loggedIn(options: { width: number; javaScriptEnabled?: boolean }): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({
      viewport: { width: options.width, height: 900 },
      locale: 'ja-JP',
      javaScriptEnabled: options.javaScriptEnabled ?? true,
    });
    const page = await context.newPage();
    await page.goto(`${baseUrl}/login`);
    await page.getByLabel('メールアドレス').fill(managerEmail);
    await page.getByLabel('パスワード').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'ログイン' }).click();
    await page.waitForURL(/\/office/);
    return { context, page };
  }

  /** A consent for a patient whose one family contact has no e-mail address; issued unless said otherwise. */
  async function consent(issue = true): Promise<{ id: string; number: string }> {
    const patient = await api
      .post('/api/patients')
      .send({
        name: '画面 ハナ',
        nameKana: 'がめん はな',
        birthDate: '1938-04-05',
        address: '東京都東久留米市滝山1-2-3',
        family: [{ name: '画面 健太', relation: '長男', phone: '090-1111-2222' }],
      })
      .expect(201);
    const doc = await api.post('/api/documents').send({ form: 'patient-consent', subjectId: patient.body.id }).expect(201);
    if (issue) await api.post(`/api/documents/${doc.body.id}/issue`).expect(201);
    return { id: doc.body.id, number: doc.body.number };
  }

  const shot = async (page: Page, name: string) => {
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  };

  it('the 方法 follows the e-mail field until the office picks one; a refused request is an error and keeps the PIN', async () => {
    const doc = await consent();
    const { context, page } = await loggedIn({ width: 1280 });
    await page.goto(`${baseUrl}/documents/${doc.id}`);
    const family = page.locator('fieldset', { hasText: '患者家族1' });
    const method = family.getByLabel('方法');
    expect(await family.getByLabel('氏名').inputValue()).toBe('画面 健太');
    expect(await method.inputValue()).toBe('in_person'); // no address: in person, not a request that must fail
    await family.getByLabel('メールアドレス').fill('kenta.screen@example.jp');
    expect(await method.inputValue()).toBe('email');
    await family.getByLabel('メールアドレス').fill('');
    expect(await method.inputValue()).toBe('in_person');
    // A 方法 the office chose stays, whatever the e-mail field says.
    const second = page.locator('fieldset', { hasText: '患者家族2' });
    await second.getByLabel('方法').selectOption('email');
    await second.getByLabel('メールアドレス').fill('x@example.jp');
    await second.getByLabel('メールアドレス').fill('');
    expect(await second.getByLabel('方法').inputValue()).toBe('email');
    await second.getByLabel('メールアドレス').fill('');
    await second.getByLabel('方法').selectOption('in_person');

    // A request the rules refuse: a red alert, read out, and every field as typed (the 暗証番号 too).
    await family.getByLabel('メールアドレス').fill('kenta.screen@example.jp');
    await family.getByLabel('暗証番号（任意）').fill('12');
    await page.getByRole('button', { name: '署名を依頼する' }).click();
    const alert = page.getByRole('alert').filter({ hasText: '署名を依頼できませんでした' });
    await alert.waitFor();
    expect(await alert.evaluate((e) => getComputedStyle(e).borderTopColor)).toBe('rgb(176, 0, 32)');
    expect(await page.locator('.notice.ok').count()).toBe(0);
    const again = page.locator('fieldset', { hasText: '患者家族1' });
    expect(await again.getByLabel('暗証番号（任意）').inputValue()).toBe('12');
    expect(await again.getByLabel('メールアドレス').inputValue()).toBe('kenta.screen@example.jp');
    expect(await again.getByLabel('方法').inputValue()).toBe('email');
    expect(await page.getByText('4〜8桁').count()).toBeGreaterThan(0);
    await shot(page, 'signing-form-error-1280');
    expect(await axeViolations(page)).toEqual([]);

    await again.getByLabel('暗証番号（任意）').fill('1357');
    await page.locator('fieldset', { hasText: '説明・同意書取得' }).getByLabel('氏名').fill('説明 看護師');
    await page.getByRole('button', { name: '署名を依頼する' }).click();
    await page.getByText('署名を依頼しました').waitFor();
    const requests = (await api.get(`/api/documents/${doc.id}/signing`).expect(200)).body as {
      signers: { role: string; method: string }[];
    }[];
    expect(requests[0].signers.map((s) => [s.role, s.method])).toEqual([
      ['family1', 'email'],
      ['explainer', 'in_person'],
    ]);
    await context.close();
  });

  it('asks before issuing: a dialog with JavaScript, a page of its own without; 戻る does nothing', async () => {
    const withScript = await consent(false);
    const { context, page } = await loggedIn({ width: 390 });
    const status = async (id: string) => (await api.get(`/api/documents/${id}`).expect(200)).body.status as string;
    await page.goto(`${baseUrl}/documents/${withScript.id}`);
    await page.getByRole('button', { name: '発行する' }).click();
    const dialog = page.getByRole('dialog', { name: '書類の発行' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('書類番号が確定します');
    await shot(page, 'confirm-dialog-390');
    expect(await axeViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: '戻る' }).click();
    await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
    expect(await status(withScript.id)).toBe('draft');
    await page.getByRole('button', { name: '発行する' }).click();
    await dialog.getByRole('button', { name: '発行する' }).click();
    await page.getByText('発行しました').waitFor({ timeout: 10_000 });
    expect(await status(withScript.id)).toBe('issued');
    await context.close();

    const withoutScript = await consent(false);
    const plain = await loggedIn({ width: 1280, javaScriptEnabled: false });
    await plain.page.goto(`${baseUrl}/documents/${withoutScript.id}`);
    await plain.page.getByRole('button', { name: '発行する' }).click();
    await plain.page.getByRole('heading', { name: '書類の発行' }).waitFor();
    expect(await status(withoutScript.id)).toBe('draft');
    await shot(plain.page, 'confirm-page-1280'); // (axe needs JavaScript: the page is checked in the e2e test's markup)
    await plain.page.getByRole('link', { name: '戻る' }).click();
    await plain.page.waitForURL(`${baseUrl}/documents/${withoutScript.id}`, { timeout: 10_000 });
    expect(await status(withoutScript.id)).toBe('draft');
    await plain.page.getByRole('button', { name: '発行する' }).click();
    await plain.page.getByRole('button', { name: '発行する' }).click(); // the confirmation page's
    await plain.page.getByText('発行しました').waitFor({ timeout: 10_000 });
    expect(await status(withoutScript.id)).toBe('issued');
    await plain.context.close();
  });

  it("the 事務局's wide tables at 1280 px: one line per name and button, a sticky header, sideways scroll inside the table only", async () => {
    await createOffice(stack.app, 'rurume', '社会福祉法人 東久留米やすらぎ会 訪問看護ステーションひばりが丘');
    await api.post('/api/staff').send({ name: '長い名前の 職員', email: 'long.name.staff@example.jp', jobTitle: '看護師' }).expect(201);
    const clerkEmail = (await createUser(stack.app, 'secretariat', { networkId: 'rurume' })).email;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' });
    const page = await context.newPage();
    await page.goto(`${baseUrl}/login`);
    await page.getByLabel('メールアドレス').fill(clerkEmail);
    await page.getByLabel('パスワード').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'ログイン' }).click();
    await page.waitForURL(/\/secretariat/);

    /** Each matched element's count of rendered text lines (the distinct tops of its text's boxes). */
    const lines = (selector: string) =>
      page.$$eval(selector, (els) =>
        els.map((e) => {
          const range = document.createRange();
          range.selectNodeContents(e);
          const boxes = Array.from(range.getClientRects()).filter((r) => r.width > 1 && r.height > 1);
          const tops = new Set(boxes.map((r) => Math.round(r.top / 4)));
          return tops.size;
        }),
      );
    for (const [path, table] of [
      ['/secretariat', '#offices-matrix'],
      ['/secretariat/registrations', '#desk'],
    ]) {
      await page.goto(`${baseUrl}${path}`);
      await page.locator(table).waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
      expect(await page.$eval(`${table} thead th`, (e) => getComputedStyle(e).position)).toBe('sticky');
      for (const count of await lines(`${table} thead th, ${table} tbody th, ${table} button`)) expect(count).toBeLessThanOrEqual(1);
      await shot(page, `secretariat${path.replace(/\//g, '-')}-1280`);
      expect(await axeViolations(page)).toEqual([]);
    }
    await context.close();
  });
});
