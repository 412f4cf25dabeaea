import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import request from 'supertest';
import { dropDatabase } from '../src/database/database.setup';
import { pdfInfo, pdfText, squeeze } from './support/pdf-tools';
import { TestRedis, freePort, startRedisServer } from './support/redis-server';
import { TestSmtp, linkIn, startSmtp } from './support/smtp';
import { Supervised, setupDatabase, startSupervised } from './support/supervised';
import { Agent, getPdf, withCsrfHeader } from './support/test-app';
import { waitUntil } from './support/wait';

/**
 * The fault suite of issue 14, against the service as `npm start` runs it: the database step, then the
 * supervisor (scripts/start-all.mjs) with the compiled API and worker, on a database and a redis-server
 * process of this file's own. The sweeper runs every 3 s (SWEEP_SECONDS).
 * Needs `npx tsc -p tsconfig.build.json` first.
 */
const PEOPLE = 300;
const DEMO = { email: 'manager@demo.example.jp', password: 'renkei-demo-2026' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Processes whose parent, or process group, is `pid` (from /proc, independent of what the service records). */
function processesOf(pid: number, by: 'parent' | 'group'): Array<{ pid: number; command: string }> {
  const found: Array<{ pid: number; command: string }> = [];
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const [state, ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state !== 'Z' && Number(by === 'parent' ? ppid : pgrp) === pid) found.push({ pid: Number(entry), command });
    } catch {
      /* gone meanwhile */
    }
  }
  return found;
}

describe('faults: PostgreSQL is the truth (own redis-server, own database, the supervised service)', () => {
  const databaseUrl = new URL(process.env.DATABASE_URL!);
  databaseUrl.pathname = `${databaseUrl.pathname}_faults`;
  let redis: TestRedis;
  let smtp: TestSmtp;
  let service: Supervised | null = null;
  let db: Pool;
  let office: Agent;
  let base: string;
  let env: Record<string, string>;
  /** What the README's reliability section reports, measured here (ms). */
  const measured: Record<string, number> = {};
  const logs: string[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    smtp = await startSmtp();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = {
      DATABASE_URL: databaseUrl.toString(),
      REDIS_URL: redis.url,
      PORT: String(port),
      PUBLIC_URL: base,
      SMTP_URL: smtp.url,
      QUEUE_PREFIX: 'renkei-faults',
      SWEEP_SECONDS: '3',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'test',
    };
    db = new Pool({ connectionString: databaseUrl.toString(), max: 2 });
    db.on('error', () => undefined); // (d) terminates this pool's connections too
  });
  afterAll(async () => {
    try {
      await service?.stop();
      logs.push(service?.output() ?? '');
      const file = join(tmpdir(), 'renkei-faults.log');
      writeFileSync(file, logs.join('\n----- next start -----\n'));
      console.log(`fault suite, measured (ms): ${JSON.stringify(measured)}; the service's output: ${file}`);
      await db?.end().catch(() => undefined);
      await smtp?.close();
      await redis?.stop();
    } finally {
      await dropDatabase(databaseUrl.toString());
    }
  }, 60_000);

  /** `npm start` after the preflight: the database step, then the supervisor; ready once /health is ok. */
  async function npmStart(): Promise<string> {
    if (service) logs.push(service.output());
    const setup = await setupDatabase(env);
    expect(setup.output).not.toContain('Connection is closed');
    expect(setup.code).toBe(0);
    service = startSupervised(env);
    await waitUntil(
      async () => (await request(base).get('/health')).body.status === 'ok',
      90_000,
      `a healthy service (output: ${service.output().slice(-2000)})`,
    );
    office = request.agent(base);
    await office.post('/api/auth/login').send(DEMO).expect(200);
    await withCsrfHeader(office);
    return setup.output;
  }

  async function startBatch(prefix: string, family: string): Promise<string> {
    const rows = Array.from({ length: PEOPLE }, (_, i) => `${prefix}${i}@faults.example.jp,${family} ${i + 1}号,看護師`);
    const csv = Buffer.from(['メールアドレス,氏名,職種', ...rows].join('\r\n'));
    const { body } = await office.post('/api/batches').attach('file', csv, `${prefix}.csv`).expect(202);
    return body.id;
  }

  async function peopleDone(batchId: string): Promise<number> {
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM batch_person WHERE batch_id = $1 AND status = 'done'`, [batchId]);
    return rows[0].n;
  }

  /** Every person of the roster exactly once: one staff record, one pledge, one original printed once. */
  async function expectExactlyOnce(batchId: string, prefix: string): Promise<void> {
    const batch = await waitUntil(
      async () => {
        const { body } = await office.get(`/api/batches/${batchId}`).expect(200);
        return body.status === 'done' || body.status === 'failed' ? body : null;
      },
      240_000,
      `batch ${batchId} finished`,
    );
    expect({ status: batch.status, error: batch.error }).toEqual({ status: 'done', error: null });
    expect(batch.counts).toEqual({ done: PEOPLE, pending: 0, rejected: 0, added: PEOPLE, changed: 0, removed: 0 });
    const like = `${prefix}%@faults.example.jp`;
    const { rows: staff } = await db.query(
      `SELECT count(*)::int AS rows, count(DISTINCT email)::int AS people FROM staff_member WHERE email LIKE $1`,
      [like],
    );
    expect(staff[0]).toEqual({ rows: PEOPLE, people: PEOPLE });
    const { rows: pledges } = await db.query(
      `SELECT d.id, x.code FROM document d JOIN staff_member s ON s.id = d.subject_id
         JOIN exemplar x ON x.document_id = d.id AND x.kind = 'original'
        WHERE s.email LIKE $1 AND d.form_id = 'staff-pledge'`,
      [like],
    );
    expect(pledges).toHaveLength(PEOPLE);
    expect(new Set(pledges.map((p: { id: string }) => p.id)).size).toBe(PEOPLE);
    const pdf = await getPdf(office, batch.pdfUrl);
    expect(pdfInfo(pdf).pages).toBe(batch.pageCount);
    const text = squeeze(pdfText(pdf));
    const times = (code: string) => text.split(code).length - 1;
    const once = times(pledges[0].code);
    expect(once).toBeGreaterThanOrEqual(1); // each original carries its number (under the QR code)
    const counts = new Map<number, number>();
    for (const { code } of pledges) counts.set(times(code), (counts.get(times(code)) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual({ [once]: PEOPLE }); // nobody missing, nobody twice
  }

  /** An issued consent for a new patient, and a request whose signers sign on the office's device. */
  async function issuedConsent(family?: { email: string }): Promise<{ docId: string; number: string; request: SigningRequest }> {
    const patient = await office
      .post('/api/patients')
      .send({ name: '障害 ハル', family: [{ name: '障害 健太', relation: '長男', email: family?.email ?? 'kenta@faults.example.jp' }] })
      .expect(201);
    const doc = await office.post('/api/documents').send({ form: 'patient-consent', subjectId: patient.body.id }).expect(201);
    await office.post(`/api/documents/${doc.body.id}/issue`).expect(201);
    const first = family
      ? { role: 'family1', name: '障害 健太', relation: '長男', method: 'email', email: family.email }
      : { role: 'patient', name: '障害 ハル', method: 'in_person' };
    const { body } = await office
      .post(`/api/documents/${doc.body.id}/signing`)
      .send({ signers: [first, { role: 'explainer', name: '説明 看護師', method: 'in_person' }] })
      .expect(201);
    return { docId: doc.body.id, number: doc.body.number, request: body };
  }

  function signInPerson(request: SigningRequest, signer: SigningRequest['signers'][number]) {
    return office
      .post(`/api/signing/${request.id}/signers/${signer.id}/in-person`)
      .send({ consent: true, signatureKind: 'typed', typedName: signer.name });
  }

  it('starts on a fresh database (the database step seeds the demo, the supervisor starts the API and the worker)', async () => {
    const started = Date.now();
    expect(await npmStart()).toMatch(/created database .*_faults; .*demo data seeded/);
    measured.firstStartHealthy = Date.now() - started;
    expect(service!.pids('API')).toHaveLength(1);
    expect(service!.pids('worker')).toHaveLength(1);
  }, 180_000);

  it('(a) Redis shut down (SHUTDOWN NOSAVE) at a third of a 300-person batch and back 3 s later: everyone exactly once', async () => {
    const consent = await issuedConsent();
    await signInPerson(consent.request, consent.request.signers[0]).expect(201);
    const batchId = await startBatch('a', '赤井');
    await waitUntil(async () => (await peopleDone(batchId)) >= PEOPLE / 3, 120_000, 'a third of the batch');
    await redis.shutdownNoSave();
    const down = Date.now();
    expect(await peopleDone(batchId)).toBeLessThan(PEOPLE);

    // Meanwhile nothing waits on Redis: the state is committed, the page says 処理待ち, the sweeper delivers later.
    let asked = Date.now();
    const render = await office
      .post('/api/renders')
      .send({
        network: 'rurume',
        form: 'staff-pledge',
        data: { officeName: '障害テスト', staffName: '赤井 花子', email: 'hanako@faults.example.jp' },
      })
      .expect(202);
    measured.renderDuringOutage = Date.now() - asked;
    expect(Date.now() - asked).toBeLessThan(3000);
    expect((await office.get(`/renders/${render.body.id}`).expect(200)).text).toContain('処理待ち');
    asked = Date.now();
    await signInPerson(consent.request, consent.request.signers[1]).expect(201); // the last signature: its seal is due
    measured.lastSignatureDuringOutage = Date.now() - asked;
    expect(Date.now() - asked).toBeLessThan(3000);
    expect((await office.get(`/documents/${consent.docId}`).expect(200)).text).toContain('処理待ち');

    await sleep(Math.max(0, 3000 - (Date.now() - down)));
    await redis.start(); // empty: every job, the sweep scheduler and the heartbeats are gone
    const up = Date.now();
    await Promise.all([
      expectExactlyOnce(batchId, 'a').then(() => (measured.batchDoneAfterRedisBack = Date.now() - up)),
      waitUntil(async () => (await office.get(`/api/renders/${render.body.id}`)).body.status === 'done', 60_000, 'the render').then(
        () => (measured.renderDoneAfterRedisBack = Date.now() - up),
      ),
      waitUntil(
        async () => (await db.query(`SELECT sealed_sha256 FROM signing_request WHERE id = $1`, [consent.request.id])).rows[0].sealed_sha256,
        60_000,
        'the seal',
      ).then(() => (measured.sealedAfterRedisBack = Date.now() - up)),
    ]);
  }, 300_000);

  it('(b) requests whose Redis jobs were lost still expire, the office told once; a due reminder goes once', async () => {
    const expiring = await issuedConsent({ email: 'expire-b@faults.example.jp' });
    const link = linkIn(await smtp.waitFor((m) => m.to === 'expire-b@faults.example.jp'), '/sign/');
    const reminded = await issuedConsent({ email: 'remind-b@faults.example.jp' });
    await smtp.waitFor((m) => m.to === 'remind-b@faults.example.jp');
    await request(base).get(link).expect(200);

    await redis.flushAll(); // every job lost; PostgreSQL still has each request's dates
    await db.query(`UPDATE signing_request SET expires_at = now() - interval '1 minute' WHERE id = $1`, [expiring.request.id]);
    await db.query(`UPDATE signer SET remind_at = now() - interval '1 minute' WHERE request_id = $1 AND role = 'family1'`, [
      reminded.request.id,
    ]);
    // Refused from the database before any sweep: the API's kept copy of the link goes when PostgreSQL announces
    // the change to it, a moment after this test's session commits it.
    await waitUntil(async () => (await request(base).get(link)).text.includes('有効期限が切れています'), 2_000, 'the expired link refused');

    const flushed = Date.now();
    const notice = await smtp.waitFor((m) => m.subject.includes('期限が切れました') && m.text.includes(expiring.number), 60_000);
    measured.expiryNoticeAfterFlush = Date.now() - flushed;
    expect(notice.to).toBe(DEMO.email);
    await smtp.waitFor((m) => m.to === 'remind-b@faults.example.jp' && m.subject.includes('再送'), 60_000);
    await sleep(10_000); // three more sweeps
    expect(smtp.messages.filter((m) => m.subject.includes('期限が切れました') && m.text.includes(expiring.number))).toHaveLength(1);
    expect(smtp.messages.filter((m) => m.to === 'remind-b@faults.example.jp' && m.subject.includes('再送'))).toHaveLength(1);
    expect((await request(base).get(link).expect(410)).text).toContain('有効期限が切れています');
    const { body } = await office.get(`/api/documents/${expiring.docId}/signing`).expect(200);
    expect(body[0].status).toBe('expired');
  }, 120_000);

  it('(c) the worker SIGKILLed mid-batch: the API answers throughout, a new worker finishes it exactly once, no Chromium left', async () => {
    const batchId = await startBatch('c', '千葉');
    await waitUntil(async () => (await peopleDone(batchId)) >= PEOPLE / 3, 120_000, 'a third of the batch');
    const [worker] = service!.pids('worker').slice(-1);
    const browsers = processesOf(worker, 'parent').filter((p) => /chrom/i.test(p.command));
    expect(browsers).toHaveLength(1);

    const answers: number[] = [];
    let probing = true;
    const probe = (async () => {
      while (probing) {
        for (const path of ['/health/live', '/login', '/verify']) answers.push((await request(base).get(path)).status);
        await sleep(50);
      }
    })();
    process.kill(worker, 'SIGKILL');
    const killed = Date.now();
    await service!.waitFor(/worker stopped \(SIGKILL\); starting it again/, 10_000);
    await waitUntil(async () => processesOf(browsers[0].pid, 'group').length === 0, 10_000, "the dead worker's Chromium gone");
    measured.chromiumGoneAfterKill = Date.now() - killed;
    await waitUntil(async () => service!.pids('worker').length === 2, 30_000, 'a new worker');
    const resumedAt = await peopleDone(batchId);
    await waitUntil(async () => (await peopleDone(batchId)) > resumedAt, 120_000, 'the batch moving again');
    measured.batchMovingAfterKill = Date.now() - killed;
    await expectExactlyOnce(batchId, 'c');
    measured.batchDoneAfterKill = Date.now() - killed;
    probing = false;
    await probe;
    expect(answers.length).toBeGreaterThan(30);
    expect(answers.filter((status) => status !== 200)).toEqual([]);
    expect(processesOf(worker, 'parent')).toEqual([]);
  }, 300_000);

  it("(d) PostgreSQL's connections cut mid-batch (pg_terminate_backend; the machine's server is shared, so not restarted)", async () => {
    const batchId = await startBatch('d', '土井');
    await waitUntil(async () => (await peopleDone(batchId)) >= PEOPLE / 3, 120_000, 'a third of the batch');
    const name = databaseUrl.pathname.slice(1);
    const { rows } = await db.query(
      `SELECT pg_terminate_backend(pid) AS cut FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [name],
    );
    const cut = Date.now();
    expect(rows.filter((r: { cut: boolean }) => r.cut).length).toBeGreaterThanOrEqual(2); // the API's and the worker's
    expect(await peopleDone(batchId)).toBeLessThan(PEOPLE);
    await expectExactlyOnce(batchId, 'd');
    measured.batchDoneAfterCut = Date.now() - cut;
  }, 300_000);

  it('starts a second time on the same database, the demo data present: both starts start', async () => {
    const [worker] = service!.pids('worker').slice(-1);
    expect(await service!.stop()).toBe(0);
    expect(processesOf(worker, 'parent')).toEqual([]); // its Chromium stopped with it
    const started = Date.now();
    expect(await npmStart()).toMatch(/database .*_faults exists; no pending migrations; .*demo data already present/);
    measured.secondStartHealthy = Date.now() - started;
    expect(service!.pids('worker')).toHaveLength(1);
  }, 180_000);
});

interface SigningRequest {
  id: string;
  signers: Array<{ id: string; role: string; name: string }>;
}
