import { Browser, Page } from 'playwright-core';
import { toSeireki, todayInJapan } from '../src/common/japan-date';
import { launchBrowser, listen } from './support/browser';
import { createOfficeWithManager, createUser } from './support/factories';
import { readQrFromPdf } from './support/qr';
import { TEST_PASSWORD, TestStack, getPdf, startStack } from './support/test-app';

/** The 事務局 in a real browser: a paper staff pledge arrives, its QR code is scanned, the matrix changes. */
describe('事務局 receipt in the browser', () => {
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

  async function rowOf(page: Page, staffName: string) {
    return page.locator('#matrix tbody tr', { hasText: staffName });
  }

  it('scans the code from a printed rurume staff pledge and sees it received on the matrix', async () => {
    // An office signs a staff pledge on paper and posts the original.
    const { office, manager } = await createOfficeWithManager(stack.app, 'rurume');
    const secretariat = await createUser(stack.app, 'secretariat', { networkId: 'rurume' });
    const officeApi = await stack.login(manager.email);
    const staff = await officeApi.post('/api/staff').send({ name: '受領 確子', email: 'kakuko@example.jp' }).expect(201);
    const doc = await officeApi.post('/api/documents').send({ form: 'staff-pledge', subjectId: staff.body.id }).expect(201);
    const issued = await officeApi.post(`/api/documents/${doc.body.id}/issue`).expect(201);
    const original = issued.body.exemplars.find((e: { kind: string }) => e.kind === 'original');
    await officeApi.post(`/api/documents/${doc.body.id}/paper-signature`).expect(201);
    await officeApi.post(`/api/exemplars/${original.code}/events`).send({ type: 'mailed' }).expect(201);

    // The sheet as printed: its QR code carries the exemplar's code.
    let pdf: Buffer | null = null;
    for (let i = 0; i < 200 && !pdf; i++) {
      const response = await officeApi.get(`/api/exemplars/${original.code}/pdf`);
      if (response.status === 200) pdf = await getPdf(officeApi, `/api/exemplars/${original.code}/pdf`);
      else await new Promise((r) => setTimeout(r, 100));
    }
    const scanned = readQrFromPdf(pdf!);
    expect(scanned).toBe(original.code);

    // The 事務局 logs in and sees the original on its way.
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' });
    await page.goto(`${baseUrl}/secretariat`);
    await page.getByLabel('メールアドレス').fill(secretariat.email);
    await page.getByLabel('パスワード').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'ログイン' }).click();
    await page.getByRole('heading', { name: /提出状況/ }).waitFor();
    await page.getByLabel('事業所', { exact: true }).selectOption({ label: office.name });
    await page.getByRole('button', { name: '絞り込む' }).click();
    expect(await (await rowOf(page, '受領 確子')).locator('.state').textContent()).toBe('原本郵送中');

    // A USB scanner types the code into the focused field and presses Enter.
    await page.getByRole('link', { name: '原本の受領（QRコード読取）' }).click();
    await page.waitForFunction(() => document.activeElement?.id === 'code'); // the cursor waits in the field
    await page.keyboard.type(scanned!);
    await page.keyboard.press('Enter');
    await expect(page.locator('#receipt-result').textContent()).resolves.toContain('「受領」として記録しました');

    // The same sheet scanned twice changes nothing, and says so.
    await page.getByLabel('書類番号').fill(scanned!);
    await page.getByRole('button', { name: '受領を記録' }).click();
    await expect(page.locator('#receipt-result').textContent()).resolves.toContain('受領済みです（変更はありません）');

    await page.getByRole('link', { name: '提出状況へ戻る' }).click();
    const row = await rowOf(page, '受領 確子');
    expect(await row.locator('.state').textContent()).toBe('受領済');
    expect(await row.textContent()).toContain(toSeireki(todayInJapan()));
    await page.close();
  });
});
