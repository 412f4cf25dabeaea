import { Browser, BrowserContext, Page } from 'playwright-core';
import { axeViolations } from './support/a11y';
import { launchBrowser, listen } from './support/browser';
import { createOfficeWithManager } from './support/factories';
import { TestSmtp, linkIn, startSmtp } from './support/smtp';
import { Agent, TEST_PASSWORD, TestStack, startStack } from './support/test-app';

/** The family on a 390 px phone and the office on a desktop, in Debian's Chromium. */
describe('signing in the browser: the family on a phone, the office overseeing', () => {
  let stack: TestStack;
  let smtp: TestSmtp;
  let browser: Browser;
  let baseUrl: string;
  let api: Agent;
  let managerEmail: string;
  let staff: Page;

  beforeAll(async () => {
    smtp = await startSmtp();
    stack = await startStack({ SMTP_URL: smtp.url });
    baseUrl = await listen(stack);
    browser = await launchBrowser();
    managerEmail = (await createOfficeWithManager(stack.app, 'rurume')).manager.email;
    api = await stack.login(managerEmail);
    staff = await browser.newPage({ viewport: { width: 1200, height: 1000 }, locale: 'ja-JP' });
    await staff.goto(`${baseUrl}/login`);
    await staff.getByLabel('メールアドレス').fill(managerEmail);
    await staff.getByLabel('パスワード').fill(TEST_PASSWORD);
    await staff.getByRole('button', { name: 'ログイン' }).click();
    await staff.waitForURL(/\/office/);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    await smtp?.close();
  });

  const phone = (): Promise<BrowserContext> =>
    browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'ja-JP' });

  async function expectAccessible(page: Page): Promise<void> {
    expect(await axeViolations(page)).toEqual([]);
  }

  /** Nothing wider than the phone, every input at least 16 px, and no developer links. */
  async function expectPhoneFriendly(page: Page): Promise<void> {
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const sizes = await page.$$eval('input:not([type=hidden]), select, textarea', (els) =>
      els.map((e) => parseFloat(getComputedStyle(e).fontSize)),
    );
    for (const size of sizes) expect(size).toBeGreaterThanOrEqual(16);
    const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => a.getAttribute('href') ?? ''));
    expect(hrefs.filter((h) => /^\/(api|docs|forms|health)\b/.test(h))).toEqual([]);
  }

  /** An issued consent sent to one family member by e-mail (optionally with a PIN) and the nurse in person. */
  async function sentConsent(email: string, accessCode?: string): Promise<{ docId: string; number: string; link: string }> {
    const patient = await api.post('/api/patients').send({ name: '電話 ハル', address: '東京都東久留米市電話町1-1-1' }).expect(201);
    const doc = await api.post('/api/documents').send({ form: 'patient-consent', subjectId: patient.body.id }).expect(201);
    await api.post(`/api/documents/${doc.body.id}/issue`).expect(201);
    await api
      .post(`/api/documents/${doc.body.id}/signing`)
      .send({
        signers: [
          { role: 'family1', name: '電話 一郎', relation: '長男', method: 'email', email, ...(accessCode ? { accessCode } : {}) },
          { role: 'explainer', name: '説明 看護師', method: 'in_person' },
        ],
      })
      .expect(201);
    const link = linkIn(await smtp.waitFor((m) => m.to === email), '/sign/');
    return { docId: doc.body.id, number: doc.body.number, link };
  }

  async function drawOn(page: Page, context: BrowserContext): Promise<void> {
    await page.locator('#signature-pad').scrollIntoViewIfNeeded();
    const pad = (await page.locator('#signature-pad').boundingBox())!;
    const finger = await context.newCDPSession(page);
    const at = (x: number) => [{ x: pad.x + x, y: pad.y + pad.height / 2 + Math.sin(x / 20) * 30 }];
    await finger.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(20) });
    for (let x = 30; x < pad.width - 20; x += 10) await finger.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(x) });
    await finger.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  }

  const inkOnPad = (page: Page) =>
    page.$eval('#signature-pad', (c) => {
      const canvas = c as HTMLCanvasElement;
      const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let ink = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) ink++;
      return ink;
    });

  it('on a phone: the whole document fits 390 px, and an error keeps the drawn signature and the tick', async () => {
    const { link } = await sentConsent('phone.family@example.jp');
    const context = await phone();
    const page = await context.newPage();
    await page.goto(`${baseUrl}${link}`);
    await page.getByRole('heading', { name: /への署名/ }).waitFor();
    await expectPhoneFriendly(page);
    await expectAccessible(page);

    // The document as printed, at the device's width: every page scaled to fit, nothing sideways.
    const view = await context.newPage();
    await view.goto(`${baseUrl}${link}/document`);
    await view.waitForFunction(() => document.body.style.zoom !== '');
    expect(await view.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await view.locator('body').textContent()).toContain('電話 ハル');
    await view.close();
    await page.bringToFront(); // a page in the background gets its touch events slowly

    // A drawn signature and the tick, but no 続柄: the page comes back with both kept.
    await page.getByLabel('患者さまとの続柄 *').fill('');
    await drawOn(page, context);
    expect(await inkOnPad(page)).toBeGreaterThan(100);
    await page.getByLabel('書類の内容について説明を受け、内容を確認し、同意します').check();
    await page.getByRole('button', { name: '同意して署名する' }).click();
    await page.getByText('続柄を入力してください').first().waitFor();
    expect(await page.getByLabel('書類の内容について説明を受け、内容を確認し、同意します').isChecked()).toBe(true);
    expect(await page.getByRole('radio', { name: '指で書く' }).isChecked()).toBe(true);
    await page.waitForFunction(() => {
      const c = document.getElementById('signature-pad') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) return true;
      return false;
    });
    await expectPhoneFriendly(page);
    await expectAccessible(page);

    // Only the 続柄 is added: the kept signature is what is signed.
    await page.getByLabel('患者さまとの続柄 *').fill('長男');
    await page.getByRole('button', { name: '同意して署名する' }).click();
    await page.getByRole('heading', { name: '署名しました' }).waitFor();
    await expectAccessible(page);

    // The other public pages: no developer links, inputs of 16 px.
    for (const path of ['/verify', '/apply/rurume']) {
      await page.goto(`${baseUrl}${path}`);
      await expectPhoneFriendly(page);
      await expectAccessible(page);
    }
    await context.close();
  }, 150_000);

  it('a decline with its reason is seen by the office: overview, document page, documents list', async () => {
    const { docId, number, link } = await sentConsent('phone.decline@example.jp');
    const context = await phone();
    const page = await context.newPage();
    await page.goto(`${baseUrl}${link}`);
    await page.getByText('署名しない（辞退する）').click();
    await page.getByLabel('辞退の理由（任意）').fill('施設に入所が決まったため');
    await page.getByRole('button', { name: '辞退する' }).click();
    await page.getByRole('heading', { name: '辞退しました' }).waitFor();
    await expectAccessible(page);
    await context.close();

    const mail = await smtp.waitFor((m) => m.to === managerEmail && m.subject.includes('辞退') && m.text.includes(number));
    expect(mail.text).toContain('施設に入所が決まったため');

    await staff.goto(`${baseUrl}/office`);
    expect(await staff.locator('tr', { hasText: number }).textContent()).toContain('署名辞退');
    await expectAccessible(staff);
    await staff.getByRole('link', { name: '署名依頼の状況' }).click();
    await staff.getByRole('heading', { name: '署名依頼の状況' }).waitFor();
    expect(await staff.locator('section', { hasText: number }).textContent()).toContain('理由: 施設に入所が決まったため');
    await expectAccessible(staff);
    await staff.goto(`${baseUrl}/documents/${docId}`);
    expect(await staff.locator('main').textContent()).toContain('施設に入所が決まったため');
    expect(await staff.locator('main').textContent()).toContain('状態: 署名辞退');
    await expectAccessible(staff);
  }, 120_000);

  it('PIN lock → the office resends → the family signs with the new link; cancel and 対面に切替 ask first', async () => {
    const { docId, link } = await sentConsent('phone.locked@example.jp', '8642');
    const context = await phone();
    const page = await context.newPage();
    await page.goto(`${baseUrl}${link}`);
    await expectPhoneFriendly(page);
    await expectAccessible(page);
    for (let i = 0; i < 5; i++) {
      await page.getByLabel('暗証番号').fill('0000');
      await page.getByRole('button', { name: '次へ' }).click();
      await page.waitForLoadState();
    }
    await page.getByText('ロックされました').waitFor();
    await expectAccessible(page);

    await staff.goto(`${baseUrl}/documents/${docId}`);
    await staff.getByText('暗証番号ロック中').waitFor();
    await staff.getByRole('button', { name: 'リンクを再送' }).click();
    await staff.getByRole('dialog').getByRole('button', { name: 'リンクを再送' }).click(); // it asks first
    await staff.getByText('新しいリンクを送りました').waitFor();
    const fresh = linkIn(await smtp.waitFor((m) => m.to === 'phone.locked@example.jp' && !m.text.includes(link)), '/sign/');
    await page.goto(`${baseUrl}${fresh}`);
    await page.getByLabel('暗証番号').fill('8642');
    await page.getByRole('button', { name: '次へ' }).click();
    await page.getByRole('radio', { name: '文字で入力する' }).check();
    await page.getByLabel('お名前（署名として印字されます）').fill('電話 一郎');
    await page.getByLabel('書類の内容について説明を受け、内容を確認し、同意します').check();
    await page.getByRole('button', { name: '同意して署名する' }).click();
    await page.getByRole('heading', { name: '署名しました' }).waitFor();
    await context.close();

    // Another request: 対面に切替 and cancel each go through a confirmation page.
    const other = await sentConsent('phone.switch@example.jp', '1111');
    await staff.goto(`${baseUrl}/documents/${other.docId}`);
    await staff.locator('tr', { hasText: '患者家族1' }).getByRole('link', { name: '対面に切替' }).click();
    await staff.getByRole('heading', { name: '対面での署名に切り替える' }).waitFor();
    await expectAccessible(staff);
    await staff.getByRole('button', { name: '対面に切替' }).click();
    await staff.getByText('対面での署名に切り替えました').waitFor();
    await staff.locator('tr', { hasText: '患者家族1' }).getByRole('link', { name: 'この端末で署名' }).click();
    await staff.getByText('対面での署名（この端末の職員が立ち会います）').waitFor();
    await expectAccessible(staff);
    // The signing screen leads only back to staff, with their password.
    await staff.getByRole('link', { name: '職員に戻す' }).click();
    await staff.getByLabel('職員のパスワード').fill(TEST_PASSWORD);
    await staff.getByRole('button', { name: '職員の画面に戻る' }).click();
    await staff.getByRole('link', { name: 'この依頼を取り消す' }).click();
    await staff.getByRole('heading', { name: '署名依頼の取り消し' }).waitFor();
    await expectAccessible(staff);
    await staff.getByRole('button', { name: '取り消す' }).click();
    await staff.getByText('署名依頼を取り消しました').waitFor();
    await expectAccessible(staff);
  }, 120_000);
});
