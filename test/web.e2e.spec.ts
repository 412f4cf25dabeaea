import { Browser } from 'playwright-core';
import { launchBrowser, listen } from './support/browser';
import { pdfText, squeeze } from './support/pdf-tools';
import { createOfficeWithManager } from './support/factories';
import { TEST_PASSWORD, TestStack, startStack } from './support/test-app';

/** The Japanese web UI in a real browser (Debian's Chromium through Playwright). */
describe('web UI: choose a form, fill it in, get the PDF', () => {
  let stack: TestStack;
  let browser: Browser;
  let baseUrl: string;
  let email: string;

  beforeAll(async () => {
    stack = await startStack();
    email = (await createOfficeWithManager(stack.app, 'rurume')).manager.email;
    baseUrl = await listen(stack);
    browser = await launchBrowser();
  });
  /** On the log-in page (where any page sends a visitor without a session), log in; lands where it was going. */
  async function logIn(page: import('playwright-core').Page): Promise<void> {
    await page.getByLabel('メールアドレス').fill(email);
    await page.getByLabel('パスワード').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'ログイン' }).click();
    await page.waitForLoadState();
  }

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('on a phone-sized screen: shows every error by field, then makes the PDF', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'ja-JP', acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(`${baseUrl}/`);
    await logIn(page);
    await page.getByRole('link', { name: '様式の印刷' }).click();
    await page.getByRole('link', { name: /るるめネットにおける情報保持誓約書/ }).click();
    await page.getByRole('heading', { name: /るるめネットにおける情報保持誓約書/ }).waitFor();

    await page.getByLabel('利用者名 *').fill('中村 葵');
    await page.getByLabel('メールアドレス *').fill('aoi@');
    await page.getByRole('button', { name: 'PDFを作成' }).click();

    const summary = page.getByRole('alert');
    await summary.waitFor();
    expect(await summary.textContent()).toContain('入力内容に2件の誤りがあります');
    expect(await page.locator('#f-officeName-error').textContent()).toBe('事業所名は必須です');
    expect(await page.locator('#f-email-error').textContent()).toMatch(/メールアドレスの形式/);
    expect(await page.getByLabel('利用者名 *').inputValue()).toBe('中村 葵'); // what was typed is kept

    await page.getByLabel('事業所名 *').fill('くるめ訪問看護ステーション');
    await page.getByLabel('メールアドレス *').fill('aoi@example.jp');
    await page.getByLabel('記入日').fill('2026-05-07');
    await page.getByRole('button', { name: 'PDFを作成' }).click();

    await page.getByText('PDFができました。').waitFor({ timeout: 30_000 });
    const download = page.getByRole('link', { name: 'PDFをダウンロード' });
    const response = await page.request.get(`${baseUrl}${await download.getAttribute('href')}`);
    expect(response.headers()['content-type']).toBe('application/pdf');
    const text = squeeze(pdfText(Buffer.from(await response.body())));
    expect(text).toContain('中村葵');
    expect(text).toContain('くるめ訪問看護ステーション');
    expect(text).toContain('2026年5月7日');
    await context.close();
  });

  it('fills a form with its sample data on request, with lists and groups', async () => {
    const page = await browser.newPage();
    await page.goto(`${baseUrl}/forms/rurume/patient-consent?sample=1`);
    await logIn(page);
    expect(await page.locator('#f-patient-name').inputValue()).not.toBe('');
    await page.getByRole('button', { name: 'PDFを作成' }).click();
    await page.getByText('PDFができました。').waitFor({ timeout: 30_000 });
    await page.close();
  });

  it('answers an unknown form with a Japanese 404 page', async () => {
    const page = await browser.newPage();
    await page.goto(`${baseUrl}/login`);
    await logIn(page);
    const response = await page.goto(`${baseUrl}/forms/rurume/nothing`);
    expect(response?.status()).toBe(404);
    expect(await page.locator('main').textContent()).toContain('様式「nothing」はありません');
    await page.close();
  });
});
