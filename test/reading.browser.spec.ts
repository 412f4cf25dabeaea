import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, BrowserContext, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { FormPdfService } from '../src/rendering/form-pdf.service';
import { axeViolations } from './support/a11y';
import { launchBrowser, listen } from './support/browser';
import { sealedConsent } from './support/consents';
import { createOfficeWithManager } from './support/factories';
import { squeeze } from './support/pdf-tools';
import { TestSmtp, linkIn, startSmtp } from './support/smtp';
import { Agent, TEST_PASSWORD, TestStack, startStack } from './support/test-app';

/** The PDF's text in the order it was written (pdftotext -raw): the order of the template, as a reader reads it. */
function pdfContentText(pdf: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'renkei-reading-'));
  writeFileSync(join(dir, 'form.pdf'), pdf);
  return execFileSync('pdftotext', ['-raw', join(dir, 'form.pdf'), '-'], { encoding: 'utf8' });
}

const SHOTS = '/work/shots/reading';
const OFFICE_PHONE = '042-000-0000';

/** The family's side on a 390 px phone: the document's own text to read, sizes, whom to call; the office's device handed over. */
describe('reading and signing on a phone', () => {
  let stack: TestStack;
  let smtp: TestSmtp;
  let browser: Browser;
  let baseUrl: string;
  let api: Agent;
  let manager: { email: string; name: string };
  let officeName: string;

  beforeAll(async () => {
    smtp = await startSmtp();
    stack = await startStack({ SMTP_URL: smtp.url });
    baseUrl = await listen(stack);
    browser = await launchBrowser();
    const made = await createOfficeWithManager(stack.app, 'rurume');
    manager = made.manager;
    officeName = made.office.name;
    api = await stack.login(manager.email);
    mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    await smtp?.close();
  });

  const phone = (): Promise<BrowserContext> =>
    browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'ja-JP' });

  async function sentConsent(
    email: string,
    family: Record<string, unknown>,
  ): Promise<{ docId: string; link: string | null; requestId: string }> {
    const patient = await api.post('/api/patients').send({ name: '読書 ハナ', address: '東京都東久留米市本町2-2-2' }).expect(201);
    const doc = await api.post('/api/documents').send({ form: 'patient-consent', subjectId: patient.body.id }).expect(201);
    await api.post(`/api/documents/${doc.body.id}/issue`).expect(201);
    const request = await api
      .post(`/api/documents/${doc.body.id}/signing`)
      .send({
        signers: [
          { role: 'family1', name: '読書 一郎', relation: '長男', ...family },
          { role: 'explainer', name: '説明 看護師', method: 'in_person' },
        ],
      })
      .expect(201);
    const link = family.method === 'email' ? linkIn(await smtp.waitFor((m) => m.to === email), '/sign/') : null;
    return { docId: doc.body.id, link, requestId: request.body.id };
  }

  async function expectAccessible(page: Page): Promise<void> {
    expect(await axeViolations(page)).toEqual([]);
    // Every control a finger must hit (not a link inside a sentence): at least 44 px high and wide.
    const small = await page.$$eval('button, a.button, .steps a, .print-link a, input[type=password], input[type=text]', (els) =>
      els
        .filter((e) => (e as HTMLElement).offsetParent !== null)
        .map((e) => ({ what: e.textContent?.trim() || e.getAttribute('name'), box: e.getBoundingClientRect() }))
        .filter(({ box }) => box.height < 44 || box.width < 44)
        .map(({ what, box }) => `${what} ${Math.round(box.width)}×${Math.round(box.height)}`),
    );
    expect(small).toEqual([]);
  }

  /** axe at 390 px, then with the browser's text at 200 %; nothing scrolls sideways either way. */
  async function expectFamilyPage(page: Page, shot: string): Promise<void> {
    await expectAccessible(page);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: `${SHOTS}/${shot}.png`, fullPage: true });
    await page.evaluate(() => (document.documentElement.style.fontSize = '200%'));
    expect(await axeViolations(page)).toEqual([]);
    await page.evaluate(() => (document.documentElement.style.fontSize = ''));
  }

  it('reads the document’s own text at 18 px or more, at 320 px without sideways scrolling, and the size is remembered', async () => {
    const { docId, link } = await sentConsent('reader@example.jp', { method: 'email', email: 'reader@example.jp' });
    const context = await phone();
    const page = await context.newPage();
    await page.goto(`${baseUrl}${link}`);
    await page.getByRole('heading', { name: /への署名/ }).waitFor();
    for (const step of ['1 読む', '2 確認', '3 署名']) await page.getByRole('link', { name: step, exact: true }).waitFor();
    const reading = page.locator('#reading');
    const bodySizes = await reading.locator('p, li, td').evaluateAll((els) => els.map((e) => parseFloat(getComputedStyle(e).fontSize)));
    expect(bodySizes.length).toBeGreaterThan(10);
    expect(Math.min(...bodySizes)).toBeGreaterThanOrEqual(18);
    await expectFamilyPage(page, '01-sign-page');

    // The text is the PDF's: the same template and data, printed as the office prints it.
    const db = stack.app.get(DataSource);
    const [version] = await db.query(`SELECT data FROM document_version WHERE document_id = $1 ORDER BY version DESC LIMIT 1`, [docId]);
    const { pdf } = await stack.worker.get(FormPdfService).renderForm('rurume', 'patient-consent', version.data);
    // Page by page. The page's list marks (・) are the sheet's own, drawn by the style sheet as on paper: counted
    // as text. The sheet's header and footer (form number, network) are placed on paper by position, which the PDF
    // writes after the page's text: compared in that order.
    const shown = await reading.evaluate((root) => {
      const added = Array.from(root.querySelectorAll('li'))
        .map((li) => [li, getComputedStyle(li, '::before').content] as const)
        .filter(([, mark]) => /^".+"$/.test(mark))
        .map(([li, mark]) => li.insertBefore(document.createTextNode(mark.slice(1, -1)), li.firstChild));
      const pages = Array.from(root.querySelectorAll<HTMLElement>('.page')).map((page) => {
        const placed = Array.from(page.querySelectorAll<HTMLElement>('.form-number, .exemplar-mark, .page-footer'));
        const placedText = placed.map((e) => e.innerText).join('');
        for (const e of placed) e.style.display = 'none';
        const text = page.innerText + placedText;
        for (const e of placed) e.style.display = '';
        return text;
      });
      for (const node of added) node.remove();
      return pages;
    });
    const printed = pdfContentText(pdf)
      .split('\f')
      .filter((page) => page.trim());
    expect(shown.map(squeeze)).toEqual(printed.map(squeeze));

    // 320 px: still nothing wider than the screen.
    await page.setViewportSize({ width: 320, height: 700 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);

    // 文字の大きさ: larger at once, and still larger after a reload (remembered on this device).
    await page.setViewportSize({ width: 390, height: 844 });
    const size = () =>
      reading
        .locator('p')
        .first()
        .evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
    const standard = await size();
    await page.getByRole('button', { name: '特大' }).click();
    expect(await size()).toBeGreaterThanOrEqual(standard * 1.4);
    await page.reload();
    expect(await size()).toBeGreaterThanOrEqual(standard * 1.4);
    expect(await page.getByRole('button', { name: '特大' }).getAttribute('aria-pressed')).toBe('true');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: `${SHOTS}/02-sign-page-largest.png` });
    await page.getByRole('button', { name: '標準' }).click();

    // 読み上げ only where the browser can speak Japanese: offered with a Japanese voice, absent without speech.
    const voices = (withJapanese: boolean) =>
      `Object.defineProperty(window, 'speechSynthesis', { configurable: true, get: () => ${
        withJapanese
          ? `({ getVoices: () => [{ lang: 'ja-JP', name: 'test' }], addEventListener() {}, speak() {}, cancel() {}, speaking: false })`
          : 'undefined'
      } });`;
    for (const withJapanese of [true, false]) {
      const other = await phone();
      await other.addInitScript(voices(withJapanese));
      const view = await other.newPage();
      await view.goto(`${baseUrl}${link}`);
      await view.getByRole('button', { name: '特大' }).waitFor();
      expect(await view.getByRole('button', { name: '読み上げ' }).isVisible()).toBe(withJapanese);
      await other.close();
    }

    // The A4 sheet is one link away; the 利用目的 reads the same way.
    expect(await page.getByRole('link', { name: '印刷される書類（A4）で見る' }).getAttribute('href')).toBe(`${link}/document`);
    await page.getByRole('link', { name: '個人情報の利用目的を読む' }).click();
    await page.getByRole('heading', { name: '患者の個人情報の利用目的' }).first().waitFor();
    expect(
      Math.min(...(await page.locator('#reading li').evaluateAll((els) => els.map((e) => parseFloat(getComputedStyle(e).fontSize))))),
    ).toBeGreaterThanOrEqual(18);
    await expectFamilyPage(page, '03-purpose');
    await page.getByRole('link', { name: '署名のページに戻る' }).click();

    // Signs; the used link then says so, names the office and its phone.
    await page.getByRole('radio', { name: '文字で入力する' }).check();
    await page.getByLabel('お名前（署名として印字されます）').fill('読書 一郎');
    await page.getByLabel('書類の内容について説明を受け、内容を確認し、同意します').check();
    await page.getByRole('button', { name: '同意して署名する' }).click();
    await page.getByRole('heading', { name: '署名しました' }).waitFor();
    await expectFamilyPage(page, '04-signed');
    await page.goto(`${baseUrl}${link}`);
    const used = await page.locator('main').innerText();
    expect(used).toContain('このリンクは使えません');
    expect(used).toContain(officeName);
    expect(used).toContain(OFFICE_PHONE);
    await expectFamilyPage(page, '05-link-used');
    await context.close();
  });

  it('five wrong PINs lock the link: the page names the office and its phone, the office is e-mailed once and sees it', async () => {
    const email = 'locked@example.jp';
    const { docId, link } = await sentConsent(email, { method: 'email', email, accessCode: '2468' });
    const invitation = await smtp.waitFor((m) => m.to === email);
    expect(invitation.text).toContain(officeName);
    expect(invitation.text).toContain(`電話 ${OFFICE_PHONE}`);
    const context = await phone();
    const page = await context.newPage();
    await page.goto(`${baseUrl}${link}`);
    expect(await page.locator('main').innerText()).toContain(`暗証番号が分からないときは、${officeName}（電話 ${OFFICE_PHONE}）`);
    await expectFamilyPage(page, '06-pin');
    for (let i = 0; i < 5; i++) {
      await page.getByLabel('暗証番号').fill('0000');
      await page.getByRole('button', { name: '次へ' }).click();
      await page.waitForLoadState();
    }
    await page.getByRole('heading', { name: '署名のページを開けません' }).waitFor();
    const text = await page.locator('main').innerText();
    expect(text).toContain('ロックされました');
    expect(text).toContain(officeName);
    expect(await page.getByRole('link', { name: `電話 ${OFFICE_PHONE}` }).getAttribute('href')).toBe(`tel:${OFFICE_PHONE}`);
    await expectFamilyPage(page, '07-locked');

    const notice = await smtp.waitFor((m) => m.to === manager.email && m.subject.includes('ロック'));
    expect(notice.text).toContain('患者家族1');
    expect(notice.text).not.toContain('読書 一郎');
    expect(notice.text).toContain(`/documents/${docId}`);
    // Once: a further wrong PIN on the locked link sends nothing more.
    await page.goto(`${baseUrl}${link}`);
    await page.getByRole('heading', { name: '署名のページを開けません' }).waitFor();
    const db = stack.app.get(DataSource);
    const [{ count }] = await db.query(
      `SELECT count(*)::int AS count FROM mail_outbox WHERE kind = 'signing-locked' AND document_id = $1`,
      [docId],
    );
    expect(count).toBe(1);

    const office = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' });
    await office.goto(`${baseUrl}/login`);
    await office.getByLabel('メールアドレス').fill(manager.email);
    await office.getByLabel('パスワード').fill(TEST_PASSWORD);
    await office.getByRole('button', { name: 'ログイン' }).click();
    await office.goto(`${baseUrl}/office/signing`);
    expect(await office.locator('main').innerText()).toContain('暗証番号ロック中');
    await office.close();
    await context.close();
  });

  it('in person: the office’s device becomes a signing screen with no office link, and only the staff password takes it back', async () => {
    const { docId, requestId } = await sentConsent('', { method: 'in_person' });
    const request = (await api.get(`/api/documents/${docId}/signing`).expect(200)).body as Array<{
      id: string;
      signers: Array<{ id: string; role: string }>;
    }>;
    const signerId = request.find((r) => r.id === requestId)!.signers.find((s) => s.role === 'family1')!.id;
    const tablet = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'ja-JP' });
    const page = await tablet.newPage();
    await page.goto(`${baseUrl}/login`);
    await page.getByLabel('メールアドレス').fill(manager.email);
    await page.getByLabel('パスワード').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'ログイン' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
    const screen = `/documents/${docId}/signing/${requestId}/${signerId}`;
    await page.goto(`${baseUrl}${screen}`);
    await page.getByRole('heading', { name: /への署名/ }).waitFor();

    const away = async () =>
      (
        await page.$$eval('a[href], form[action]', (els) => els.map((e) => e.getAttribute('href') ?? e.getAttribute('action') ?? ''))
      ).filter((href) => !href.startsWith('#') && !href.startsWith(screen));
    expect(await away()).toEqual([]);
    expect(await page.locator('header').innerText()).not.toMatch(/事業所|アカウント|ログアウト/);
    expect(
      Math.min(...(await page.locator('#reading p').evaluateAll((els) => els.map((e) => parseFloat(getComputedStyle(e).fontSize))))),
    ).toBeGreaterThanOrEqual(18);
    await page.getByRole('button', { name: '大', exact: true }).click();
    await expectFamilyPage(page, '08-in-person');
    // Typed or reached with the back button, an office page leads to the password, not to the office.
    for (const away of ['/office', `/documents/${docId}`, '/account']) {
      await page.goto(`${baseUrl}${away}`);
      expect(new URL(page.url()).pathname).toBe(`${screen}/handback`);
    }
    await page.goto(`${baseUrl}${screen}`);

    await page.getByLabel('患者さまとの続柄 *').fill('長男');
    await page.getByRole('radio', { name: '文字で入力する' }).check();
    await page.getByLabel('お名前（署名として印字されます）').fill('読書 一郎');
    await page.getByLabel('書類の内容について説明を受け、内容を確認し、同意します').check();
    await page.getByRole('button', { name: '同意して署名する' }).click();
    await page.getByRole('heading', { name: '署名しました' }).waitFor();
    expect(await away()).toEqual([]);
    await expectFamilyPage(page, '09-in-person-signed');

    // A wrong password keeps the signing screen; the staff member's own one gives the device back.
    await page.getByLabel('職員のパスワード').fill('not-the-password');
    await page.getByRole('button', { name: '職員の画面に戻る' }).click();
    await page.getByText('パスワードが正しくありません').first().waitFor();
    expect(await away()).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/10-handback-refused.png`, fullPage: true });
    await page.getByLabel('職員のパスワード').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: '職員の画面に戻る' }).click();
    await page.waitForURL((url) => url.pathname === `/documents/${docId}`);
    await page.getByRole('link', { name: '事業所' }).first().waitFor();
    await page.goto(`${baseUrl}/office`);
    expect(new URL(page.url()).pathname).toBe('/office');
    await tablet.close();
  });

  it('the family’s links after signing: an expired download and a used withdrawal link name their page, the office and its phone', async () => {
    const family = { name: '控え 一郎', email: 'copy.family@example.jp' };
    const consent = await sealedConsent(stack, smtp, api, '控え ハナ', family);
    const copyMail = await smtp.waitFor((m) => m.to === family.email && m.subject.includes('署名済み'));
    const download = linkIn(copyMail, '/d/');
    const withdraw = new URL(/https?:\/\/\S+\/withdraw\/[A-Za-z0-9_-]+/.exec(copyMail.text)![0]).pathname;
    const context = await phone();
    const page = await context.newPage();

    // The withdrawal page itself, then the same link once the consent is withdrawn.
    await page.goto(`${baseUrl}${withdraw}`);
    await page.getByRole('heading', { name: '同意の撤回' }).waitFor();
    await expectFamilyPage(page, '11-withdraw');
    await page.getByLabel('同意を撤回します').check();
    await page.getByRole('button', { name: '同意を撤回する' }).click();
    await page.getByRole('heading', { name: '撤回を受け付けました' }).waitFor();
    await expectFamilyPage(page, '12-withdrawn');
    await page.goto(`${baseUrl}${withdraw}`);
    await page.getByRole('heading', { name: '同意の撤回のページを開けません' }).waitFor();
    const used = await page.locator('main').innerText();
    expect(used).toContain('撤回されています');
    expect(used).toContain(officeName);
    expect(used).toContain(OFFICE_PHONE);
    await expectFamilyPage(page, '13-withdrawal-link-used');

    // The copy's download link, expired.
    await stack.app
      .get(DataSource)
      .query(
        `UPDATE download_link SET expires_at = now() - interval '1 day' WHERE exemplar_id IN (SELECT id FROM exemplar WHERE document_id = $1)`,
        [consent.id],
      );
    await page.goto(`${baseUrl}${download}`);
    await page.getByRole('heading', { name: '書類のダウンロードページを開けません' }).waitFor();
    const expired = await page.locator('main').innerText();
    expect(expired).toContain('有効期限が切れています');
    expect(expired).toContain('書類の控えが必要なときは');
    expect(expired).toContain(officeName);
    expect(await page.getByRole('link', { name: `電話 ${OFFICE_PHONE}` }).getAttribute('href')).toBe(`tel:${OFFICE_PHONE}`);
    await expectFamilyPage(page, '14-download-expired');
    await context.close();
  });
});
