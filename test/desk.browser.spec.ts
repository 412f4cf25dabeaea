import { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, listen } from './support/browser';
import { createOfficeWithManager, createUser, unique } from './support/factories';
import { TestSmtp, startSmtp } from './support/smtp';
import { TEST_PASSWORD, TestStack, startStack } from './support/test-app';
import { expectNoAxeViolations } from './support/a11y';

/** The 事務局 approves an application and works off a registration line, in a real browser; every page passes axe. */
// Each page is checked with axe (about 1 s apiece on a quiet 2-core machine, several times that under load).
jest.setTimeout(420_000);

describe("the 事務局's desk in the browser", () => {
  let stack: TestStack;
  let smtp: TestSmtp;
  let browser: Browser;
  let baseUrl: string;
  let secretariatEmail: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    smtp = await startSmtp();
    stack = await startStack({ SMTP_URL: smtp.url });
    baseUrl = await listen(stack);
    browser = await launchBrowser();
    secretariatEmail = (await createUser(stack.app, 'secretariat', { networkId: 'rurume' })).email;
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await stack?.close();
    await smtp?.close();
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' });
    contexts.push(context);
    return context.newPage();
  }

  async function logIn(page: Page, email: string, password = TEST_PASSWORD): Promise<void> {
    await page.getByLabel('メールアドレス').fill(email);
    await page.getByLabel('パスワード').fill(password);
    await page.getByRole('button', { name: 'ログイン' }).click();
    await page.waitForLoadState();
  }

  it('an office applies; the 事務局 approves; the manager sets a password, adds staff; the 事務局 works the line off and follows up', async () => {
    const officeName = unique('画面申込ステーション');
    const managerEmail = `${unique('browser-manager')}@example.jp`;

    // The applicant, on the public page: a mistake is shown beside its field, then the application is taken.
    const applicant = await newPage();
    await applicant.goto(`${baseUrl}/login`);
    await applicant.getByRole('link', { name: '利用の申込' }).click();
    await expectNoAxeViolations(applicant, { iframes: false });
    await applicant.getByRole('link', { name: 'るるめネット' }).click();
    await applicant.getByRole('heading', { name: 'るるめネット 利用申込' }).waitFor();
    await expectNoAxeViolations(applicant, { iframes: false });
    await applicant.getByLabel('事業所名 *').fill(officeName);
    await applicant.getByLabel('郵便番号').fill('203-0053');
    await applicant.getByLabel('住所 *').fill('東京都東久留米市本町1-2-3');
    await applicant.getByLabel('電話番号 *').fill('042-000-0000');
    await applicant.getByLabel('管理者氏名 *').fill('画面 管理子');
    await applicant.getByLabel('管理者メールアドレス *').fill('画面@');
    await applicant.getByRole('button', { name: '申し込む' }).click();
    await applicant.getByRole('alert').waitFor();
    expect(await applicant.locator('#f-managerEmail-error').textContent()).toBe('管理者メールアドレスの形式が正しくありません');
    expect(await applicant.locator('#f-pledgeMethod-error').textContent()).toContain('提出方法を選んでください');
    expect(await applicant.getByLabel('事業所名 *').inputValue()).toBe(officeName);
    await expectNoAxeViolations(applicant, { iframes: false });
    await applicant.getByLabel('管理者メールアドレス *').fill(managerEmail);
    await applicant.getByRole('radio', { name: /印刷して郵送/ }).check();
    await applicant.getByRole('button', { name: '申し込む' }).click();
    await applicant.getByRole('heading', { name: '利用申込を受け付けました' }).waitFor();
    const number = await applicant.locator('#application-number').textContent();
    expect(number).toMatch(/^申込-\d{6}$/);
    await expectNoAxeViolations(applicant, { iframes: false });

    // The 事務局 reads it and approves.
    const clerk = await newPage();
    await clerk.goto(`${baseUrl}/secretariat`);
    await logIn(clerk, secretariatEmail);
    await clerk.getByRole('link', { name: /審査待ちの利用申込が\d+件あります/ }).click();
    await expectNoAxeViolations(clerk, { iframes: false });
    await clerk
      .locator('#pending-applications tr', { hasText: officeName })
      .getByRole('link', { name: /内容を確認する/ })
      .click();
    await clerk.getByRole('heading', { name: new RegExp(`${number}: ${officeName}`) }).waitFor();
    expect(await clerk.locator('iframe[title="別紙1 るるめネットにおける情報管理誓約書"]').count()).toBe(1);
    await expectNoAxeViolations(clerk, { iframes: false });
    await clerk.getByRole('button', { name: '承認する' }).click();
    await clerk.getByRole('dialog').getByRole('button', { name: '承認する' }).click(); // it asks first
    await clerk.getByText(`承認しました。「${officeName}」を登録し`).waitFor();
    expect(await clerk.locator('#application-status').textContent()).toBe('承認');
    await expectNoAxeViolations(clerk, { iframes: false });

    // The manager follows the invitation, sets a password and lands on the office's page.
    const mail = await smtp.waitFor((m) => m.to === managerEmail && /パスワードを設定/.test(m.subject));
    const link = new URL(/https?:\/\/\S+\/invite\/[A-Za-z0-9_-]+/.exec(mail.text)![0]).pathname;
    const manager = await newPage();
    await manager.goto(`${baseUrl}${link}`);
    await expectNoAxeViolations(manager, { iframes: false });
    await manager.getByLabel('新しいパスワード *').fill('gamen-2026-pass');
    await manager.getByLabel('新しいパスワード（確認） *').fill('gamen-2026-typo');
    await manager.getByRole('button', { name: 'パスワードを設定してログイン' }).click();
    expect(await manager.locator('#f-passwordConfirm-error').textContent()).toContain('同じパスワードを2回');
    await manager.getByLabel('新しいパスワード *').fill('gamen-2026-pass');
    await manager.getByLabel('新しいパスワード（確認） *').fill('gamen-2026-pass');
    await manager.getByRole('button', { name: 'パスワードを設定してログイン' }).click();
    await manager.getByRole('heading', { name: officeName }).waitFor();
    expect(await manager.locator('#office-message').textContent()).toContain('パスワードを設定しました');
    await expectNoAxeViolations(manager, { iframes: false });

    // The manager adds a staff member: a mistake first, then the line goes to the desk.
    await manager.getByRole('link', { name: '従事者を追加' }).click();
    await expectNoAxeViolations(manager, { iframes: false });
    await manager.getByLabel('メールアドレス').fill('gamen@');
    await manager.getByRole('button', { name: '登録する' }).click();
    expect(await manager.locator('#f-name-error').textContent()).toBe('氏名は必須です');
    expect(await manager.locator('#f-email-error').textContent()).toBe('メールアドレスの形式が正しくありません');
    await expectNoAxeViolations(manager, { iframes: false });
    await manager.getByLabel('氏名 *').fill('画面 追加子');
    await manager.getByLabel('職種').fill('看護師');
    await manager.getByLabel('メールアドレス').fill('tsuikako@example.jp');
    await manager.getByRole('button', { name: '登録する' }).click();
    await manager.getByText('画面 追加子さんを登録しました').waitFor();
    expect(await manager.locator('#registrations tr', { hasText: '画面 追加子' }).locator('.state').textContent()).toBe('未対応');

    // The 事務局 works the line off on its desk.
    await clerk.getByRole('link', { name: '登録依頼' }).click();
    await clerk.getByRole('heading', { name: /登録依頼/ }).waitFor();
    await expectNoAxeViolations(clerk, { iframes: false });
    // Among the network's lines (other tests' too, 50 a page, oldest first), the office's own, as a clerk finds them.
    await clerk.getByLabel('事業所').selectOption({ label: officeName });
    await clerk.getByRole('button', { name: '絞り込む' }).click();
    await clerk.waitForURL(/office=/);
    const row = clerk.locator('#desk tr', { hasText: '画面 追加子' });
    expect(await row.textContent()).toContain(officeName);
    expect(await row.textContent()).toContain('tsuikako@example.jp');
    await row.getByLabel(/MCS ID/).fill('MCS-900');
    await row.getByLabel(/メモ/).fill('IDを作成しました');
    await row.getByRole('button', { name: /対応済みにする/ }).click();
    await clerk.getByText(`${officeName} 画面 追加子さんの新規を対応済みにしました`).waitFor();
    expect(await clerk.locator('#desk tr', { hasText: '画面 追加子' }).count()).toBe(0);
    await clerk.getByRole('link', { name: '対応済', exact: true }).click();
    expect(await clerk.locator('#desk tr', { hasText: '画面 追加子' }).textContent()).toContain('MCS ID: MCS-900');

    // The office sees it done.
    await manager.reload();
    const officeLine = manager.locator('#registrations tr', { hasText: '画面 追加子' });
    expect(await officeLine.locator('.state').textContent()).toBe('対応済');
    expect(await officeLine.textContent()).toContain('MCS ID: MCS-900');

    // From the matrix, one click follows the office up; its row shows when.
    await clerk.getByRole('link', { name: '提出状況' }).click();
    await expectNoAxeViolations(clerk, { iframes: false });
    const officeRow = clerk.locator('#offices-matrix tr', { hasText: officeName });
    expect(await officeRow.locator('.state').first().textContent()).toBe('発行済（未署名）');
    await officeRow.getByRole('button', { name: /督促メールを送る/ }).click();
    await clerk.getByRole('dialog').getByRole('button', { name: '督促メールを送る' }).click(); // it asks first
    await clerk.getByText(new RegExp(`督促メール（\\d+件）を ${managerEmail} へ送りました`)).waitFor();
    expect(await clerk.locator('#offices-matrix tr', { hasText: officeName }).locator('.last-follow-up').textContent()).toMatch(/^最終: /);
    const followUp = await smtp.waitFor((m) => m.to === managerEmail && /ご提出のお願い/.test(m.subject));
    expect(followUp.text).toContain('別紙1 るるめネットにおける情報管理誓約書: 発行済（未署名）');

    // The manager's accounts page.
    await manager.getByRole('link', { name: '事業所のアカウント（職員の招待）' }).click();
    await expectNoAxeViolations(manager, { iframes: false });
  });
  it('training, a question and its answer, a change and a departure, in the pages of a network that requires training', async () => {
    const { office, manager } = await createOfficeWithManager(stack.app, 'musashimurayama');
    const clerkEmail = (await createUser(stack.app, 'secretariat', { networkId: 'musashimurayama' })).email;
    const staffApi = await stack.login(manager.email);
    await staffApi.post('/api/staff').send({ name: '研修 未子', jobTitle: '看護師', email: 'mihako@example.jp' }).expect(201);

    const officePage = await newPage();
    await officePage.goto(`${baseUrl}/office`);
    await logIn(officePage, manager.email);
    await expectNoAxeViolations(officePage, { iframes: false });
    const row = officePage.locator('#staff tr', { hasText: '研修 未子' });
    expect(await row.locator('.state').textContent()).toBe('未受講');

    const clerk = await newPage();
    await clerk.goto(`${baseUrl}/secretariat?office=${office.id}`);
    await logIn(clerk, clerkEmail);
    expect(await clerk.locator('#untrained').textContent()).toContain('1名');
    await expectNoAxeViolations(clerk, { iframes: false });

    // The office records the video; the 事務局's list empties.
    await row.getByLabel(/受講日/).fill('2026-04-10');
    await row.getByLabel(/種類/).selectOption('動画');
    await row.getByRole('button', { name: /受講を記録/ }).click();
    await officePage.getByText('研修 未子さんの動画（2026年4月10日）を記録しました').waitFor();
    expect(await officePage.locator('#staff tr', { hasText: '研修 未子' }).locator('.state').textContent()).toBe('動画 2026年4月10日');
    await clerk.reload();
    expect(await clerk.locator('#untrained').count()).toBe(0);

    // The 事務局 asks about the line; the office answers on its page.
    await clerk.getByRole('link', { name: '登録依頼' }).click();
    const line = clerk.locator('#desk tr', { hasText: '研修 未子' });
    await line.getByText(/事業所に質問する/).click();
    await line.getByLabel(/質問/).fill('職種を確認させてください');
    await line.getByRole('button', { name: /質問を送る/ }).click();
    await clerk.getByText('研修 未子さんについて質問しました').waitFor();
    await expectNoAxeViolations(clerk, { iframes: false });
    expect(await clerk.locator('#desk tr', { hasText: '研修 未子' }).locator('.state').textContent()).toBe('質問中（事業所の回答待ち）');

    await officePage.reload();
    const officeLine = officePage.locator('#registrations tr', { hasText: '研修 未子' });
    expect(await officeLine.textContent()).toContain('質問: 職種を確認させてください');
    await expectNoAxeViolations(officePage, { iframes: false });
    await officeLine.getByLabel(/回答/).fill('訪問看護の看護師です');
    await officeLine.getByRole('button', { name: /回答を送る/ }).click();
    await officePage.getByText('研修 未子さんについての質問に回答しました').waitFor();
    await clerk.reload();
    expect(await clerk.locator('#desk tr', { hasText: '研修 未子' }).textContent()).toContain('回答（');

    // A change and a departure from the staff pages become lines too.
    await officePage.locator('#staff tr', { hasText: '研修 未子' }).getByRole('link', { name: /変更/ }).click();
    await expectNoAxeViolations(officePage, { iframes: false });
    await officePage.getByLabel('職種').fill('訪問看護師');
    await officePage.getByRole('button', { name: '変更する' }).click();
    await officePage.getByText('研修 未子さんの登録内容を変更しました').waitFor();
    await officePage.locator('#staff tr', { hasText: '研修 未子' }).getByRole('link', { name: /退職/ }).click();
    await officePage.getByRole('button', { name: '退職を記録する' }).click(); // on today, as the page proposes
    await officePage.getByText(/研修 未子さんを.+付けで退職として記録しました/).waitFor();
    const kinds = await officePage.locator('#registrations tr', { hasText: '研修 未子' }).locator('td:nth-child(2)').allTextContents();
    expect(kinds.sort()).toEqual(['削除', '変更', '新規']);
  });
});
