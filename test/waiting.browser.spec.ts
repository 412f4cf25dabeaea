import { Browser } from 'playwright-core';
import { launchBrowser, listen } from './support/browser';
import { createOfficeWithManager } from './support/factories';
import { TEST_PASSWORD, TestStack, startStack } from './support/test-app';
import { axeViolations } from './support/a11y';

/**
 * Work committed but not yet done (no worker runs here, as when Redis or the worker is away): the office
 * clerk sees 処理待ち on each page that waits for it, never a hang or an error, and each page passes axe.
 */
describe('処理待ち: what the office sees while its work waits', () => {
  let stack: TestStack;
  let browser: Browser;
  let baseUrl: string;

  beforeAll(async () => {
    stack = await startStack({}, { worker: false });
    baseUrl = await listen(stack);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('a render, a roster batch, an issued document’s PDFs and a seal, each waiting', async () => {
    const { manager } = await createOfficeWithManager(stack.app, 'rurume');
    const api = await stack.login(manager.email);
    const render = await api
      .post('/api/renders')
      .send({
        network: 'rurume',
        form: 'staff-pledge',
        data: { officeName: '待機', staffName: '待機 一郎', email: 'ichiro@wait.example.jp' },
      })
      .expect(202);
    const csv = Buffer.from('メールアドレス,氏名,職種\r\nwait1@wait.example.jp,待機 二郎,看護師\r\n');
    const batch = await api.post('/api/batches').attach('file', csv, 'wait.csv').expect(202);
    const patient = await api.post('/api/patients').send({ name: '待機 ハル' }).expect(201);
    const doc = await api.post('/api/documents').send({ form: 'patient-consent', subjectId: patient.body.id }).expect(201);
    await api.post(`/api/documents/${doc.body.id}/issue`).expect(201);
    const { body: signing } = await api
      .post(`/api/documents/${doc.body.id}/signing`)
      .send({
        signers: [
          { role: 'patient', name: '待機 ハル', method: 'in_person' },
          { role: 'explainer', name: '説明 看護師', method: 'in_person' },
        ],
      })
      .expect(201);
    for (const signer of signing.signers)
      await api
        .post(`/api/signing/${signing.id}/signers/${signer.id}/in-person`)
        .send({ consent: true, signatureKind: 'typed', typedName: signer.name })
        .expect(201);

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' });
    await page.goto(`${baseUrl}/login`);
    await page.getByLabel('メールアドレス').fill(manager.email);
    await page.getByLabel('パスワード').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'ログイン' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));

    await page.goto(`${baseUrl}/renders/${render.body.id}`);
    await page.getByRole('status').filter({ hasText: '処理待ち' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);

    await page.goto(`${baseUrl}/office/batches/${batch.body.id}`);
    await page.getByRole('status').filter({ hasText: '処理待ち' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);

    await page.goto(`${baseUrl}/documents/${doc.body.id}`);
    await page.getByRole('status').filter({ hasText: '原本・写しのPDFは処理待ちです' }).waitFor();
    await page.getByRole('status').filter({ hasText: '封緘（本サービスの電子署名）を待っています（処理待ち）' }).waitFor();
    expect(await page.getByText('PDF処理待ち').count()).toBeGreaterThan(0);
    expect(await axeViolations(page)).toEqual([]);
  }, 120_000);
});
