import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { toSeireki, todayInJapan } from '../src/common/japan-date';
import { RetentionService } from '../src/rights/retention.service';
import { launchBrowser, listen } from './support/browser';
import { expectNoAxeViolations } from './support/a11y';
import { createPatient, issuedConsent, sealedConsent, waitForReceipt } from './support/consents';
import { createOfficeWithManager } from './support/factories';
import { TestSmtp, startSmtp } from './support/smtp';
import { TEST_PASSWORD, TestStack, startStack } from './support/test-app';

/** The office at its desk and the family on a phone, in Chromium: withdrawal, rights requests, disclosure, retention. */
describe("patients' rights in the browser", () => {
  let stack: TestStack;
  let smtp: TestSmtp;
  let browser: Browser;
  let baseUrl: string;

  beforeAll(async () => {
    smtp = await startSmtp();
    stack = await startStack({ SMTP_URL: smtp.url });
    baseUrl = await listen(stack);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    await smtp?.close();
  });

  async function logIn(email: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, locale: 'ja-JP', acceptDownloads: true });
    await page.goto(`${baseUrl}/login`);
    await page.getByLabel('メールアドレス').fill(email);
    await page.getByLabel('パスワード').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'ログイン' }).click();
    await page.waitForURL(`${baseUrl}/office`);
    return page;
  }

  it("records a withdrawal and a rights request, and downloads the disclosure, from the patient's page", async () => {
    const { manager } = await createOfficeWithManager(stack.app, 'rurume');
    const api = await stack.login(manager.email);
    const family = { name: '画面 健太', email: 'kenta.browser@example.jp' };
    const consent = await sealedConsent(stack, smtp, api, '画面 ハル', family);

    const page = await logIn(manager.email);
    await expectNoAxeViolations(page); // the office page, with its rights requests
    await page.getByRole('link', { name: '画面 ハル' }).click();
    await page.getByRole('heading', { level: 1, name: /画面 ハル/ }).waitFor();
    await expectNoAxeViolations(page);

    // A date in the future: the same page, the message beside the field, nothing recorded.
    await page.getByText(`${consent.number}（別紙4）の同意の撤回を記録する`).click();
    const form = page.locator('form', { has: page.getByRole('button', { name: '撤回を記録する' }) });
    await form.getByLabel('受付方法').selectOption({ label: '電話' });
    await form.getByLabel('撤回の受付日').fill('2099-01-01');
    await form.getByRole('button', { name: '撤回を記録する' }).click();
    await page.getByRole('dialog').getByRole('button', { name: '撤回を記録する' }).click(); // it asks first
    await page.getByText('未来の日付は入力できません').waitFor();
    await expectNoAxeViolations(page);
    await form.getByLabel('撤回の受付日').fill(todayInJapan());
    await form.getByLabel('備考（任意・撤回受付票に載ります）').fill('長男様よりお電話');
    await form.getByRole('button', { name: '撤回を記録する' }).click();
    await page.getByRole('dialog').getByRole('button', { name: '撤回を記録する' }).click(); // it asks first
    await page.getByText('同意の撤回を記録しました').waitFor();
    await page.locator('#documents tr', { hasText: consent.number }).getByText('撤回').waitFor();

    // The 撤回受付票, once sealed, beside the withdrawal.
    await waitForReceipt(api, consent.id);
    await page.reload();
    const withdrawal = page.locator('#withdrawals tr', { hasText: consent.number });
    await withdrawal.getByRole('link', { name: '撤回受付票 原本（事業所用）' }).waitFor();
    expect(await withdrawal.textContent()).toContain(toSeireki(todayInJapan()));

    // A disclosure request, received today: due in 14 days, in one date style.
    await page.getByText('新しい請求を記録する').click();
    await page.getByLabel('請求の種類').selectOption({ label: '開示' });
    await page.getByLabel('受付方法').last().selectOption({ label: '書面' });
    await page.getByRole('button', { name: '請求を記録する' }).click();
    await page.getByText('開示の請求を記録しました').waitFor();
    const due = todayInJapan(new Date(Date.now() + 14 * 86_400_000));
    await page.locator('#rights tr', { hasText: '開示' }).getByText(toSeireki(due)).waitFor();

    // The disclosure: a ZIP with everything, its cover first.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: '開示資料（ZIP）をダウンロード' }).click(),
    ]);
    const file = join(mkdtempSync(join(tmpdir(), 'renkei-disclosure-')), download.suggestedFilename());
    await download.saveAs(file);
    const names = execFileSync('zipinfo', ['-1', file], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(names).toEqual(
      expect.arrayContaining([
        'index.pdf',
        'patient.json',
        'access-log.csv',
        `documents/${consent.number}/v1.pdf`,
        `documents/${consent.number}/withdrawal-receipt.pdf`,
      ]),
    );

    // The request answered.
    await page.goto(`${baseUrl}/office/patients/${consent.patientId}`);
    await page.getByText(/開示の請求（.*受付）に回答する/).click();
    await page.getByLabel('応じた（回答済み）').check();
    await page.getByLabel('回答の内容（拒否の場合はその理由・必須）').fill('開示資料を交付しました');
    await page.getByRole('button', { name: '回答を記録する' }).click();
    await page.getByText('開示の請求に回答しました（回答済み）').waitFor();
    await expectNoAxeViolations(page);

    // The consent's own page says it was revoked and shows the receipt's exemplars.
    await page.getByRole('link', { name: consent.number }).first().click();
    await page.getByText(/この同意は.*に撤回されました/).waitFor();
    await expectNoAxeViolations(page);
    await page.close();
  });

  it('lets the family withdraw on a 390 px phone, through the link in their e-mail', async () => {
    const { manager } = await createOfficeWithManager(stack.app, 'rurume');
    const api = await stack.login(manager.email);
    const family = { name: '電話 次郎', email: 'jiro.phone@example.jp' };
    await sealedConsent(stack, smtp, api, '電話 トメ', family);
    const copy = await smtp.waitFor((m) => m.to === family.email && m.subject.includes('署名済み'));
    const link = new URL(/https?:\/\/\S+\/withdraw\/[A-Za-z0-9_-]+/.exec(copy.text)![0]).pathname;

    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'ja-JP' });
    const page = await phone.newPage();
    await page.goto(`${baseUrl}${link}`);
    await page.getByRole('heading', { name: '同意の撤回' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await expectNoAxeViolations(page);
    await page.getByRole('button', { name: '同意を撤回する' }).click();
    await page.getByText('「同意を撤回します」にチェックを入れてください').waitFor();
    await expectNoAxeViolations(page);
    await page.getByLabel(/への連絡事項/).fill('本人の希望です');
    await page.getByLabel('同意を撤回します').check();
    await page.getByRole('button', { name: '同意を撤回する' }).click();
    await page.getByRole('heading', { name: '撤回を受け付けました' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.goto(`${baseUrl}${link}`);
    await page.getByText('撤回されています').waitFor();
    await expectNoAxeViolations(page);
    await phone.close();
  });

  it('prepares a disclosure whose PDFs are still printed, then downloads it; lists what is past retention for disposal', async () => {
    const { manager } = await createOfficeWithManager(stack.app, 'rurume');
    const api = await stack.login(manager.email);
    const patient = await createPatient(api, '保存 キヨ', { name: '保存 一郎', email: 'ichiro.retention@example.jp' });
    // A draft never printed: the disclosure waits for its PDF.
    await api.post('/api/documents').send({ form: 'patient-consent', subjectId: patient.id }).expect(201);
    const page = await logIn(manager.email);
    const downloaded = page.waitForEvent('download', { timeout: 60_000 });
    await page.goto(`${baseUrl}/office/patients/${patient.id}/export`);
    await page.getByRole('heading', { name: '開示資料を準備しています' }).waitFor();
    await expectNoAxeViolations(page);
    // The page asks until the worker has printed the draft, then the ZIP downloads by itself.
    expect((await downloaded).suggestedFilename()).toMatch(/^disclosure-\d{4}-\d{2}-\d{2}\.zip$/);

    // A consent revoked six years ago: past its retention (5 years from the end of its use).
    const old = await issuedConsent(api, patient.id);
    await api.post(`/api/documents/${old.id}/paper-signature`).expect(201);
    await api.post(`/api/documents/${old.id}/consent-withdrawal`).send({ receivedVia: 'paper', receivedAt: todayInJapan() }).expect(201);
    await waitForReceipt(api, old.id);
    await stack.app.get(DataSource).query(`UPDATE document SET ended_on = (ended_on - interval '6 years')::date WHERE id = $1`, [old.id]);
    await stack.worker.get(RetentionService).scan();

    await page.goto(`${baseUrl}/office`);
    await page.getByRole('link', { name: '確認して廃棄する' }).click();
    await page.getByRole('heading', { name: '保存期間を過ぎた書類' }).waitFor();
    await expectNoAxeViolations(page);
    await page.getByRole('button', { name: '廃棄を確定する' }).click();
    await page.getByText('元に戻せないことを確認して、チェックを入れてください').waitFor();
    await page.getByLabel(`${old.number}を廃棄する`).check();
    await page.getByLabel(/元に戻せないことを確認しました/).check();
    await page.getByRole('button', { name: '廃棄を確定する' }).click();
    await page.getByText('1件の書類を廃棄（消去）しました').waitFor();
    await expectNoAxeViolations(page);
    expect((await api.get(`/api/documents/${old.id}`).expect(200)).body.status).toBe('erased');
    await page.close();
  });
});
