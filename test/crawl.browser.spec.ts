import { randomBytes } from 'node:crypto';
import { Browser, BrowserContext, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { sha256Hex } from '../src/common/hash';
import { FamilyLinksRepository } from '../src/signing/family-links.repository';
import { axeViolations } from './support/a11y';
import { launchBrowser, listen } from './support/browser';
import { createPatient, issuedConsent, requestSignatures } from './support/consents';
import { createOfficeWithManager, createUser } from './support/factories';
import { TestSmtp, linkIn, startSmtp } from './support/smtp';
import { TEST_PASSWORD, TestStack, startStack } from './support/test-app';

/** At most this many pages per role, and this many of one shape (/documents/:id) — enough to see every kind of page. */
const MAX_PAGES = 80;
const PER_SHAPE = 2;
/**
 * Pages that show every role the same thing but its menu (the forms' previews, the application pages, the
 * health page): checked once in the file, by whichever crawl reaches them first, not once per role.
 */
const SAME_FOR_EVERY_ROLE = /^\/(forms|apply|health)(\/|$)/;

interface Finding {
  url: string;
  problem: string;
}

/**
 * Every page a user can reach by links, as each role, and the public pages: no 5xx, never JSON to a page
 * navigation, and no axe-core violation of any impact.
 */
describe('crawl: every linked page answers HTML, without errors, accessibly', () => {
  let stack: TestStack;
  let smtp: TestSmtp;
  let browser: Browser;
  let base: string;
  const accounts: Record<string, string> = {};
  let signLink = '';
  let withdrawLink = '';
  const checkedOnce = new Set<string>();

  beforeAll(async () => {
    smtp = await startSmtp();
    stack = await startStack({ SMTP_URL: smtp.url });
    base = await listen(stack);
    browser = await launchBrowser();
    // Data, so that lists are not empty: staff, a patient with family, an issued consent sent for signing, a batch.
    const { office, manager } = await createOfficeWithManager(stack.app, 'rurume');
    accounts.office_manager = manager.email;
    accounts.office_staff = (await createUser(stack.app, 'office_staff', { officeId: office.id })).email;
    accounts.secretariat = (await createUser(stack.app, 'secretariat', { networkId: 'rurume' })).email;
    accounts.admin = (await createUser(stack.app, 'admin')).email;
    const api = await stack.login(manager.email);
    await api.post('/api/staff').send({ name: '巡回 看子', email: 'kanko@example.jp', jobTitle: '看護師' }).expect(201);
    const patient = await createPatient(api, '巡回 ハル', { name: '巡回 健太', email: 'crawl-family@example.jp' });
    const consent = await issuedConsent(api, patient.id);
    await requestSignatures(api, consent.id, { name: '巡回 健太', email: 'crawl-family@example.jp' });
    signLink = linkIn(await smtp.waitFor((m) => m.to === 'crawl-family@example.jp' && m.subject.includes('署名のお願い')), '/sign/');
    // A signed consent with a withdrawal link, as a sealed one's copy mail carries it (the seal itself is not needed here).
    const other = await createPatient(api, '撤回 ナツ', { name: '撤回 次郎', email: 'crawl-withdraw@example.jp' });
    const signed = await issuedConsent(api, other.id);
    const db = stack.app.get(DataSource);
    await db.query(`UPDATE document SET status = 'signed', signed_at = now() WHERE id = $1`, [signed.id]);
    const token = randomBytes(24).toString('base64url');
    await stack.app.get(FamilyLinksRepository).insertWithdrawalLink(db.manager, {
      tokenHash: sha256Hex(token),
      documentId: signed.id,
      recipient: 'crawl-withdraw@example.jp',
      expiresAt: new Date(Date.now() + 86_400_000),
    });
    withdrawLink = `/withdraw/${token}`;
    const csv = Buffer.from(
      '\uFEFFメールアドレス,氏名,職種,ふりがな,性別,入職日\nichiro@example.jp,巡回 一郎,看護師,じゅんかい,男,2026/4/1\nbroken,壊れ 行,看護師,,,\n',
      'utf8',
    );
    await api.post('/api/batches').field('mode', 'print').attach('file', csv, 'staff.csv').expect(202);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    await smtp?.close();
  });

  async function newContext(): Promise<BrowserContext> {
    return browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' });
  }

  async function logIn(page: Page, email: string): Promise<void> {
    await page.goto(`${base}/login`);
    await page.getByLabel('メールアドレス').fill(email);
    await page.getByLabel('パスワード').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'ログイン' }).click();
    await page.waitForURL((url) => url.pathname !== '/login');
  }

  /** One page: its status, its type and axe-core's findings. */
  async function check(page: Page, url: string, findings: Finding[], expectStatus?: number): Promise<boolean> {
    let response;
    try {
      response = await page.goto(url);
    } catch (error) {
      // A link to a file (a ZIP, a PDF) downloads rather than opens: not a page.
      if (String(error).includes('Download is starting')) return false;
      throw error;
    }
    if (!response) {
      findings.push({ url, problem: 'no response' });
      return false;
    }
    const status = response.status();
    const type = response.headers()['content-type'] ?? '';
    // /health answers 503 by design while something is degraded (the run's database holds other files' deliberate
    // failures); its page must still be a page. Anything else answering 5xx is a fault.
    const degradedHealth = status === 503 && new URL(url).pathname === '/health';
    if (status >= 500 && !degradedHealth) findings.push({ url, problem: `status ${status}` });
    if (expectStatus !== undefined && status !== expectStatus)
      findings.push({ url, problem: `status ${status}, expected ${expectStatus}` });
    if (!type.startsWith('text/html')) {
      findings.push({ url, problem: `content-type ${type}` });
      return false;
    }
    for (const v of await axeViolations(page))
      findings.push({ url, problem: `axe ${v.id}: ${v.help} — ${v.targets.slice(0, 3).join(', ')}` });
    return true;
  }

  /** Same-origin links worth following: pages, not downloads, API calls or log-out. */
  async function linksOf(page: Page): Promise<string[]> {
    const hrefs = await page.$$eval('a[href]', (anchors) =>
      anchors.filter((a) => !a.hasAttribute('download')).map((a) => (a as HTMLAnchorElement).href),
    );
    return (
      hrefs
        .map((href) => new URL(href))
        .filter((url) => url.origin === base)
        .filter((url) => !/^\/(api|assets|logout|d)\//.test(url.pathname) && url.pathname !== '/logout')
        // Files, not pages: exports and PDFs (a sheet's PDF is /exemplars/<code>/pdf).
        .filter((url) => !/(\.(csv|pdf|zip|json)|\/pdf)$/.test(url.pathname))
        .map((url) => {
          url.hash = '';
          return url.toString();
        })
    );
  }

  /** The shape of a URL: ids and tokens replaced, so that 100 documents are visited as two. */
  function shapeOf(url: string): string {
    const { pathname, searchParams } = new URL(url);
    const path = pathname.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, ':id').replace(/\/[A-Za-z0-9_-]{20,}/g, '/:token');
    return `${path}?${[...searchParams.keys()].sort().join('&')}`;
  }

  async function crawl(page: Page, starts: string[], findings: Finding[]): Promise<string[]> {
    const seen = new Set<string>();
    const shapes = new Map<string, number>();
    const queue = starts.map((s) => `${base}${s}`);
    const visited: string[] = [];
    while (queue.length > 0 && visited.length < MAX_PAGES) {
      const url = queue.shift()!;
      if (seen.has(url)) continue;
      seen.add(url);
      const path = url.slice(base.length);
      const shape = shapeOf(url);
      if ((shapes.get(shape) ?? 0) >= PER_SHAPE) continue;
      shapes.set(shape, (shapes.get(shape) ?? 0) + 1);
      visited.push(path);
      // Reached (the role's expectations count it), but already checked: its links were followed then.
      if (SAME_FOR_EVERY_ROLE.test(path)) {
        if (checkedOnce.has(path)) continue;
        checkedOnce.add(path);
      }
      if (await check(page, url, findings)) queue.push(...(await linksOf(page)).filter((u) => !seen.has(u)));
    }
    return visited;
  }

  const ID = '[0-9a-f-]{36}';
  it.each([
    [
      'office_manager',
      ['/office', '/account'],
      [
        '/office/documents',
        '/office/batches',
        `/documents/${ID}`,
        `/office/patients/${ID}`,
        `/office/batches/${ID}`,
        '/office/staff/new',
        '/integrations',
      ],
    ],
    ['office_staff', ['/office', '/account'], ['/office/documents', '/office/batches', `/documents/${ID}`, '/forms']],
    [
      'secretariat',
      ['/secretariat', '/account'],
      ['/secretariat/receipt', '/secretariat/applications', '/secretariat/registrations', '/integrations'],
    ],
    ['admin', ['/admin/audit', '/admin/users', '/account'], ['/admin/audit', `/admin/users/${ID}`, '/account/password']],
  ])(
    'as %s',
    async (role, starts, expected) => {
      const context = await newContext();
      const page = await context.newPage();
      await logIn(page, accounts[role]);
      const findings: Finding[] = [];
      const visited = await crawl(page, starts, findings);
      // An unknown page and an unknown document: a Japanese page, not JSON.
      await check(page, `${base}/no-such-page`, findings, 404);
      await check(page, `${base}/documents/00000000-0000-4000-8000-000000000000`, findings, 404);
      await context.close();
      // The crawl reached the pages each role works on (so an empty crawl cannot pass).
      for (const path of expected) expect([path, visited.some((v) => new RegExp(`^${path}$`).test(v.split('?')[0]))]).toEqual([path, true]);
      expect(findings).toEqual([]);
    },
    300_000,
  );

  it('the public pages', async () => {
    const context = await newContext();
    const page = await context.newPage();
    const findings: Finding[] = [];
    const visited = await crawl(page, ['/', '/login', '/apply', '/verify', signLink, withdrawLink], findings);
    // The signing and withdrawal links open their forms (not a page saying the link cannot be used).
    await check(page, `${base}${signLink}`, findings, 200);
    await check(page, `${base}${withdrawLink}`, findings, 200);
    await check(page, `${base}/sign/not-a-real-link-at-all-0000000000`, findings);
    await check(page, `${base}/no-such-page`, findings, 404);
    await context.close();
    expect(visited).toEqual(expect.arrayContaining(['/', '/login', '/apply', '/verify', signLink, withdrawLink]));
    expect(findings).toEqual([]);
  }, 300_000);
});
