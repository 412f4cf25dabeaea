import { Browser, BrowserContext, Page } from 'playwright-core';
import { todayInJapan } from '../src/common/japan-date';
import { axeViolations } from './support/a11y';
import { launchBrowser, listen } from './support/browser';
import { createOfficeWithManager } from './support/factories';
import { TestSmtp, linkIn, startSmtp } from './support/smtp';
import { TEST_PASSWORD, TestStack, startStack } from './support/test-app';

// Each page is checked with axe (seconds apiece on a loaded 2-core machine); sealing waits for the worker.
jest.setTimeout(420_000);

/** The office's day in the browser, from a registered patient to a signed consent, and staff joining and leaving. */
describe('people in the browser', () => {
  let stack: TestStack;
  let smtp: TestSmtp;
  let browser: Browser;
  let baseUrl: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    smtp = await startSmtp();
    stack = await startStack({ SMTP_URL: smtp.url });
    baseUrl = await listen(stack);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await stack?.close();
    await smtp?.close();
  });

  async function newPage(viewport = { width: 1280, height: 900 }, phone = false): Promise<Page> {
    const context = await browser.newContext({ viewport, locale: 'ja-JP', ...(phone ? { isMobile: true, hasTouch: true } : {}) });
    contexts.push(context);
    return context.newPage();
  }

  async function officeLogIn(email: string): Promise<Page> {
    const page = await newPage();
    await page.goto(`${baseUrl}/login`);
    await page.getByLabel('メールアドレス').fill(email);
    await page.getByLabel('パスワード').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'ログイン' }).click();
    await page.waitForURL(/\/office/);
    return page;
  }

  async function expectAccessible(page: Page): Promise<void> {
    expect(await axeViolations(page)).toEqual([]);
  }

  it('registers a patient with two family members → consent prefilled → signers prefilled → the family signs on a phone → signed', async () => {
    const { manager } = await createOfficeWithManager(stack.app, 'rurume');
    const office = await officeLogIn(manager.email);

    // Register: a mistake first (shown beside its field, input kept), then a second family row, then saved.
    await office.getByRole('link', { name: '患者を登録' }).click();
    await office.getByRole('heading', { name: '患者の登録' }).waitFor();
    await expectAccessible(office);
    await office.getByLabel('氏名 *', { exact: true }).fill('画面 ウメ');
    await office.getByLabel('ふりがな').first().fill('がめん うめ');
    await office.getByLabel('生年月日').fill('1934-02-03');
    await office.getByLabel('住所', { exact: true }).fill('東京都東久留米市滝山3-3-3');
    await office.getByLabel('電話番号', { exact: true }).fill('042-333-4444');
    const first = office.locator('fieldset[data-family="1"]');
    await first.getByLabel(/^氏名/).fill('画面 太一');
    await first.getByLabel(/^メールアドレス/).fill('taichi@');
    await office.getByRole('button', { name: '登録する' }).click();
    await office.getByRole('alert').first().waitFor();
    expect(await office.locator('#f-family-0-relation-error').textContent()).toBe('続柄は必須です');
    expect(await office.locator('#f-family-0-email-error').textContent()).toBe('家族のメールアドレスの形式が正しくありません');
    expect(await office.getByLabel('氏名 *', { exact: true }).inputValue()).toBe('画面 ウメ');
    await expectAccessible(office);
    await first.getByLabel(/^続柄/).fill('長男');
    await first.getByLabel(/^メールアドレス/).fill('taichi.family@example.jp');
    await first.getByLabel(/^住所/).fill('東京都東久留米市滝山3-3-3');
    await office.getByRole('button', { name: '家族の欄を追加' }).click();
    const second = office.locator('fieldset[data-family="2"]');
    await second.getByLabel(/^氏名/).fill('画面 次子');
    await second.getByLabel(/^続柄/).fill('長女');
    await second.getByLabel(/^メールアドレス/).fill('tsugiko.family@example.jp');
    await office.getByRole('button', { name: '登録する' }).click();
    await office.getByText('画面 ウメさんを登録しました（家族2名）').waitFor();
    expect(await office.locator('#family tbody tr').count()).toBe(2);
    await expectAccessible(office);
    await office.getByRole('link', { name: '登録内容（家族を含む）を変更する' }).click();
    await office.getByRole('heading', { name: '患者の登録内容の変更' }).waitFor();
    expect(await office.locator('fieldset[data-family="2"]').getByLabel(/^氏名/).inputValue()).toBe('画面 次子');
    await expectAccessible(office);

    // The list of patients, then back to the patient: the consent starts from their page, prefilled.
    await office.goto(`${baseUrl}/office`);
    await office.getByRole('link', { name: '患者の一覧' }).click();
    await office.getByRole('heading', { name: /患者（\d+名）/ }).waitFor();
    await expectAccessible(office);
    await office.locator('#patients').getByRole('link', { name: '画面 ウメ', exact: true }).click();
    await office.locator('#start-document').getByRole('link', { name: /別紙4/ }).click();
    await office.getByRole('button', { name: '作成して発行' }).waitFor();
    const values = await office
      .locator('form input[type="text"]')
      .evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));
    for (const value of ['画面 ウメ', '東京都東久留米市滝山3-3-3', '画面 太一', '長男', '画面 次子', '長女'])
      expect(values).toContain(value);
    await office.getByRole('button', { name: '作成して発行' }).click();

    // The signing form: the family's name, 続柄 and e-mail are there; the name box is wide enough to read.
    await office.getByRole('heading', { name: '電子署名' }).waitFor();
    const family1 = office.locator('fieldset', { hasText: '患者家族1' });
    expect(await family1.getByLabel('氏名').inputValue()).toBe('画面 太一');
    expect(await family1.getByLabel('続柄').inputValue()).toBe('長男');
    expect(await family1.getByLabel('メールアドレス').inputValue()).toBe('taichi.family@example.jp');
    expect((await family1.getByLabel('氏名').boundingBox())!.width).toBeGreaterThan(120);
    const family2 = office.locator('fieldset', { hasText: '患者家族2' });
    expect(await family2.getByLabel('メールアドレス').inputValue()).toBe('tsugiko.family@example.jp');
    const explainer = office.locator('fieldset', { hasText: '説明・同意書取得' });
    expect(await explainer.getByLabel('方法').inputValue()).toBe('in_person');
    await expectAccessible(office);
    // This time only the eldest son signs for the family: the second family member's row is emptied.
    const patientRow = office.locator('form.signing-request fieldset').filter({ has: office.locator('legend', { hasText: /^患者$/ }) });
    expect(await patientRow.getByLabel('氏名').inputValue()).toBe(''); // the patient signs only if the office adds them
    await family2.getByLabel('氏名').fill('');
    await office.getByRole('button', { name: '署名を依頼する' }).click();
    await office.getByText('署名を依頼しました').waitFor();

    // The family's phone: the link arrives by mail, the son signs by typing his name.
    const mail = await smtp.waitFor((m) => m.to === 'taichi.family@example.jp');
    expect(mail.text).toContain('画面 太一');
    const phone = await newPage({ width: 390, height: 844 }, true);
    await phone.goto(`${baseUrl}${linkIn(mail, '/sign/')}`);
    await phone.getByRole('heading', { name: /への署名/ }).waitFor();
    expect(await phone.getByLabel('患者さまとの続柄 *').inputValue()).toBe('長男');
    await phone.getByRole('radio', { name: '文字で入力する' }).check();
    await phone.getByLabel('お名前（署名として印字されます）').fill('画面 太一');
    await phone.getByLabel(/内容を確認し、同意します/).check();
    await phone.getByRole('button', { name: '同意して署名する' }).click();
    await phone.getByRole('heading', { name: '署名しました' }).waitFor();

    // The nurse countersigns in person; the office's document page then shows the consent signed.
    await office.reload();
    expect(await office.locator('tr', { hasText: '画面 太一' }).textContent()).toContain('署名済');
    await office.locator('tr', { hasText: '説明・同意書取得者' }).getByRole('link', { name: 'この端末で署名' }).click();
    await office.getByRole('radio', { name: '文字で入力する' }).check();
    await office.getByLabel('お名前（署名として印字されます）').fill(manager.name);
    await office.getByLabel('書類の内容を確認し、署名します').check(); // a staff signer confirms the content
    await office.getByRole('button', { name: '同意して署名する' }).click();
    await office.getByText('対面での署名を記録しました').waitFor();
    const documentUrl = office.url().split('?')[0];
    let status = '';
    for (let i = 0; i < 150 && !status.includes('状態: 署名済'); i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 200));
      await office.goto(documentUrl);
      status = (await office.locator('main p', { hasText: '書類番号' }).first().textContent()) ?? '';
    }
    expect(status).toContain('状態: 署名済');
    await expectAccessible(office);
  });

  it('a staff member joins and leaves on a chosen day: the day’s staff-change notice draft shows 新規 and 削除 on one sheet', async () => {
    const { manager } = await createOfficeWithManager(stack.app, 'rurume');
    const office = await officeLogIn(manager.email);
    await office.getByRole('link', { name: '従事者を追加' }).click();
    await office.getByRole('heading', { name: '従事者の追加' }).waitFor();
    await expectAccessible(office);
    await office.getByLabel('氏名 *').fill('画面 入職');
    await office.getByLabel('ふりがな').fill('がめん にゅうしょく');
    await office.getByLabel('職種').fill('理学療法士');
    await office.getByLabel('メールアドレス').fill('nyushoku@example.jp');
    await office.getByLabel('性別').selectOption('女');
    await office.getByLabel('入職日').fill('2025-10-01');
    await office.getByRole('button', { name: '登録する' }).click();
    expect(await office.locator('#office-message').textContent()).toContain('「新規」の行を新しく下書きしました');

    await office.locator('#staff tr', { hasText: '画面 入職' }).getByRole('link', { name: /退職/ }).click();
    await office.getByRole('heading', { name: '画面 入職さんの退職' }).waitFor();
    expect(await office.getByLabel('退職日 *').inputValue()).toBe(todayInJapan());
    await expectAccessible(office);
    await office.getByLabel('退職日 *').fill('2025-09-30');
    await office.getByRole('button', { name: '退職を記録する' }).click();
    expect(await office.locator('#f-leftOn-error').textContent()).toContain('入職日（2025-10-01）以降');
    await expectAccessible(office);
    await office.getByLabel('退職日 *').fill('2025-11-30');
    await office.getByRole('button', { name: '退職を記録する' }).click();
    const message = await office.locator('#office-message').textContent();
    expect(message).toContain('2025年11月30日付けで退職として記録しました');
    expect(message).toContain('本日の下書きに追加しました（下書きに載っているのは2名）');
    expect(await office.locator('#staff tr', { hasText: '画面 入職' }).count()).toBe(0);

    // One draft sheet for the day, with both rows, for the office to review and issue: the message links to it.
    const drafts = office.locator('tr').filter({ hasText: '別紙3' }).filter({ hasText: '下書き' });
    expect(await drafts.count()).toBe(1);
    const draftHref = await drafts.getByRole('link').getAttribute('href');
    expect(await office.locator('#office-message').getByRole('link', { name: '下書きを確認する' }).getAttribute('href')).toBe(draftHref);
    await office.locator('#office-message').getByRole('link', { name: '下書きを確認する' }).click();
    await office.getByRole('heading', { name: /下書きに載っている従事者（2名）/ }).waitFor();
    const rows = await office.locator('#notice-rows tbody tr').allTextContents();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^新規画面 入職がめん にゅうしょく女理学療法士nyushoku@example.jp$/);
    expect(rows[1]).toMatch(/^削除画面 入職/);
    await expectAccessible(office);
    await office.getByRole('button', { name: '発行する' }).click();
    await office.getByRole('dialog').getByRole('button', { name: '発行する' }).click(); // it asks first
    await office.getByText('発行しました').waitFor();
  });
});
