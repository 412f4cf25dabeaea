import { Browser, BrowserContext, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { axeViolations } from './support/a11y';
import { launchBrowser, listen } from './support/browser';
import { waitForSeal } from './support/consents';
import { createOfficeWithManager } from './support/factories';
import { pdfText, squeeze } from './support/pdf-tools';
import { TestSmtp, startSmtp } from './support/smtp';
import { Agent, TEST_PASSWORD, TestStack, getPdf, startStack } from './support/test-app';

/** The office's tablet on a home visit, in Debian's Chromium: taken online, read and signed offline, sent later. */
describe('visits in the browser: a consent signed offline on the tablet and sealed once it is back online', () => {
  let stack: TestStack;
  let smtp: TestSmtp;
  let browser: Browser;
  let baseUrl: string;
  let api: Agent;
  let managerEmail: string;
  let db: DataSource;

  beforeAll(async () => {
    smtp = await startSmtp();
    stack = await startStack({ SMTP_URL: smtp.url });
    baseUrl = await listen(stack);
    browser = await launchBrowser();
    db = stack.app.get(DataSource);
    managerEmail = (await createOfficeWithManager(stack.app, 'rurume')).manager.email;
    api = await stack.login(managerEmail);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    await smtp?.close();
  });

  const tablet = (): Promise<BrowserContext> =>
    browser.newContext({ viewport: { width: 820, height: 1180 }, isMobile: true, hasTouch: true, locale: 'ja-JP' });

  /** An issued consent: the patient and a family member sign on the visit; the explaining nurse signed at the office. */
  async function consentForVisit(name: string): Promise<{ docId: string; number: string; requestId: string }> {
    const patient = await api.post('/api/patients').send({ name, address: '東京都東久留米市山村1-1-1' }).expect(201);
    const doc = await api.post('/api/documents').send({ form: 'patient-consent', subjectId: patient.body.id }).expect(201);
    await api.post(`/api/documents/${doc.body.id}/issue`).expect(201);
    const request = await api
      .post(`/api/documents/${doc.body.id}/signing`)
      .send({
        signers: [
          { role: 'patient', name, method: 'in_person' },
          { role: 'family1', name: `${name} 長男`, relation: '長男', method: 'in_person' },
          { role: 'explainer', name: '訪問 看護師', method: 'in_person' },
        ],
      })
      .expect(201);
    const explainer = request.body.signers.find((s: { role: string }) => s.role === 'explainer');
    await api
      .post(`/api/signing/${request.body.id}/signers/${explainer.id}/in-person`)
      .send({ consent: true, signatureKind: 'typed', typedName: '訪問 看護師' })
      .expect(201);
    return { docId: doc.body.id, number: doc.body.number, requestId: request.body.id };
  }

  async function logIn(page: Page): Promise<void> {
    await page.goto(`${baseUrl}/login`);
    await page.getByLabel('メールアドレス').fill(managerEmail);
    await page.getByLabel('パスワード').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'ログイン' }).click();
    await page.waitForURL(/\/office/);
  }

  /** 「訪問に持ち出す」 on the document's page, then /visit readied with the staff password, its shell kept. */
  async function takeAndOpenVisit(page: Page, docId: string): Promise<void> {
    await page.goto(`${baseUrl}/documents/${docId}`);
    await page.getByRole('button', { name: '訪問に持ち出す' }).click();
    await page.getByText('訪問に持ち出しました').waitFor();
    await page.goto(`${baseUrl}/visit`);
    await page.locator('#view-prepare').getByLabel('職員のパスワード').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'この端末に保存する' }).click();
    await page.getByRole('heading', { name: '持ち出した書類' }).waitFor();
    // The service worker is running and holds the page: what offline needs.
    await page.waitForFunction(async () => {
      await navigator.serviceWorker.ready;
      return !!(await caches.match('/visit')) && !!(await caches.match('/assets/visit.js'));
    });
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

  /** One signer on the kiosk screen: reads, signs drawn, and the staff password takes the tablet back. */
  async function signAs(page: Page, context: BrowserContext, who: string, check: (page: Page) => Promise<void> = async () => {}) {
    await page.getByRole('button', { name: `${who} さんが署名する` }).click();
    await page.getByRole('heading', { name: /への署名/ }).waitFor();
    // The signer's screen: the document's own text, no list, no office menu, no way back but the password.
    expect(await page.locator('#reading').textContent()).toContain('個人情報');
    await expect(page.getByRole('button', { name: '一覧に戻る' }).isVisible()).resolves.toBe(false);
    expect(await page.getByRole('link', { name: '事業所' }).count()).toBe(0);
    await check(page);
    await drawOn(page, context);
    await page.getByLabel('書類の内容について説明を受け、内容を確認し、同意します').check();
    await page.getByRole('button', { name: '同意して署名する' }).click();
    await page.getByRole('heading', { name: '署名しました' }).waitFor();
    await page.locator('#view-handback').getByLabel('職員のパスワード').fill('wrong-password-1');
    await page.getByRole('button', { name: '職員の画面に戻る' }).click();
    await page.getByText('パスワードが違います').waitFor();
    await page.locator('#view-handback').getByLabel('職員のパスワード').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: '職員の画面に戻る' }).click();
    await page.getByRole('heading', { name: '持ち出した書類' }).waitFor();
  }

  /** What the device keeps: names of its IndexedDB databases, and whether any record holds readable text. */
  const deviceData = (page: Page) =>
    page.evaluate(async () => {
      const names = (await indexedDB.databases()).map((d) => d.name);
      if (!names.includes('renkei-visit')) return { names, records: 0, plain: false, keyExtractable: null as boolean | null };
      const database: IDBDatabase = await new Promise((resolve, reject) => {
        const open = indexedDB.open('renkei-visit');
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const all = (store: string): Promise<unknown[]> =>
        new Promise((resolve) => {
          const read = database.transaction(store).objectStore(store).getAll();
          read.onsuccess = () => resolve(read.result);
        });
      const records = [...(await all('meta')), ...(await all('signatures'))];
      const key = records.find((r) => r instanceof CryptoKey) as CryptoKey | undefined;
      const plain = records.some((r) => !(r instanceof CryptoKey) && /訪問|[ぁ-ん]/.test(JSON.stringify(r)));
      database.close();
      return { names, records: records.length, plain, keyExtractable: key ? key.extractable : null };
    });

  it('takes a consent on a visit, reads and signs it offline as patient and family, and seals it once synced', async () => {
    const { docId, number, requestId } = await consentForVisit('山村 ハル');
    const context = await tablet();
    const page = await context.newPage();
    await logIn(page);
    await takeAndOpenVisit(page, docId);
    expect(await page.locator('#visit-documents').textContent()).toContain(number);
    expect(await axeViolations(page)).toEqual([]);
    // Kept encrypted: no readable text on the device, and a key no script can read out.
    expect(await deviceData(page)).toMatchObject({ plain: false, keyExtractable: false });

    // No signal at the patient's home: the app opens from the device.
    await context.setOffline(true);
    await page.reload();
    await page.getByRole('heading', { name: '持ち出した書類' }).waitFor();
    await page.getByText('オフライン（電波がありません）').waitFor();

    await signAs(page, context, '山村 ハル', async (signing) => {
      expect(await axeViolations(signing)).toEqual([]);
      // The sheet as printed, from the device too; back on the signer's screen, still held.
      await signing.getByRole('link', { name: '印刷される書類（A4）で見る' }).click();
      await signing.waitForURL(/\/visit\/printed#/);
      await signing.locator('.page').first().waitFor();
      expect(await signing.locator('body').textContent()).toContain('山村 ハル');
      await signing.goBack();
      await signing.getByRole('heading', { name: /への署名/ }).waitFor();
    });
    await signAs(page, context, '山村 ハル 長男', async (signing) => {
      expect(await signing.getByLabel('患者さまとの続柄 *').inputValue()).toBe('長男');
    });

    // Reloaded, still offline: both signatures wait on the device.
    await page.reload();
    await page.getByRole('heading', { name: '持ち出した書類' }).waitFor();
    expect(await page.getByText('署名済み・未送信').count()).toBe(2);
    expect(await page.locator('#pending-summary').textContent()).toContain('2件');
    expect(await deviceData(page)).toMatchObject({ plain: false });
    expect(await axeViolations(page)).toEqual([]);
    const [unsent] = await db.query(`SELECT count(*)::int AS n FROM signer WHERE request_id = $1 AND status = 'signed'`, [requestId]);
    expect(unsent.n).toBe(1); // only the nurse, signed at the office

    // Back online: sent (on the online event, and 「送信する」), then deleted from the device.
    await context.setOffline(false);
    await page.getByRole('button', { name: '送信する' }).click();
    await page.getByText('未送信の署名はありません').waitFor();
    await waitForSeal(db, requestId);
    const sealedDoc = await api.get(`/api/documents/${docId}`).expect(200);
    expect(sealedDoc.body.status).toBe('signed');
    const original = sealedDoc.body.exemplars.find((e: { holder: string }) => e.holder === 'office');
    const text = squeeze(pdfText(await getPdf(api, `/api/exemplars/${original.code}/pdf`)));
    expect(text).toContain('訪問先でオフライン署名（担当:');
    expect(text.match(/端末で署名:/g)?.length).toBe(2);
    expect(text.match(/受信:/g)?.length).toBe(2);
    const signers = await db.query(`SELECT signed_offline_at, signed_at FROM signer WHERE request_id = $1 AND visit_id IS NOT NULL`, [
      requestId,
    ]);
    expect(signers).toHaveLength(2);
    for (const s of signers) expect(new Date(s.signed_at).getTime()).toBeGreaterThan(new Date(s.signed_offline_at).getTime());
    await page.reload();
    await page.getByText('署名を待つ書類はありません').waitFor();
    await context.close();
  }, 240_000);

  it('a signature refused on sync is shown with its reason and kept until discarded; an expired visit is wiped', async () => {
    const first = await consentForVisit('川上 キヨ');
    const second = await consentForVisit('川下 ウメ');
    const context = await tablet();
    const page = await context.newPage();
    await logIn(page);
    await page.goto(`${baseUrl}/documents/${first.docId}`);
    await page.getByRole('button', { name: '訪問に持ち出す' }).click();
    await takeAndOpenVisit(page, second.docId);
    await context.setOffline(true);
    await signAs(page, context, '川上 キヨ');
    await signAs(page, context, '川下 ウメ');

    // Meanwhile the office withdrew the first document: its signature is refused, and the staff member told why.
    await api.post(`/api/documents/${first.docId}/withdraw`).expect(201);
    await context.setOffline(false);
    await page.getByRole('button', { name: '送信する' }).click();
    await page.getByText('受け付けられなかった署名があります').waitFor();
    await page.getByText('書類が取り下げ・訂正されました').waitFor();
    expect(await page.locator('#visit-documents').textContent()).toContain('取り下げられたため');
    expect(await axeViolations(page)).toEqual([]);
    await page.reload();
    await page.getByText('書類が取り下げ・訂正されました').waitFor(); // kept on the device…
    await page.getByRole('button', { name: 'この署名を破棄する' }).click();
    await page.getByText('川上 キヨ（患者）').waitFor({ state: 'detached' }); // …until the staff member discards it

    // VISIT_HOURS later, with a signature still on the device: the server refuses it, the device forgets the visit.
    await context.setOffline(true);
    await signAs(page, context, '川下 ウメ 長男');
    await db.query(`UPDATE visit SET expires_at = now() - interval '1 minute' WHERE user_id = (SELECT id FROM app_user WHERE email = $1)`, [
      managerEmail,
    ]);
    await page.clock.install({ time: new Date(Date.now() + 25 * 3_600_000) });
    await context.setOffline(false);
    await page.reload();
    await page.getByText('訪問の期限').first().waitFor();
    await page.getByText('この端末の訪問のデータを消去しました').waitFor();
    expect(await deviceData(page)).toMatchObject({ records: 0 });
    const refusals = await db.query(
      `SELECT refusal_code FROM visit_signature s JOIN visit v ON v.id = s.visit_id JOIN app_user u ON u.id = v.user_id WHERE s.status = 'refused' AND u.email = $1`,
      [managerEmail],
    );
    expect(refusals.map((r: { refusal_code: string }) => r.refusal_code)).toEqual(
      expect.arrayContaining(['DOCUMENT_CHANGED', 'VISIT_EXPIRED']),
    );
    await page.goto(`${baseUrl}/office/signing`);
    expect(await page.locator('#visits ~ div').textContent()).toContain('訪問の期限切れ');
    await context.close();
  }, 240_000);

  it('a family member declines on the tablet offline, with a reason: sent later, the request is declined', async () => {
    const { docId, requestId } = await consentForVisit('森 サダ');
    const context = await tablet();
    const page = await context.newPage();
    await logIn(page);
    await takeAndOpenVisit(page, docId);
    await context.setOffline(true);
    await page.getByRole('button', { name: '森 サダ 長男 さんが署名する' }).click();
    await page.getByText('署名しない（辞退する）').click();
    await page.getByLabel('辞退の理由（任意）').fill('本人と話し合ってから決めます');
    await page.getByRole('button', { name: '辞退する' }).click();
    await page.getByRole('heading', { name: '辞退を受け付けました' }).waitFor();
    await page.locator('#view-handback').getByLabel('職員のパスワード').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: '職員の画面に戻る' }).click();
    await page.getByText('辞退・未送信').waitFor();
    await context.setOffline(false);
    await page.getByRole('button', { name: '送信する' }).click();
    await page.getByText('未送信の署名はありません').waitFor();
    const [request] = await db.query(`SELECT status FROM signing_request WHERE id = $1`, [requestId]);
    expect(request.status).toBe('declined');
    const [signer] = await db.query(`SELECT decline_reason FROM signer WHERE request_id = $1 AND status = 'declined'`, [requestId]);
    expect(signer.decline_reason).toBe('本人と話し合ってから決めます');
    await context.close();
  }, 120_000);

  it('log-out wipes the visit from the device, unsent signatures included', async () => {
    const { docId } = await consentForVisit('谷口 トメ');
    const context = await tablet();
    const page = await context.newPage();
    await logIn(page);
    await takeAndOpenVisit(page, docId);
    await context.setOffline(true);
    await signAs(page, context, '谷口 トメ');
    expect((await deviceData(page)).records).toBeGreaterThan(2);
    await context.setOffline(false);
    await page.goto(`${baseUrl}/office`);
    await page.getByRole('button', { name: 'ログアウト' }).click();
    await page.waitForURL(/\/login/);
    expect(await deviceData(page)).toMatchObject({ names: [], records: 0 });
    expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length)).toBe(0);
    expect(await page.evaluate(async () => (await caches.keys()).length)).toBe(0);
    await context.close();
  }, 120_000);
});
