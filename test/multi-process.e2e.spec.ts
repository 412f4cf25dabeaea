import { ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { Pool } from 'pg';
import request from 'supertest';
import { projectRoot } from '../src/common/project-root';
import { DOCUMENTS_QUEUE, MAIL_QUEUE, SIGNING_QUEUE, lastSweepKey, redisConnection, workerHeartbeatPrefix } from '../src/common/queues';
import { dropDatabase } from '../src/database/database.setup';
import { pdfInfo, pdfText, squeeze } from './support/pdf-tools';
import { TestRedis, freePort, startRedisServer } from './support/redis-server';
import { TestS3, startS3 } from './support/s3-server';
import { TestSmtp, startSmtp } from './support/smtp';
import { setupDatabase } from './support/supervised';
import { Agent, getPdf } from './support/test-app';
import { waitUntil } from './support/wait';

/**
 * More than one of each, as a large network deploys: two API processes and two workers (the compiled service)
 * on one PostgreSQL, one Redis and one S3-compatible bucket of this file's own. A 300-person roster batch, 50 signatures completing their
 * requests at once, and the sweeper every 3 s on both workers: every result exactly once. A session made on
 * one API works on the other. Needs `npm run build` first.
 */
const PEOPLE = 300;
const SIGNINGS = 50;
const DEMO = { email: 'manager@demo.example.jp', password: 'renkei-demo-2026' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Service {
  name: string;
  child: ChildProcess;
  output: string;
}

/** One compiled process (`node dist/src/main.js` or `worker.js`), as a deployment runs each on its own machine. */
function startService(name: string, script: 'main.js' | 'worker.js', env: Record<string, string>): Service {
  const child = spawn(process.execPath, [join(projectRoot(), 'dist', 'src', script)], {
    cwd: projectRoot(),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const service: Service = { name, child, output: '' };
  const append = (chunk: Buffer) => (service.output += chunk.toString());
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  return service;
}

function stopService(service: Service): Promise<void> {
  return new Promise((resolve) => {
    if (service.child.exitCode !== null || service.child.signalCode !== null) return resolve();
    const kill = setTimeout(() => service.child.kill('SIGKILL'), 20_000);
    service.child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    service.child.kill('SIGTERM');
  });
}

describe('two APIs and two workers on one PostgreSQL and one Redis', () => {
  const databaseUrl = new URL(process.env.DATABASE_URL!);
  databaseUrl.pathname = `${databaseUrl.pathname}_multi`;
  const prefix = `${process.env.QUEUE_PREFIX}-multi`;
  let redis: TestRedis;
  let redisClient: Redis;
  let smtp: TestSmtp;
  let s3: TestS3;
  let db: Pool;
  const services: Service[] = [];
  const bases: string[] = [];
  /** Logged in on the first API; the second API is reached with the same cookie (see the session test). */
  const offices: Agent[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    redisClient = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    smtp = await startSmtp();
    s3 = await startS3();
    const shared = {
      DATABASE_URL: databaseUrl.toString(),
      REDIS_URL: redis.url,
      SMTP_URL: smtp.url,
      STORAGE_URL: s3.url,
      QUEUE_PREFIX: prefix,
      SWEEP_SECONDS: '3',
      RENDER_POOL_SIZE: '1',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'test',
    };
    const setup = await setupDatabase(shared);
    expect(setup.code).toBe(0);
    const ports = [await freePort(), await freePort()];
    // Mailed links name the load balancer's address; here that is the first API.
    const publicUrl = `http://127.0.0.1:${ports[0]}`;
    for (const [i, port] of ports.entries()) {
      bases.push(`http://127.0.0.1:${port}`);
      services.push(startService(`API ${i + 1}`, 'main.js', { ...shared, PORT: String(port), PUBLIC_URL: publicUrl }));
    }
    for (const i of [1, 2]) services.push(startService(`worker ${i}`, 'worker.js', { ...shared, PUBLIC_URL: publicUrl }));
    db = new Pool({ connectionString: databaseUrl.toString(), max: 4 });
    for (const base of bases)
      await waitUntil(async () => (await request(base).get('/health')).body.status === 'ok', 120_000, `${base} healthy`);
    await waitUntil(async () => (await redisClient.keys(`${workerHeartbeatPrefix(prefix)}*`)).length === 2, 60_000, 'both workers beating');
  }, 180_000);

  afterAll(async () => {
    try {
      await Promise.all(services.map(stopService));
      const file = join(tmpdir(), 'renkei-multi-process.log');
      writeFileSync(file, services.map((s) => `----- ${s.name}\n${s.output}`).join('\n'));
      console.log(`the services' output: ${file}`);
      await db?.end();
      redisClient?.disconnect();
      await smtp?.close();
      await s3?.close();
      await redis?.stop();
    } finally {
      await dropDatabase(databaseUrl.toString());
    }
  }, 60_000);

  it('takes a session made on one API on the other: reads and changes, with its CSRF token', async () => {
    const login = await request(bases[0]).post('/api/auth/login').send(DEMO).expect(200);
    const cookie = login.headers['set-cookie'] as unknown as string[];
    const { csrfToken } = (await request(bases[0]).get('/api/auth/csrf').set('Cookie', cookie).expect(200)).body;
    for (const base of bases) {
      const agent = request.agent(base);
      agent.set('Cookie', cookie.map((c) => c.split(';')[0]).join('; '));
      agent.set('X-CSRF-Token', csrfToken);
      offices.push(agent);
    }
    expect((await offices[1].get('/office/documents').expect(200)).text).toContain('書類');
    const patient = await offices[1].post('/api/patients').send({ name: '複数 サキ' }).expect(201);
    expect((await offices[0].get(`/api/patients/${patient.body.id}`).expect(200)).body.name).toBe('複数 サキ');
    // Without the token a change is refused on either API.
    await request(bases[1]).post('/api/patients').set('Cookie', cookie).send({ name: '拒否 サキ' }).expect(403);
    // Logged out on the second API, the session is gone on the first as well.
    const other = await request(bases[0]).post('/api/auth/login').send(DEMO).expect(200);
    const otherCookie = (other.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ');
    const otherCsrf = (await request(bases[0]).get('/api/auth/csrf').set('Cookie', otherCookie).expect(200)).body.csrfToken;
    await request(bases[1]).post('/api/auth/logout').set('Cookie', otherCookie).set('X-CSRF-Token', otherCsrf).expect(204);
    await request(bases[0]).get('/api/patients').set('Cookie', otherCookie).expect(401);
  });

  it('runs a 300-person batch, 50 signatures completing at once and the sweeper: every result exactly once', async () => {
    const started = Date.now();
    // 50 consents, each signed by the patient on the tablet (alternating APIs); the explainer's signature completes each.
    const requests: Array<{ docId: string; requestId: string; explainerId: string; email: string }> = [];
    const prepare = async (i: number) => {
      const office = offices[i % 2];
      const patient = await office
        .post('/api/patients')
        .send({ name: `同時 ${i + 1}号` })
        .expect(201);
      const doc = await office.post('/api/documents').send({ form: 'patient-consent', subjectId: patient.body.id }).expect(201);
      await office.post(`/api/documents/${doc.body.id}/issue`).expect(201);
      const email = `patient${i}@multi.example.jp`;
      const { body } = await office
        .post(`/api/documents/${doc.body.id}/signing`)
        .send({
          signers: [
            { role: 'patient', name: `同時 ${i + 1}号`, method: 'in_person', email },
            { role: 'explainer', name: '説明 看護師', method: 'in_person' },
          ],
        })
        .expect(201);
      const [first, explainer] = body.signers;
      await office
        .post(`/api/signing/${body.id}/signers/${first.id}/in-person`)
        .send({ consent: true, signatureKind: 'typed', typedName: first.name })
        .expect(201);
      requests[i] = { docId: doc.body.id, requestId: body.id, explainerId: explainer.id, email };
    };
    for (let i = 0; i < SIGNINGS; i += 10) await Promise.all(Array.from({ length: 10 }, (_, j) => prepare(i + j)));
    const prepared = Date.now();

    const rows = Array.from({ length: PEOPLE }, (_, i) => `m${i}@multi.example.jp,複数 ${i + 1}号,看護師`);
    const csv = Buffer.from(['メールアドレス,氏名,職種', ...rows].join('\r\n'));
    const batchId = (await offices[0].post('/api/batches').attach('file', csv, 'multi.csv').expect(202)).body.id as string;
    await waitUntil(
      async () =>
        (await db.query(`SELECT count(*)::int AS n FROM batch_person WHERE batch_id = $1 AND status = 'done'`, [batchId])).rows[0].n >= 30,
      120_000,
      'the batch under way',
    );
    // The last signature of all 50 at once, through both APIs, while the batch runs.
    const answers = await Promise.all(
      requests.map((r, i) =>
        offices[i % 2]
          .post(`/api/signing/${r.requestId}/signers/${r.explainerId}/in-person`)
          .send({ consent: true, signatureKind: 'typed', typedName: '説明 看護師' }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(requests.map(() => 201));
    expect(answers.map((a) => a.body.completed)).toEqual(requests.map(() => true));

    const batch = await waitUntil(
      async () => {
        const { body } = await offices[1].get(`/api/batches/${batchId}`).expect(200);
        return body.status === 'done' || body.status === 'failed' ? body : null;
      },
      240_000,
      'the batch finished',
    );
    const ids = requests.map((r) => r.requestId);
    await waitUntil(
      async () =>
        (await db.query(`SELECT count(*)::int AS n FROM signing_request WHERE id = ANY($1) AND sealed_sha256 IS NOT NULL`, [ids])).rows[0]
          .n === SIGNINGS,
      180_000,
      'all 50 sealed',
    );
    const emails = requests.map((r) => r.email);
    await waitUntil(
      async () => new Set(smtp.messages.filter((m) => emails.includes(m.to)).map((m) => m.to)).size === SIGNINGS,
      60_000,
      'every copy mailed',
    );
    const finished = Date.now();
    console.log(
      `multi-process: 50 consents prepared in ${prepared - started} ms; the batch and the 50 seals done ${finished - prepared} ms after`,
    );
    await sleep(7_000); // two more sweeps on top: nothing is done again

    // The batch: one staff record, one pledge and one printed original per person, one merged PDF.
    expect({ status: batch.status, error: batch.error }).toEqual({ status: 'done', error: null });
    expect(batch.counts).toEqual({ done: PEOPLE, pending: 0, rejected: 0, added: PEOPLE, changed: 0, removed: 0 });
    const staff = await db.query(
      `SELECT count(*)::int AS rows, count(DISTINCT email)::int AS people FROM staff_member WHERE email LIKE 'm%@multi.example.jp'`,
    );
    expect(staff.rows[0]).toEqual({ rows: PEOPLE, people: PEOPLE });
    const pledges = await db.query(
      `SELECT d.id, x.code FROM document d JOIN staff_member s ON s.id = d.subject_id
         JOIN exemplar x ON x.document_id = d.id AND x.kind = 'original'
        WHERE s.email LIKE 'm%@multi.example.jp' AND d.form_id = 'staff-pledge'`,
    );
    expect(pledges.rows).toHaveLength(PEOPLE);
    expect((await db.query(`SELECT count(*)::int AS n FROM batch WHERE id = $1 AND pdf_sha256 IS NOT NULL`, [batchId])).rows[0].n).toBe(1);
    const pdf = await getPdf(offices[1], batch.pdfUrl);
    expect(pdfInfo(pdf).pages).toBe(batch.pageCount);
    const text = squeeze(pdfText(pdf));
    const times = (code: string) => text.split(code).length - 1;
    const once = times(pledges.rows[0].code);
    expect(once).toBeGreaterThanOrEqual(1);
    const counts = new Map<number, number>();
    for (const { code } of pledges.rows) counts.set(times(code), (counts.get(times(code)) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual({ [once]: PEOPLE });

    // The signings: one sealed file per request, each original signed once in its ledger, one copy mail each.
    const sealed = await db.query(
      `SELECT r.id, count(f.sha256)::int AS files FROM signing_request r LEFT JOIN sealed_file f ON f.request_id = r.id WHERE r.id = ANY($1) GROUP BY r.id`,
      [ids],
    );
    expect(sealed.rows.map((r) => r.files)).toEqual(ids.map(() => 1));
    const ledger = await db.query(
      `SELECT x.id, count(e.id) FILTER (WHERE e.type = 'signed_electronically')::int AS signed
         FROM exemplar x LEFT JOIN custody_event e ON e.exemplar_id = x.id
        WHERE x.document_id = ANY($1) AND x.kind = 'original' GROUP BY x.id`,
      [requests.map((r) => r.docId)],
    );
    expect(ledger.rows.length).toBeGreaterThanOrEqual(SIGNINGS); // a consent has an original on each side
    expect(ledger.rows.filter((r) => r.signed !== 1)).toEqual([]);
    const outbox = await db.query(`SELECT recipient, count(*)::int AS n FROM mail_outbox WHERE recipient = ANY($1) GROUP BY recipient`, [
      emails,
    ]);
    expect(outbox.rows.map((r) => r.n)).toEqual(emails.map(() => 1));
    const delivered = smtp.messages.filter((m) => emails.includes(m.to));
    expect(delivered).toHaveLength(SIGNINGS);
    const roster = await db.query(`SELECT count(*)::int AS n FROM mail_outbox WHERE recipient LIKE 'm%@multi.example.jp'`);
    const rosterMail = smtp.messages.filter((m) => /^m\d+@multi\.example\.jp$/.test(m.to));
    expect(rosterMail).toHaveLength(roster.rows[0].n);
    expect(new Set(rosterMail.map((m) => `${m.to} ${m.subject}`)).size).toBe(rosterMail.length);

    // The audit log: no action recorded twice for the same thing.
    const twice = await db.query(
      `SELECT action, target_id, count(*)::int AS n FROM audit_event
        WHERE at >= to_timestamp($1 / 1000.0) AND target_id IS NOT NULL
        GROUP BY action, target_id HAVING count(*) > 1`,
      [started],
    );
    expect(twice.rows).toEqual([]);

    // Every PDF, written by either worker and read by either API, is in the one bucket, none in PostgreSQL.
    const stored = await db.query(`SELECT location, count(*)::int AS n FROM pdf_blob GROUP BY location`);
    expect(stored.rows).toEqual([{ location: 's3', n: expect.any(Number) }]);
    expect((await s3.keys()).length).toBe(stored.rows[0].n);

    // Both workers did part of the work (each job names the worker that took it), and both are still up.
    const takenBy = new Set<string>();
    for (const name of [SIGNING_QUEUE, DOCUMENTS_QUEUE, MAIL_QUEUE]) {
      const queue = new Queue(name, { connection: redisConnection(redis.url), prefix });
      for (const job of await queue.getJobs(['completed'], 0, 999)) if (job.processedBy) takenBy.add(job.processedBy.split(':').pop()!);
      await queue.close();
    }
    expect([...takenBy].sort()).toEqual(
      services
        .filter((s) => s.name.startsWith('worker'))
        .map((s) => String(s.child.pid))
        .sort(),
    );
    // The one sweep scheduler ran.
    expect(await redisClient.keys(`${workerHeartbeatPrefix(prefix)}*`)).toHaveLength(2);
    const sweep = JSON.parse((await redisClient.get(lastSweepKey(prefix)))!);
    expect(Date.now() - Date.parse(sweep.at)).toBeLessThan(10_000);
  }, 420_000);
});
