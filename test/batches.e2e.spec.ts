import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import ExcelJS from 'exceljs';
import { DataSource } from 'typeorm';
import { projectRoot } from '../src/common/project-root';
import { createOfficeWithManager } from './support/factories';
import { pdfInfo, pdfText, squeeze } from './support/pdf-tools';
import { Agent, TestStack, getPdf, startStack } from './support/test-app';

const HEADER = 'メールアドレス,氏名,職種,ふりがな,性別,入職日';

/** A roster as Excel in Japan saves it: Shift_JIS (CP932), CRLF. */
function shiftJisCsv(lines: string[]): Buffer {
  const buffer = execFileSync('iconv', ['-f', 'UTF-8', '-t', 'CP932'], { input: lines.join('\r\n') + '\r\n' });
  expect(() => new TextDecoder('utf-8', { fatal: true }).decode(buffer)).toThrow(); // really not UTF-8
  return buffer;
}

async function waitForBatch(api: Agent, id: string, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await api.get(`/api/batches/${id}`).expect(200);
    if (body.status === 'done' || body.status === 'failed') return body;
    if (Date.now() > deadline)
      throw new Error(`batch ${id} still ${body.status} (${body.phase} ${body.progressDone}/${body.progressTotal})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('bulk pledges from a roster', () => {
  let stack: TestStack;
  let db: DataSource;
  beforeAll(async () => {
    stack = await startStack();
    db = stack.app.get(DataSource);
  });
  afterAll(async () => {
    await stack?.close();
  });

  async function office() {
    const { office, manager } = await createOfficeWithManager(stack.app, 'rurume');
    const api = await stack.login(manager.email);
    await api.post('/api/staff').send({ name: '管理 一郎', email: 'kanri@example.jp', jobTitle: '看護師', isManager: true }).expect(201);
    return { office, api };
  }

  it('previews a Shift_JIS roster row by row and creates nothing', async () => {
    const { office: o, api } = await office();
    const csv = shiftJisCsv([
      HEADER,
      'aoki@example.jp,青木 一郎,看護師,あおき いちろう,男,2026/4/1',
      'bad-mail,伊藤 二郎,看護師,,男,2026/4/1',
      'ueda@example.jp,,理学療法士,,,',
      'aoki@example.jp,青木 重複,看護師,,,',
      'eto@example.jp,江藤 三子,魔法使い,,女,令和8年4月1日',
      '',
      '"ota@example.jp","太田, 四郎",作業療法士,おおた しろう,女,2026-04-02',
    ]);
    const before = await db.query('SELECT count(*)::int AS n FROM staff_member WHERE office_id = $1', [o.id]);
    const { body } = await api.post('/api/batches/preview').attach('file', csv, 'staff.csv').expect(200);
    expect(body.encoding).toBe('shift_jis');
    expect(body.summary).toMatchObject({ rows: 6, valid: 2, invalid: 4, added: 2 });
    const problems = Object.fromEntries(
      body.rows
        .filter((r: { problems: unknown[] }) => r.problems.length)
        .map((r: { row: number; problems: Array<{ message: string }> }) => [r.row, r.problems.map((p) => p.message).join(' / ')]),
    );
    expect(Object.keys(problems).map(Number)).toEqual([3, 4, 5, 6]);
    expect(problems[3]).toMatch(/メールアドレスの形式/);
    expect(problems[4]).toMatch(/氏名がありません/);
    expect(problems[5]).toMatch(/2行目と重複/);
    expect(problems[6]).toMatch(/職種「魔法使い」/);
    expect(body.plan.map((p: { name: string }) => p.name)).toEqual(['青木 一郎', '太田, 四郎']);
    const after = await db.query('SELECT count(*)::int AS n FROM staff_member WHERE office_id = $1', [o.id]);
    expect(after[0].n).toBe(before[0].n);
  });

  it('turns a roster into staff, pledges, the 別紙3 notice and one print-ready PDF; bad rows are reported, not lost', async () => {
    const { office: o, api } = await office();
    const good = Array.from({ length: 13 }, (_, i) => `new${i}@example.jp,新人 ${i + 1}号,看護師,しんじん,女,2026/4/1`);
    const csv = shiftJisCsv([
      HEADER,
      ...good,
      'broken,壊れ 行,看護師,,,',
      'dup@example.jp,重複 一,看護師,,,',
      'dup@example.jp,重複 二,看護師,,,',
    ]);
    const created = await api
      .post('/api/batches')
      .field('mode', 'print')
      .field('duplex', 'true')
      .attach('file', csv, 'staff.csv')
      .expect(202);
    const batch = await waitForBatch(api, created.body.id);
    expect(batch).toMatchObject({ status: 'done', counts: { done: 14, rejected: 2, pending: 0 } });
    expect(batch.people.filter((p: { status: string }) => p.status === 'rejected').map((p: { row: number }) => p.row)).toEqual([15, 17]);

    // Two notices: 別紙3 has 11 rows; 14 people.
    expect(batch.notices).toHaveLength(2);
    const [{ n: pledges }] = await db.query(`SELECT count(*)::int AS n FROM document WHERE office_id = $1 AND form_id = 'staff-pledge'`, [
      o.id,
    ]);
    expect(pledges).toBe(14);

    const pdf = await getPdf(api, batch.pdfUrl);
    // cover (1 + blank back) + 14 pledges (each + blank back, duplex) + 2 notices (each + blank back)
    expect(pdfInfo(pdf).pages).toBe(2 + 14 * 2 + 2 * 2);
    expect(batch.pageCount).toBe(34);
    const text = squeeze(pdfText(pdf));
    for (let i = 1; i <= 13; i++) expect(text).toContain(`新人${i}号`);
    expect(text).toContain('重複一');
    expect(text).not.toContain('壊れ行');
    expect(text).not.toContain('重複二');
    expect(text).toContain('るるめネットにおけるMCS登録依頼書');
    expect(text.match(/原本/g)!.length).toBeGreaterThanOrEqual(14);
  });

  it('reads an XLSX roster with good and bad rows', async () => {
    const { api } = await office();
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('名簿');
    sheet.addRow(['氏名', 'メールアドレス', '入職日', '職種']);
    sheet.addRow(['表計算 花子', 'hanako.xlsx@example.jp', new Date(Date.UTC(2026, 3, 1)), '薬剤師']);
    sheet.addRow(['表計算 太郎', 'not-mail', new Date(Date.UTC(2026, 3, 1)), '薬剤師']);
    const xlsx = Buffer.from(await workbook.xlsx.writeBuffer());
    const preview = await api.post('/api/batches/preview').attach('file', xlsx, 'staff.xlsx').expect(200);
    expect(preview.body).toMatchObject({ encoding: 'xlsx', summary: { valid: 1, invalid: 1 } });
    expect(preview.body.rows[0]).toMatchObject({ row: 2, name: '表計算 花子', startDate: '2026-04-01' });
    const created = await api.post('/api/batches').attach('file', xlsx, 'staff.xlsx').expect(202);
    const batch = await waitForBatch(api, created.body.id);
    expect(batch.counts).toEqual({ done: 1, pending: 0, rejected: 1, added: 1, changed: 0, removed: 0 });
    expect(squeeze(pdfText(await getPdf(api, batch.pdfUrl)))).toContain('表計算花子');
  });

  it('from a full roster: adds the new, changes the changed, removes those missing, and lists them all on the notice', async () => {
    const { office: o, api } = await office();
    await api.post('/api/staff').send({ name: '残留 一郎', email: 'stay@example.jp', jobTitle: '看護師' }).expect(201);
    await api.post('/api/staff').send({ name: '旧姓 花子', email: 'rename@example.jp', jobTitle: '看護師' }).expect(201);
    await api.post('/api/staff').send({ name: '退職 三郎', email: 'leave@example.jp', jobTitle: '看護師' }).expect(201);
    const csv = shiftJisCsv([
      HEADER,
      'kanri@example.jp,管理 一郎,看護師,,,',
      'stay@example.jp,残留 一郎,看護師,,,',
      'rename@example.jp,新姓 花子,看護師,,,',
      'join@example.jp,入職 四郎,事務,,,',
    ]);
    const preview = await api.post('/api/batches/preview').field('kind', 'update').attach('file', csv, 'all.csv').expect(200);
    expect(preview.body.plan.map((p: { action: string; name: string }) => `${p.action}:${p.name}`)).toEqual([
      '変更:新姓 花子',
      '新規:入職 四郎',
      '削除:退職 三郎',
    ]);
    const created = await api.post('/api/batches').field('kind', 'update').attach('file', csv, 'all.csv').expect(202);
    const batch = await waitForBatch(api, created.body.id);
    expect(batch.status).toBe('done');
    const staff = await db.query(`SELECT name, active FROM staff_member WHERE office_id = $1 ORDER BY name`, [o.id]);
    expect(staff).toEqual(
      expect.arrayContaining([
        { name: '新姓 花子', active: true },
        { name: '入職 四郎', active: true },
        { name: '退職 三郎', active: false },
      ]),
    );
    const [leaver] = await db.query(`SELECT left_at FROM staff_member WHERE office_id = $1 AND email = 'leave@example.jp'`, [o.id]);
    expect(leaver.left_at).toBeInstanceOf(Date); // 退職 recorded, not just hidden
    const notice = squeeze(pdfText(await getPdf(api, batch.pdfUrl)));
    expect(notice).toContain('入職四郎');
    expect(notice).toContain('退職三郎');
    // Each count says what it counts: a removal is not reported as something 作成.
    expect(batch.counts).toMatchObject({ added: 1, changed: 1, removed: 1 });
    expect(notice).toContain('対象3名（追加1名・変更1名・削除1名）');
    const page = (await api.get(`/office/batches/${batch.id}`).expect(200)).text;
    expect(page).toContain('追加 1名・変更 1名・削除 1名・作成されなかった行 0行');
    expect(page).not.toMatch(/作成 \d+名/);
  });

  it('sends each new person a signing link instead of printing their pledge (e-sign mode)', async () => {
    const { office: o, api } = await office();
    const csv = shiftJisCsv([HEADER, 'esign1@example.jp,電子 一郎,看護師,,,', 'esign2@example.jp,電子 二郎,看護師,,,']);
    const created = await api.post('/api/batches').field('mode', 'esign').attach('file', csv, 'staff.csv').expect(202);
    const batch = await waitForBatch(api, created.body.id);
    expect(batch.status).toBe('done');
    const requests = await db.query(
      `SELECT s.email, s.role, r.status FROM signer s JOIN signing_request r ON r.id = s.request_id JOIN document d ON d.id = r.document_id WHERE d.office_id = $1 ORDER BY s.email`,
      [o.id],
    );
    expect(requests).toEqual([
      { email: 'esign1@example.jp', role: 'staff', status: 'open' },
      { email: 'esign2@example.jp', role: 'staff', status: 'open' },
    ]);
    const mails = await db.query(
      `SELECT recipient FROM mail_outbox WHERE recipient LIKE 'esign%' AND kind = 'signing-request' ORDER BY recipient`,
    );
    expect(mails.map((m: { recipient: string }) => m.recipient)).toEqual(['esign1@example.jp', 'esign2@example.jp']);
    // Only the notice is printed: the pledges are signed electronically.
    const text = squeeze(pdfText(await getPdf(api, batch.pdfUrl)));
    expect(text).toContain('るるめネットにおけるMCS登録依頼書');
    expect(text).not.toContain('るるめネットにおける情報保持誓約書第1条');
    // The cover asks nobody to stamp and mail a pledge that is signed online; only the notice goes by post.
    expect(text).toContain(squeeze('誓約書は、各従事者へメールで電子署名を依頼しました（誓約書の印刷・押印・郵送は不要です）'));
    expect(text).not.toContain(squeeze('各書類に署名・押印のうえ'));
    expect(text).toContain(squeeze('同封の従事者の変更届に署名・押印のうえ'));
  });

  it('refuses a file that is no roster, with a clear message', async () => {
    const { api } = await office();
    const { body } = await api.post('/api/batches/preview').attach('file', Buffer.from('%PDF-1.7 not a roster'), 'x.pdf').expect(400);
    expect(body.errors[0].path).toBe('file');
    await api.post('/api/batches').expect(400);
  });
});

describe('a worker killed mid-batch', () => {
  let stack: TestStack;
  let db: DataSource;
  const workers: ChildProcess[] = [];
  beforeAll(async () => {
    stack = await startStack({}, { worker: false });
    db = stack.app.get(DataSource);
  });
  afterAll(async () => {
    for (const w of workers)
      if (w.pid)
        try {
          process.kill(-w.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
    await stack?.close();
  });

  /** The real worker process (dist/src/worker.js) on this test run's database and Redis prefix, in its own process group. */
  function startWorker(): ChildProcess {
    const child = spawn(process.execPath, ['dist/src/worker.js'], {
      cwd: projectRoot(),
      env: { ...process.env, LOG_LEVEL: 'error' },
      detached: true,
      stdio: 'ignore',
    });
    workers.push(child);
    return child;
  }

  it('resumes after SIGKILL: nobody missing, nobody twice', async () => {
    const { office, manager } = await createOfficeWithManager(stack.app, 'rurume');
    const api = await stack.login(manager.email);
    const people = 300;
    const csv = shiftJisCsv([HEADER, ...Array.from({ length: people }, (_, i) => `p${i}@example.jp,再開 ${i + 1}号,看護師,,,`)]);
    const created = await api.post('/api/batches').attach('file', csv, 'big.csv').expect(202);
    const first = startWorker();
    const done = async () =>
      (await db.query(`SELECT count(*)::int AS n FROM batch_person WHERE batch_id = $1 AND status = 'done'`, [created.body.id]))[0].n;
    for (let i = 0; i < 600 && (await done()) < 40; i++) await new Promise((r) => setTimeout(r, 100));
    process.kill(-first.pid!, 'SIGKILL'); // the worker and its Chromium, mid-batch
    const atKill = await done();
    expect(atKill).toBeGreaterThan(0);
    expect(atKill).toBeLessThan(people);

    startWorker();
    const batch = await waitForBatch(api, created.body.id, 120_000);
    expect({ error: batch.error, status: batch.status }).toEqual({ error: null, status: 'done' });
    expect(batch.counts).toEqual({ done: people, rejected: 0, pending: 0, added: people, changed: 0, removed: 0 });
    const perPerson = await db.query(
      `SELECT count(*)::int AS staff, count(DISTINCT email)::int AS emails FROM staff_member WHERE office_id = $1 AND email LIKE 'p%@example.jp'`,
      [office.id],
    );
    expect(perPerson[0]).toEqual({ staff: people, emails: people });
    const [{ n: pledges }] = await db.query(`SELECT count(*)::int AS n FROM document WHERE office_id = $1 AND form_id = 'staff-pledge'`, [
      office.id,
    ]);
    expect(pledges).toBe(people);
    const pdf = await getPdf(api, batch.pdfUrl);
    const text = squeeze(pdfText(pdf));
    for (const i of [1, 150, 300]) expect(text).toContain(`再開${i}号`);
    expect(pdfInfo(pdf).pages).toBe(batch.pageCount);
  }, 240_000);
});
