import { Browser, Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { launchBrowser, listen } from './support/browser';
import { expectNoAxeViolations } from './support/a11y';
import { waitFor } from './support/consents';
import { createOfficeWithManager, createUser } from './support/factories';
import { TEST_PASSWORD, TestStack, startStack } from './support/test-app';
import { WebhookReceiver, startReceiver } from './support/webhook-receiver';

const SHOTS = '/work/shots/integrations';

/** 「連携（API・Webhook）」 in Chromium: a key made and used, a webhook added, a test sent and its delivery seen. */
describe('the integrations page', () => {
  let stack: TestStack;
  let receiver: WebhookReceiver;
  let browser: Browser;
  let baseUrl: string;

  beforeAll(async () => {
    receiver = await startReceiver();
    stack = await startStack({ WEBHOOK_ALLOW_PRIVATE: '1', WEBHOOK_POLL_MS: '100', WEBHOOK_RETRY_SECONDS: '1' });
    baseUrl = await listen(stack);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    await receiver?.close();
  });

  async function logIn(email: string, home: string, width = 1280): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height: 1000 }, locale: 'ja-JP' });
    await page.goto(`${baseUrl}/login`);
    await page.getByLabel('メールアドレス').fill(email);
    await page.getByLabel('パスワード').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'ログイン' }).click();
    await page.waitForURL(`${baseUrl}${home}`);
    return page;
  }

  it('lets an office manager make a key (shown once), add a webhook, send a test and see its delivery', async () => {
    const { manager } = await createOfficeWithManager(stack.app, 'rurume');
    const page = await logIn(manager.email, '/office');
    await page.getByRole('navigation').getByRole('link', { name: '連携（API・Webhook）' }).click();
    await page.getByRole('heading', { level: 1, name: '連携（API・Webhook）' }).waitFor();
    await expectNoAxeViolations(page);

    // A key without a name: the form again, the message beside the field.
    await page.getByRole('button', { name: 'APIキーを作成' }).click();
    await page.locator('#k-name-error').waitFor();
    await expectNoAxeViolations(page);
    await page.getByLabel('キーの名前（どのシステムで使うか） *').fill('介護記録システム');
    await page.getByRole('button', { name: 'APIキーを作成' }).click();
    const key = await page.getByLabel('APIキー', { exact: true }).inputValue();
    expect(key).toMatch(/^rk_/);
    await page.screenshot({ path: `${SHOTS}/key-created.png`, fullPage: true });
    await expectNoAxeViolations(page);
    // The key works, and is never shown again.
    await stack.http.get('/api/documents').set('Authorization', `Bearer ${key}`).expect(200);
    await page.goto(`${baseUrl}/integrations`);
    expect(await page.content()).not.toContain(key);
    await page.locator('#api-keys tr', { hasText: '介護記録システム' }).waitFor();

    // A webhook with no event ticked is refused; then with two.
    await page.getByLabel('送信先URL（https://…） *').fill(`${receiver.url}/browser`);
    await page.getByRole('button', { name: 'Webhookを登録' }).click();
    await page.locator('#w-events-error').waitFor();
    expect(await page.getByLabel('送信先URL（https://…） *').inputValue()).toBe(`${receiver.url}/browser`);
    await expectNoAxeViolations(page);
    await page.getByRole('checkbox', { name: /書類の発行/ }).check();
    await page.getByRole('checkbox', { name: /封緘/ }).check();
    await page.getByRole('button', { name: 'Webhookを登録' }).click();
    const secret = await page.getByLabel('シークレット').inputValue();
    expect(secret).toMatch(/^whsec_/);
    await expectNoAxeViolations(page);

    await page
      .getByRole('link', { name: `${receiver.url}/browser` })
      .first()
      .click();
    await page.getByRole('heading', { level: 1, name: 'Webhookの送信履歴' }).waitFor();
    await page.getByRole('button', { name: 'テスト送信' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'テスト送信' }).click(); // it asks first
    await page.getByText('テスト通知（webhook.test）を送りました').waitFor();
    const hook = await receiver.waitFor((h) => h.path === '/browser' && h.type === 'webhook.test', 'the test event');
    const headers = {
      'webhook-id': String(hook.headers['webhook-id']),
      'webhook-timestamp': String(hook.headers['webhook-timestamp']),
      'webhook-signature': String(hook.headers['webhook-signature']),
    };
    expect(new Webhook(secret).verify(hook.body, headers)).toMatchObject({ type: 'webhook.test' });
    // The delivery, with the receiver's answer, once the page is opened again.
    await waitFor(async () => {
      await page.reload();
      return (await page.locator('#deliveries tr', { hasText: 'webhook.test' }).textContent())?.includes('送信済み');
    }, 'the delivery shown as sent');
    const row = page.locator('#deliveries tr', { hasText: 'webhook.test' });
    expect(await row.textContent()).toContain('200');
    await row.getByText('1回').click();
    await row.getByText('応答 200').waitFor();
    await page.screenshot({ path: `${SHOTS}/deliveries.png`, fullPage: true });
    await expectNoAxeViolations(page);

    // Retry: sent again, same webhook-id.
    await row.getByRole('button', { name: /再送/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: '再送する' }).click(); // it asks first
    await page.getByText('再送しました').waitFor();
    await receiver.waitFor(
      (h) => h.path === '/browser' && h.headers['webhook-id'] === headers['webhook-id'] && h !== hook,
      'the retried test event',
    );

    // Revoking the key from the page: 401 at once.
    await page.goto(`${baseUrl}/integrations`);
    await page
      .locator('#api-keys tr', { hasText: '介護記録システム' })
      .getByRole('button', { name: /取り消す/ })
      .click();
    await page.getByRole('dialog').getByRole('button', { name: '取り消す' }).click(); // it asks first
    await page.getByText('APIキーを取り消しました').waitFor();
    await stack.http.get('/api/documents').set('Authorization', `Bearer ${key}`).expect(401);
    await expectNoAxeViolations(page);
  });

  it('is the 事務局’s too, with its network’s events, and readable on a phone', async () => {
    const clerk = await createUser(stack.app, 'secretariat', { networkId: 'rurume' });
    const page = await logIn(clerk.email, '/secretariat', 390);
    await page.goto(`${baseUrl}/integrations`);
    await page.getByRole('checkbox', { name: /利用申込の受付/ }).waitFor();
    await page.getByRole('checkbox', { name: /登録依頼の完了/ }).waitFor();
    await page.screenshot({ path: `${SHOTS}/secretariat-phone.png`, fullPage: true });
    await expectNoAxeViolations(page);
    // Staff of an office have no such page.
    const staff = await createUser(stack.app, 'office_staff', { officeId: (await createOfficeWithManager(stack.app, 'rurume')).office.id });
    const staffPage = await logIn(staff.email, '/office');
    const response = await staffPage.goto(`${baseUrl}/integrations`);
    expect(response?.status()).toBe(403);
    expect(await staffPage.getByRole('navigation').getByRole('link', { name: '連携（API・Webhook）' }).count()).toBe(0);
  });
});
