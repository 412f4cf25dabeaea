import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import { launchBrowser, listen } from './support/browser';
import { createOfficeWithManager } from './support/factories';
import { pdfText, squeeze } from './support/pdf-tools';
import { TestSmtp, linkIn, startSmtp } from './support/smtp';
import { TEST_PASSWORD, TestStack, startStack } from './support/test-app';

/** The whole rurume consent (別紙4) in a real browser, as the issue describes it. */
describe('signing a consent in the browser', () => {
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

  async function pdfFrom(page: Page, url: string): Promise<Buffer> {
    const response = await page.request.get(url);
    expect(response.headers()['content-type']).toBe('application/pdf');
    return Buffer.from(await response.body());
  }

  it('staff sends links → family signs on a phone with PIN and finger → staff countersigns → sealed, verified, delivered', async () => {
    const { manager } = await createOfficeWithManager(stack.app, 'rurume');
    const staffApi = await stack.login(manager.email);
    await staffApi
      .post('/api/patients')
      .send({ name: '同意 トメ', birthDate: '1936-03-03', address: '東京都東久留米市本町5-5-5' })
      .expect(201);

    // Staff, on the office's tablet: create the consent for the patient, issue it, ask for signatures.
    const staff = await browser.newPage({ viewport: { width: 1024, height: 1300 }, locale: 'ja-JP' });
    await staff.goto(`${baseUrl}/login`);
    await staff.getByLabel('メールアドレス').fill(manager.email);
    await staff.getByLabel('パスワード').fill(TEST_PASSWORD);
    await staff.getByRole('button', { name: 'ログイン' }).click();
    await staff.locator('tr', { hasText: '同意 トメ' }).getByRole('link', { name: /別紙4/ }).click();
    await staff.getByRole('button', { name: '作成して発行' }).click();
    await staff.getByRole('heading', { name: '電子署名' }).waitFor();
    const family = staff.locator('fieldset', { hasText: '患者家族1' });
    await family.getByLabel('氏名').fill('同意 一郎');
    await family.getByLabel('続柄').fill('長男');
    await family.getByLabel('メールアドレス').fill('ichiro.family@example.jp');
    await family.getByLabel('暗証番号（任意）').fill('1357');
    const explainer = staff.locator('fieldset', { hasText: '説明・同意書取得' });
    await explainer.getByLabel('氏名').fill('訪問 看護師');
    await explainer.getByLabel('方法').selectOption('in_person');
    await staff.getByRole('button', { name: '署名を依頼する' }).click();
    await staff.getByText('署名を依頼しました').waitFor();

    // The family's phone: the e-mail arrives at the SMTP server; the link asks for the PIN, then a finger signature.
    const mail = await smtp.waitFor((m) => m.to === 'ichiro.family@example.jp');
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'ja-JP' });
    const sign = await phone.newPage();
    await sign.goto(`${baseUrl}${linkIn(mail, '/sign/')}`);
    await sign.getByLabel('暗証番号').fill('1357');
    await sign.getByRole('button', { name: '次へ' }).click();
    await sign.getByRole('heading', { name: /在宅医療における個人情報連携同意書への署名/ }).waitFor();
    expect(await sign.getByLabel('患者さまとの続柄 *').inputValue()).toBe('長男');
    // A finger on the signature pad: real touch events, as a phone sends them.
    await sign.locator('#signature-pad').scrollIntoViewIfNeeded();
    const pad = (await sign.locator('#signature-pad').boundingBox())!;
    const finger = await phone.newCDPSession(sign);
    const at = (x: number) => [{ x: pad.x + x, y: pad.y + pad.height / 2 + Math.sin(x / 20) * 30 }];
    await finger.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(20) });
    for (let x = 30; x < pad.width - 20; x += 10) await finger.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(x) });
    await finger.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await sign.getByLabel('書類の内容について説明を受け、内容を確認し、同意します').check();
    await sign.getByRole('button', { name: '同意して署名する' }).click();
    await sign.getByRole('heading', { name: '署名しました' }).waitFor();

    // Back at the home: the nurse countersigns on the tablet.
    await staff.reload();
    await staff.locator('tr', { hasText: '説明・同意書取得者' }).getByRole('link', { name: 'この端末で署名' }).click();
    await staff.getByRole('radio', { name: '文字で入力する' }).check();
    await staff.getByLabel('お名前（署名として印字されます）').fill('訪問 看護師');
    // The nurse gave the explanation: only the patient's side confirms receiving it.
    expect(await staff.locator('label.consent').textContent()).not.toContain('説明を受け');
    await staff.getByLabel('書類の内容を確認し、署名します').check();
    await staff.getByRole('button', { name: '同意して署名する' }).click();
    await staff.getByText('対面での署名を記録しました').waitFor();

    // Sealed: the office's original passes pdfsig and carries the audit page.
    let sealed: Buffer | null = null;
    const documentUrl = staff.url().split('?')[0];
    for (let i = 0; i < 100 && !sealed; i++) {
      await staff.goto(documentUrl);
      if ((await staff.locator('main').textContent())?.includes('電子署名')) {
        const section = staff.locator('section', { hasText: '原本（事業所用）' });
        if ((await section.textContent())?.includes('電子署名'))
          sealed = await pdfFrom(staff, `${baseUrl}${await section.getByRole('link', { name: '印刷用PDF' }).getAttribute('href')}`);
      }
      if (!sealed) await new Promise((r) => setTimeout(r, 200));
    }
    expect(sealed).not.toBeNull();
    const dir = mkdtempSync(join(tmpdir(), 'renkei-sealed-'));
    writeFileSync(join(dir, 'sealed.pdf'), sealed!);
    const report = spawnSync('pdfsig', [join(dir, 'sealed.pdf')], { encoding: 'utf8' }).stdout;
    expect(report).toContain('Signature Validation: Signature is Valid.');
    expect(report).toContain('Total document signed');
    const text = squeeze(pdfText(sealed!));
    expect(text).toContain('電子署名の監査記録');
    expect(text).toContain('ichiro.family@example.jp');
    expect(text).toMatch(/氏名：同意一郎/);

    // Each party has its exemplar: the family by e-mail (its own 原本), the office on its document page.
    const delivered = await smtp.waitFor((m) => m.to === 'ichiro.family@example.jp' && m.subject.includes('署名済み'));
    // The copy's link is behind the family's 暗証番号 too (issue 21): it asks for it first, then downloads.
    const copyLink = `${baseUrl}${linkIn(delivered, '/d/')}`;
    expect((await sign.request.get(copyLink)).status()).toBe(401);
    await sign.goto(copyLink);
    await sign.getByLabel('暗証番号').fill('1357');
    await Promise.all([sign.waitForEvent('download'), sign.getByRole('button', { name: '次へ' }).click()]);
    const familyCopy = await pdfFrom(sign, copyLink);
    expect(familyCopy.equals(sealed!)).toBe(true);

    // The verification page, on the phone: the file is genuine; one flipped byte is not.
    await sign.goto(`${baseUrl}/verify`);
    await sign.getByLabel('PDFファイル').setInputFiles({ name: 'consent.pdf', mimeType: 'application/pdf', buffer: familyCopy });
    await sign.getByRole('button', { name: '確かめる' }).click();
    expect(await sign.locator('#verify-result').textContent()).toContain('本サービスが封緘した文書です');
    const flipped = Buffer.from(familyCopy);
    flipped[Math.floor(flipped.length / 2)] ^= 0x20;
    await sign.getByLabel('PDFファイル').setInputFiles({ name: 'consent.pdf', mimeType: 'application/pdf', buffer: flipped });
    await sign.getByRole('button', { name: '確かめる' }).click();
    expect(await sign.locator('#verify-result').textContent()).toContain('変更されています');
    writeFileSync(join(dir, 'flipped.pdf'), flipped);
    expect(spawnSync('pdfsig', [join(dir, 'flipped.pdf')], { encoding: 'utf8' }).stdout).not.toContain('Signature is Valid');
    if (process.env.RENKEI_KEEP_ARTIFACTS) writeFileSync(process.env.RENKEI_KEEP_ARTIFACTS, sealed!);
    await phone.close();
  });
});
