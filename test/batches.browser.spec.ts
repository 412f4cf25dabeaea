import { execFileSync } from 'node:child_process';
import { Browser } from 'playwright-core';
import { launchBrowser, listen } from './support/browser';
import { createOfficeWithManager } from './support/factories';
import { pdfInfo } from './support/pdf-tools';
import { TEST_PASSWORD, TestStack, startStack } from './support/test-app';

describe('bulk pledges in the browser', () => {
  let stack: TestStack;
  let browser: Browser;
  let baseUrl: string;
  beforeAll(async () => {
    stack = await startStack();
    baseUrl = await listen(stack);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('uploads a roster, shows every row’s problem, runs with a live progress bar, offers the PDF', async () => {
    const { manager } = await createOfficeWithManager(stack.app, 'rurume');
    const page = await browser.newPage({ viewport: { width: 1100, height: 1000 }, locale: 'ja-JP' });
    await page.goto(`${baseUrl}/office/batches/new`);
    await page.getByLabel('メールアドレス').fill(manager.email);
    await page.getByLabel('パスワード').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'ログイン' }).click();
    const rows = [
      '氏名,メールアドレス,職種',
      ...Array.from({ length: 250 }, (_, i) => `画面 ${i + 1}号,w${i}@example.jp,看護師`),
      '画面 誤り,wrong,看護師',
    ];
    const csv = execFileSync('iconv', ['-f', 'UTF-8', '-t', 'CP932'], { input: rows.join('\r\n') });
    await page.getByLabel('名簿ファイル').setInputFiles({ name: 'staff.csv', mimeType: 'text/csv', buffer: csv });
    await page.getByRole('button', { name: '内容を確認する' }).click();
    const problems = page.locator('#row-problems');
    expect(await problems.locator('tr[data-row="252"]').textContent()).toContain('メールアドレスの形式が正しくありません');
    expect(await page.locator('#plan tbody tr').count()).toBe(250);
    await page.getByRole('button', { name: 'この内容で作成する' }).click();

    // The progress bar moves while the worker runs, then the download appears.
    const seen = new Set<string>();
    const counts = new Set<string>();
    const download = page.getByRole('link', { name: '印刷用PDFをダウンロード' });
    for (let i = 0; i < 300 && !(await download.isVisible()); i++) {
      seen.add(String(await page.locator('#progress').getAttribute('value')));
      counts.add((await page.locator('#counts').textContent()) ?? '');
      await page.waitForTimeout(100);
    }
    expect(await download.isVisible()).toBe(true);
    expect(seen.size).toBeGreaterThan(1);
    // Every figure says what it counts: people, then parts of the PDF — never a bare "1 / 1".
    for (const text of counts)
      expect(text).toMatch(/^(|従事者 250名中 \d+名を処理済み|印刷用PDF \d+区分中 \d+区分を作成済み|250名分を処理待ち)$/);
    expect([...counts].some((t) => t.startsWith('従事者'))).toBe(true);
    expect(await page.locator('#batch-counts').textContent()).toBe('追加 250名・変更 0名・削除 0名・作成されなかった行 1行');
    expect(await page.locator('main').textContent()).toContain('作成されなかった行');
    const pdf = Buffer.from(await (await page.request.get(`${baseUrl}${await download.getAttribute('href')}`)).body());
    expect(pdfInfo(pdf).pages).toBe(9 + 250 + 23); // 9 cover pages (30 names a page), 250 pledges, 23 notices of up to 11 rows
  }, 120_000); // 250 people: a Chromium print that fails under load is retried, as it should be
});
