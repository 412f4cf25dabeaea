import { DataSource } from 'typeorm';
import { createPatient, issuedConsent } from './support/consents';
import { createOfficeWithManager, createUser, unique } from './support/factories';
import { Agent, TestStack, startStack } from './support/test-app';

/** Text of a page with tags removed and spaces squeezed: what a reader sees. */
function visible(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x3D;/g, '=')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

/** The links of a page, as a browser reads their addresses. */
function hrefs(html: string): string[] {
  return [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1].replace(/&#x3D;/g, '=').replace(/&amp;/g, '&'));
}

/** Rows of a table (by id) as their visible text. */
function rowsOf(html: string, id: string): string[] {
  const table = new RegExp(`<table[^>]*id="${id}"[\\s\\S]*?</table>`).exec(html)?.[0] ?? '';
  return [...table.matchAll(/<tbody>[\s\S]*?<\/tbody>/g)]
    .flatMap((m) => m[0].split(/<tr[ >]/).slice(1))
    .map((r) => visible(`<tr ${r}`).trim());
}

const BAD_VALUES = ['x'.repeat(500), '<script>alert(1)</script>', "' OR 1=1 --", '%_\\', '2026-02-30', '-1', 'ひらがな'];

describe('overview: documents, batches, audit log', () => {
  let stack: TestStack;
  let db: DataSource;
  let manager: Agent;
  let admin: Agent;
  let patientName: string;
  let consentNumber: string;

  beforeAll(async () => {
    stack = await startStack({}, { worker: false });
    db = stack.app.get(DataSource);
    const { manager: account } = await createOfficeWithManager(stack.app, 'rurume');
    manager = await stack.login(account.email);
    admin = await stack.login((await createUser(stack.app, 'admin')).email);
    patientName = unique('一覧 花子');
    const patient = await createPatient(manager, patientName, { name: '一覧 家族', email: 'list-family@example.jp' });
    consentNumber = (await issuedConsent(manager, patient.id)).number;
    // A new staff member also starts the day's staff-change notice (るるめ 別紙3) as a draft: a third document.
    const staff = await manager.post('/api/staff').send({ name: '一覧 看護師', email: 'list-nurse@example.jp' }).expect(201);
    const pledge = await manager.post('/api/documents').send({ form: 'staff-pledge', subjectId: staff.body.id }).expect(201);
    await manager.post(`/api/documents/${pledge.body.id}/issue`).expect(201);
    await manager.get(`/office/patients/${patient.id}`).expect(200); // audit: patient_viewed
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('documents: search by a person’s name, by form, by status and by date; paging; the originals still owed', async () => {
    const all = await manager.get('/office/documents').expect(200);
    expect(all.headers['content-type']).toMatch(/^text\/html/);
    expect(rowsOf(all.text, 'documents')).toHaveLength(3);
    expect(visible(all.text)).toContain('書類: 3件');

    const byName = await manager
      .get('/office/documents')
      .query({ q: patientName.slice(0, 6) })
      .expect(200);
    expect(rowsOf(byName.text, 'documents')).toEqual([expect.stringContaining(patientName)]);
    expect(rowsOf(byName.text, 'documents')[0]).toContain(consentNumber);
    const byTitle = await manager.get('/office/documents').query({ q: '誓約書' }).expect(200);
    expect(rowsOf(byTitle.text, 'documents')).toEqual([expect.stringContaining('一覧 看護師')]);
    const byForm = await manager.get('/office/documents').query({ form: 'patient-consent' }).expect(200);
    expect(rowsOf(byForm.text, 'documents')).toEqual([expect.stringContaining(consentNumber)]);
    const drafts = await manager.get('/office/documents').query({ status: 'draft' }).expect(200);
    expect(rowsOf(drafts.text, 'documents')).toEqual([expect.stringContaining('MCS登録依頼書')]);
    const issued = await manager.get('/office/documents').query({ status: 'issued' }).expect(200);
    expect(rowsOf(issued.text, 'documents')).toHaveLength(2);
    const past = await manager.get('/office/documents').query({ to: '2020-01-01' }).expect(200);
    expect(rowsOf(past.text, 'documents')).toEqual(['該当する書類はありません']);
    const today = new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);
    const now = await manager.get('/office/documents').query({ from: today, to: today }).expect(200);
    expect(rowsOf(now.text, 'documents')).toHaveLength(3);
    // The one date style: 2026年12月1日.
    expect(rowsOf(now.text, 'documents')[0]).toMatch(/\d{4}年\d{1,2}月\d{1,2}日/);

    // Paging keeps the filters; a page past the end shows the last one.
    const beyond = await manager.get('/office/documents').query({ q: '誓約書', page: '99' }).expect(200);
    expect(rowsOf(beyond.text, 'documents')).toHaveLength(1);
    expect(visible(beyond.text)).toContain('1件中 1〜1件目（1 / 1 ページ）');

    // The staff pledge's original goes to the 事務局 (its custody rule) and has not been mailed; the consent's stay here.
    expect(rowsOf(all.text, 'owed-originals')).toEqual([expect.stringMatching(/情報保持誓約書 一覧 看護師 .* 未郵送/)]);
  });

  it('documents: wrong filters come back beside their fields on the same page, the list still shown', async () => {
    for (const value of BAD_VALUES) {
      const answer = await manager
        .get('/office/documents')
        .query({ q: value, form: value, status: value, from: value, to: value, page: value });
      expect([value, answer.status, answer.headers['content-type']]).toEqual([value, 400, expect.stringMatching(/^text\/html/)]);
      expect(answer.text).not.toContain('<script>alert(1)</script>');
      expect(answer.text).toContain('class="field-error"');
      expect(answer.text).toContain('id="documents"'); // the list is still there
    }
    // The wrong type: a list where one value belongs.
    const listed = await manager.get('/office/documents?q=a&q=b&status=draft&status=issued').expect(400);
    expect(visible(listed.text)).toContain('文字列で指定してください');
    expect(listed.text).toContain('id="documents"');
    const empty = await manager.get('/office/documents').query({ q: '', form: '', status: '', from: '', to: '', page: '' }).expect(200);
    expect(rowsOf(empty.text, 'documents')).toHaveLength(3);
    const reversed = await manager.get('/office/documents').query({ from: '2026-12-02', to: '2026-12-01' }).expect(400);
    expect(visible(reversed.text)).toContain('期間の終わりが始まりより前です');
    expect(reversed.text).toContain('value="2026-12-02"'); // what was typed is kept
    // A malicious word is only a word: nothing matches, nothing breaks.
    const injected = await manager.get('/office/documents').query({ q: "' OR 1=1 --" }).expect(200);
    expect(rowsOf(injected.text, 'documents')).toEqual(['該当する書類はありません']);
    for (const wildcard of ['%', '_', '\\']) {
      const answer = await manager.get('/office/documents').query({ q: wildcard }).expect(200);
      expect([wildcard, rowsOf(answer.text, 'documents')]).toEqual([wildcard, ['該当する書類はありません']]);
    }
  });

  it('batch history lists the office’s batches with what each did', async () => {
    const empty = await manager.get('/office/batches').expect(200);
    expect(rowsOf(empty.text, 'batches')).toEqual(['まだ名簿を取り込んでいません']);
    const csv = Buffer.from('\uFEFFメールアドレス,氏名,職種\nhist1@example.jp,履歴 一郎,看護師\nbroken,履歴 二郎,看護師\n', 'utf8');
    const created = await manager.post('/api/batches').attach('file', csv, 'history.csv').expect(202);
    const page = await manager.get('/office/batches').expect(200);
    const [row] = rowsOf(page.text, 'batches');
    expect(row).toContain('history.csv');
    expect(row).toContain('1行'); // the refused row
    expect(page.text).toContain(`href="/office/batches/${created.body.id}"`);
    await manager.get('/office/batches').query({ page: 'x' }).expect(400);
  });

  it('audit log: Japanese labels, names, filters by who, what and when, paging, CSV with a BOM', async () => {
    const page = await admin.get('/admin/audit').expect(200);
    const rows = rowsOf(page.text, 'audit');
    expect(rows.some((r) => r.includes('患者情報の閲覧') && r.includes(patientName))).toBe(true);
    expect(rows.some((r) => r.includes('書類の作成') && r.includes(consentNumber))).toBe(true);
    expect(rows.some((r) => r.includes('試験 office_manager'))).toBe(true); // who, by name
    expect(visible(page.text)).not.toMatch(/\bpatient_viewed\b/);

    const viewed = await admin.get('/admin/audit').query({ action: 'patient_viewed' }).expect(200);
    expect(rowsOf(viewed.text, 'audit').every((r) => r.includes('患者情報の閲覧'))).toBe(true);
    const [{ email }] = await db.query(`SELECT user_email AS email FROM audit_event WHERE action = 'patient_viewed' LIMIT 1`);
    const who = await admin.get('/admin/audit').query({ who: email.toUpperCase() }).expect(200);
    expect(rowsOf(who.text, 'audit').length).toBeGreaterThan(0);
    expect(rowsOf(who.text, 'audit').every((r) => r.includes(email))).toBe(true);
    const old = await admin.get('/admin/audit').query({ to: '2020-01-01' }).expect(200);
    expect(rowsOf(old.text, 'audit')).toEqual(['該当する記録はありません']);

    // Paging: 50 a page, the filters kept in the links.
    await db.query(`INSERT INTO audit_event (action, user_email) SELECT 'login', 'paging@example.jp' FROM generate_series(1, 60)`);
    const first = await admin.get('/admin/audit').query({ who: 'paging@' }).expect(200);
    expect(rowsOf(first.text, 'audit')).toHaveLength(50);
    expect(hrefs(first.text)).toContain('/admin/audit?who=paging%40&page=2');
    const second = await admin.get('/admin/audit').query({ who: 'paging@', page: '2' }).expect(200);
    expect(rowsOf(second.text, 'audit')).toHaveLength(10);

    const csv = await admin
      .get('/admin/audit.csv')
      .query({ who: 'paging@' })
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const bytes = csv.body as Buffer;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 BOM: Excel reads it as UTF-8
    const text = bytes.subarray(3).toString('utf8');
    expect(text.startsWith('"日時","操作"')).toBe(true);
    expect(text.trim().split('\r\n')).toHaveLength(61);
    expect(text).toContain('"ログイン","login"');
    expect(text).toMatch(/"\d{4}年\d{1,2}月\d{1,2}日 \d{1,2}:\d{2}:\d{2}"/);
  });

  it('audit log: wrong filters come back beside their fields; only the admin sees it', async () => {
    for (const value of BAD_VALUES) {
      const answer = await admin.get('/admin/audit').query({ who: value, action: value, from: value, to: value, page: value });
      expect(answer.headers['content-type']).toMatch(/^text\/html/);
      expect(answer.text).not.toContain('<script>alert(1)</script>');
      expect(answer.text).toContain('id="audit"');
    }
    const listed = await admin.get('/admin/audit?who=a&who=b').expect(400);
    expect(visible(listed.text)).toContain('文字列で指定してください');
    const bad = await admin.get('/admin/audit').query({ from: '2026-02-30' }).expect(400);
    expect(visible(bad.text)).toContain('2026-02-30 という日付はありません');
    expect(bad.text).toContain('aria-invalid="true"');
    await manager.get('/admin/audit').expect(403);
    await manager.get('/admin/audit.csv').expect(403);
  });
});
