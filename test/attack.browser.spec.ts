import { Browser } from 'playwright-core';
import { PNG } from 'pngjs';
import { DataSource } from 'typeorm';
import { launchBrowser, listen } from './support/browser';
import { createOfficeWithManager, createUser } from './support/factories';
import { TestSmtp, linkIn, startSmtp } from './support/smtp';
import { Agent, TEST_PASSWORD, TestStack, startStack } from './support/test-app';
import { axeViolations } from './support/a11y';

/** The pages the findings changed, as their people see them: office staff, and a family member on a phone. */
describe('attack run findings in the browser', () => {
  let stack: TestStack;
  let smtp: TestSmtp;
  let browser: Browser;
  let baseUrl: string;
  let manager: Agent;
  let staffEmail: string;

  beforeAll(async () => {
    smtp = await startSmtp();
    stack = await startStack({ SMTP_URL: smtp.url });
    baseUrl = await listen(stack);
    browser = await launchBrowser();
    const created = await createOfficeWithManager(stack.app, 'rurume');
    manager = await stack.login(created.manager.email);
    staffEmail = (await createUser(stack.app, 'office_staff', { officeId: created.office.id })).email;
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    await smtp?.close();
  });

  it('office staff: the office page says who takes in rosters, and the upload page explains it in Japanese', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 }, locale: 'ja-JP' });
    await page.goto(`${baseUrl}/login`);
    await page.getByLabel('メールアドレス').fill(staffEmail);
    await page.getByLabel('パスワード').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'ログイン' }).click();
    await page.goto(`${baseUrl}/office`);
    expect(await page.locator('main').textContent()).toContain(
      '従事者の登録と名簿からの一括作成（追加・変更・削除）は事業所管理者が行います',
    );
    expect(await page.getByRole('link', { name: /名簿から誓約書をまとめて作成/ }).count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    const response = await page.goto(`${baseUrl}/office/batches/new`);
    expect(response?.status()).toBe(403);
    expect(await page.locator('main').textContent()).toContain('事業所管理者が行います。管理者に依頼してください');
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });

  it('family on a phone: a made-up PIN cookie shows the PIN page, the right PIN the document; the pad draws within 2000 × 1000', async () => {
    const patient = await manager
      .post('/api/patients')
      .send({ name: '画面 ハル', address: '東京都東久留米市画面町3-3', family: [{ name: '画面 健太', relation: '長男' }] })
      .expect(201);
    const doc = await manager.post('/api/documents').send({ form: 'patient-consent', subjectId: patient.body.id }).expect(201);
    await manager.post(`/api/documents/${doc.body.id}/issue`).expect(201);
    const { body: req } = await manager
      .post(`/api/documents/${doc.body.id}/signing`)
      .send({
        signers: [
          { role: 'family1', name: '画面 健太', relation: '長男', method: 'email', email: 'phone@example.jp', accessCode: '2580' },
          { role: 'explainer', name: '説明 看護師', method: 'in_person' },
        ],
      })
      .expect(201);
    const family = req.signers.find((s: { role: string }) => s.role === 'family1');
    const link = `${baseUrl}${linkIn(await smtp.waitFor((m) => m.to === 'phone@example.jp'), '/sign/')}`;

    // A phone with a very sharp screen: 390 px at 5× would draw a 1950-pixel-wide signature; the pad stays within bounds.
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 5,
      isMobile: true,
      hasTouch: true,
      locale: 'ja-JP',
    });
    await phone.addCookies([{ name: `renkei_sign_${family.id}`, value: 'forged-value', url: `${baseUrl}/sign/` }]);
    const page = await phone.newPage();
    await page.goto(link);
    await page.getByRole('heading', { name: '暗証番号の入力' }).waitFor();
    expect(await page.locator('body').textContent()).not.toContain('画面町');
    expect(await axeViolations(page)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);

    await page.getByLabel('暗証番号').fill('2580');
    await page.getByRole('button', { name: '次へ' }).click();
    await page.getByRole('heading', { name: /への署名/ }).waitFor();
    const canvas = await page.locator('#signature-pad').evaluate((c: HTMLCanvasElement) => ({ width: c.width, height: c.height }));
    expect(canvas.width).toBeLessThanOrEqual(2000);
    expect(canvas.height).toBeLessThanOrEqual(1000);
    expect(await axeViolations(page)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);

    await page.locator('#signature-pad').scrollIntoViewIfNeeded();
    const pad = (await page.locator('#signature-pad').boundingBox())!;
    const finger = await phone.newCDPSession(page);
    const at = (x: number) => [{ x: pad.x + x, y: pad.y + pad.height / 2 + Math.sin(x / 20) * 30 }];
    await finger.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(20) });
    for (let x = 30; x < pad.width - 20; x += 10) await finger.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(x) });
    await finger.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await page.getByLabel('書類の内容について説明を受け、内容を確認し、同意します').check();
    await page.getByRole('button', { name: '同意して署名する' }).click();
    await page.getByRole('heading', { name: '署名しました' }).waitFor();

    const [row] = await stack.app.get(DataSource).query(`SELECT signature_image FROM signer WHERE id = $1`, [family.id]);
    const image = PNG.sync.read(Buffer.from(row.signature_image.split(',')[1], 'base64'));
    expect([image.width, image.height]).toEqual([canvas.width, canvas.height]);
    await phone.close();
  });
});
