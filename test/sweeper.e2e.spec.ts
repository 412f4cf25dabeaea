import { getQueueToken } from '@nestjs/bullmq';
import { INestApplicationContext } from '@nestjs/common';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { BatchRunnerService } from '../src/batches/batch-runner.service';
import { BatchesService } from '../src/batches/batches.service';
import { DueJob } from '../src/common/job-delivery';
import {
  BATCH_QUEUE,
  DOCUMENTS_QUEUE,
  MAIL_QUEUE,
  MAINTENANCE_QUEUE,
  QUEUE_NAMES,
  RENDER_QUEUE,
  RIGHTS_QUEUE,
  SIGNING_QUEUE,
  JOB_IDS,
} from '../src/common/queues';
import { todayInJapan } from '../src/common/japan-date';
import { CustodyService } from '../src/custody/custody.service';
import { DocumentPrintingService } from '../src/documents/document-printing.service';
import { MailService } from '../src/mail/mail.service';
import { PdfStoreService } from '../src/rendering/pdf-store.service';
import { RendersService } from '../src/rendering/renders.service';
import { SigningJobsService } from '../src/signing/signing-jobs.service';
import { WorkerModule } from '../src/worker.module';
import { createWorker } from '../src/worker.setup';
import { createOfficeWithManager } from './support/factories';
import { TestSmtp, startSmtp } from './support/smtp';
import { Agent, TestStack, startStack } from './support/test-app';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil<T>(probe: () => Promise<T>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(150);
  }
}

/**
 * The sweeper, for every kind of work: with no worker running, each piece of work is committed and its job
 * then lost from Redis; PostgreSQL still says it is due. A worker that starts sweeps, and all of it gets done.
 */
describe('the sweeper: whatever PostgreSQL says is due reaches the queue again', () => {
  let stack: TestStack;
  let smtp: TestSmtp;
  let db: DataSource;
  let office: Agent;
  const workers: INestApplicationContext[] = [];
  const env = () => ({ SMTP_URL: smtp.url, SWEEP_SECONDS: '600' });

  beforeAll(async () => {
    smtp = await startSmtp();
    stack = await startStack(env(), { worker: false });
    db = stack.app.get(DataSource);
    office = await stack.login((await createOfficeWithManager(stack.app, 'rurume')).manager.email);
  });
  afterAll(async () => {
    for (const worker of workers) await worker.close();
    await stack?.close();
    await smtp?.close();
  });

  async function startWorker(): Promise<INestApplicationContext> {
    const saved = { ...process.env };
    Object.assign(process.env, env());
    try {
      const worker = await createWorker(WorkerModule, { bufferLogs: true, abortOnError: false });
      workers.push(worker);
      return worker;
    } finally {
      process.env = saved;
    }
  }

  const queue = (name: string) => stack.app.get<Queue>(getQueueToken(name));
  /** Loses the jobs, as a Redis restart without persistence would. */
  async function lose(name: string, jobs: DueJob[]): Promise<void> {
    for (const job of jobs) await queue(name).remove(job.jobId);
  }

  async function consent(signers: object[], email = 'family@sweep.example.jp') {
    const patient = await office
      .post('/api/patients')
      .send({ name: '掃除 ハル', family: [{ name: '掃除 健太', relation: '長男', email }] })
      .expect(201);
    const doc = await office.post('/api/documents').send({ form: 'patient-consent', subjectId: patient.body.id }).expect(201);
    await office.post(`/api/documents/${doc.body.id}/issue`).expect(201);
    const { body } = await office.post(`/api/documents/${doc.body.id}/signing`).send({ signers }).expect(201);
    return { docId: doc.body.id as string, request: body as { id: string; signers: Array<{ id: string; name: string }> } };
  }

  it('re-queues lost renders, prints, batches, mail, seals, expiries and reminders, and each is done once', async () => {
    const render = await office
      .post('/api/renders')
      .send({
        network: 'rurume',
        form: 'staff-pledge',
        data: { officeName: '掃除', staffName: '掃除 一郎', email: 'ichiro@sweep.example.jp' },
      })
      .expect(202);
    const csv = Buffer.from(
      'メールアドレス,氏名,職種\r\nsweep1@sweep.example.jp,掃除 二郎,看護師\r\nsweep2@sweep.example.jp,掃除 三郎,看護師\r\n',
    );
    const batch = await office.post('/api/batches').attach('file', csv, 'sweep.csv').expect(202);
    const inPerson = await consent([
      { role: 'patient', name: '掃除 ハル', method: 'in_person' },
      { role: 'explainer', name: '説明 看護師', method: 'in_person' },
    ]);
    for (const signer of inPerson.request.signers)
      await office
        .post(`/api/signing/${inPerson.request.id}/signers/${signer.id}/in-person`)
        .send({ consent: true, signatureKind: 'typed', typedName: signer.name })
        .expect(201);
    const explainer = { role: 'explainer', name: '説明 看護師', method: 'in_person' };
    const expiring = await consent([{ role: 'family1', name: '掃除 健太', relation: '長男', email: 'expire@sweep.example.jp' }, explainer]);
    const reminded = await consent([{ role: 'family1', name: '掃除 健太', relation: '長男', email: 'remind@sweep.example.jp' }, explainer]);
    await db.query(`UPDATE signing_request SET expires_at = now() - interval '1 minute' WHERE id = $1`, [expiring.request.id]);
    await db.query(`UPDATE signer SET remind_at = now() - interval '1 minute' WHERE request_id = $1`, [reminded.request.id]);

    // Every kind is due in PostgreSQL; then Redis loses every job.
    const due = {
      [RENDER_QUEUE]: await stack.app.get(RendersService).dueJobs(),
      [DOCUMENTS_QUEUE]: await stack.app.get(DocumentPrintingService).dueJobs(),
      [BATCH_QUEUE]: await stack.app.get(BatchesService).dueJobs(),
      [MAIL_QUEUE]: await stack.app.get(MailService).dueJobs(),
      [SIGNING_QUEUE]: await stack.app.get(SigningJobsService).dueJobs(),
    };
    const ids = Object.values(due).flatMap((jobs) => jobs.map((j) => j.jobId));
    expect(ids).toEqual(
      expect.arrayContaining([
        `render-${render.body.id}`,
        `batch-${batch.body.id}`,
        `seal-${inPerson.request.id}`,
        `expire-${expiring.request.id}`,
        `remind-${reminded.request.signers[0].id}`,
      ]),
    );
    expect(due[DOCUMENTS_QUEUE].length).toBeGreaterThanOrEqual(3); // each issued consent's exemplars
    expect(due[MAIL_QUEUE].length).toBeGreaterThanOrEqual(2); // the two links
    for (const [name, jobs] of Object.entries(due)) await lose(name, jobs);

    const worker = await startWorker(); // its start-up sweep finds them all
    await waitUntil(async () => (await office.get(`/api/renders/${render.body.id}`)).body.status === 'done', 60_000, 'the render');
    await waitUntil(async () => (await office.get(`/api/batches/${batch.body.id}`)).body.status === 'done', 90_000, 'the batch');
    await waitUntil(
      async () => (await db.query(`SELECT sealed_sha256 FROM signing_request WHERE id = $1`, [inPerson.request.id]))[0].sealed_sha256,
      60_000,
      'the seal',
    );
    const expired = await smtp.waitFor((m) => m.subject.includes('期限が切れました'), 60_000);
    expect(expired.text).toContain('掃除 健太');
    await smtp.waitFor((m) => m.to === 'remind@sweep.example.jp' && m.subject.includes('再送'), 60_000);
    await smtp.waitFor((m) => m.to === 'expire@sweep.example.jp', 60_000); // its first link, sent from the outbox
    // This test's prints: the run's database also holds earlier files' documents, whose prints the worker does too.
    const ours = await db.query(`SELECT id FROM exemplar WHERE document_id = ANY($1)`, [
      [inPerson, expiring, reminded].map((c) => c.docId),
    ]);
    const prints = due[DOCUMENTS_QUEUE].map((j) => (j.data as { exemplarId: string }).exemplarId).filter((id) =>
      ours.some((row: { id: string }) => row.id === id),
    );
    expect(prints.length).toBeGreaterThanOrEqual(3);
    await waitUntil(
      async () =>
        (await db.query(`SELECT count(*)::int AS n FROM exemplar WHERE id = ANY($1) AND pdf_sha256 IS NULL`, [prints]))[0].n === 0,
      90_000,
      'the prints',
    );

    // A sweep now finds nothing of this left to do, and a second one does not send anything twice.
    const sweeps = await Promise.all([worker.get(SigningJobsService).sweep(), worker.get(SigningJobsService).sweep()]);
    for (const report of sweeps) expect(report).toMatchObject({ expiries: 0, reminders: 0 });
    await sleep(1500);
    expect(smtp.messages.filter((m) => m.subject.includes('期限が切れました') && m.text.includes('掃除 健太'))).toHaveLength(1);
    expect(smtp.messages.filter((m) => m.to === 'remind@sweep.example.jp' && m.subject.includes('再送'))).toHaveLength(1);
    const [{ n: staff }] = await db.query(`SELECT count(*)::int AS n FROM staff_member WHERE email LIKE 'sweep_@sweep.example.jp'`);
    expect(staff).toBe(2);
  }, 240_000);

  it('seals a withdrawal receipt (撤回受付票) whose job was lost, and registers the daily retention check again', async () => {
    for (const worker of workers.splice(0)) await worker.close();
    const signed = await consent([
      { role: 'patient', name: '撤回 ハル', method: 'in_person' },
      { role: 'explainer', name: '説明 看護師', method: 'in_person' },
    ]);
    for (const signer of signed.request.signers)
      await office
        .post(`/api/signing/${signed.request.id}/signers/${signer.id}/in-person`)
        .send({ consent: true, signatureKind: 'typed', typedName: signer.name })
        .expect(201);
    let worker = await startWorker();
    await waitUntil(
      async () => (await db.query(`SELECT sealed_sha256 FROM signing_request WHERE id = $1`, [signed.request.id]))[0].sealed_sha256,
      60_000,
      'the seal',
    );
    await worker.close();
    workers.splice(0);

    // Recorded with no worker running; then Redis loses the receipt's job and the retention scheduler.
    await office
      .post(`/api/documents/${signed.docId}/consent-withdrawal`)
      .send({ receivedVia: 'paper', receivedAt: todayInJapan() })
      .expect(201);
    const [{ id: withdrawalId }] = await db.query(`SELECT id FROM consent_withdrawal WHERE document_id = $1`, [signed.docId]);
    await queue(RIGHTS_QUEUE).remove(JOB_IDS.withdrawalReceipt(withdrawalId));
    await queue(RIGHTS_QUEUE).removeJobScheduler(JOB_IDS.retentionScan());
    await db.query(`UPDATE consent_withdrawal SET recorded_at = now() - interval '10 minutes' WHERE id = $1`, [withdrawalId]);

    worker = await startWorker(); // its start-up sweep queues the receipt again
    await waitUntil(
      async () => (await db.query(`SELECT receipt_sealed_at FROM consent_withdrawal WHERE id = $1`, [withdrawalId]))[0].receipt_sealed_at,
      60_000,
      'the withdrawal receipt',
    );
    expect(await queue(RIGHTS_QUEUE).getJobScheduler(JOB_IDS.retentionScan())).toMatchObject({ pattern: '0 30 3 * * *' });
  }, 180_000);

  it('keeps a sealed original when a print of it, started before the seal, ends after it (a re-queued print)', async () => {
    // No worker runs: the test's own print must be the exemplar's first, or a worker printing it first would win the race.
    for (const worker of workers.splice(0)) await worker.close();
    const { docId } = await consent([
      { role: 'patient', name: '掃除 ハル', method: 'in_person' },
      { role: 'explainer', name: '説明 看護師', method: 'in_person' },
    ]);
    const [{ id }] = await db.query(`SELECT id FROM exemplar WHERE document_id = $1 AND kind = 'original' LIMIT 1`, [docId]);
    const custody = stack.app.get(CustodyService);
    const sealed = await stack.app.get(PdfStoreService).save(Buffer.from(`%PDF-1.7 sealed ${docId}`), 1);
    // The printer is slow: the seal lands while it renders.
    const printer = {
      renderForm: async () => {
        await custody.setPdf(id, sealed);
        return { pdf: Buffer.from(`%PDF-1.7 printed ${docId}`), pageCount: 1 };
      },
    };
    const printed = await stack.app.get(DocumentPrintingService).print(id, printer, { number: 1, of: 3 });
    expect(printed.sha256).toBe(sealed);
    const [{ pdf_sha256 }] = await db.query(`SELECT pdf_sha256 FROM exemplar WHERE id = $1`, [id]);
    expect(pdf_sha256).toBe(sealed);
  });

  it('has one sweep scheduler however many workers run', async () => {
    await startWorker();
    const maintenance = queue(MAINTENANCE_QUEUE);
    await waitUntil(async () => (await maintenance.getJobSchedulers()).length > 0, 20_000, 'the scheduler');
    const schedulers = await maintenance.getJobSchedulers();
    expect(schedulers.map((s) => s.key)).toEqual(['sweep']);
    expect(Number(schedulers[0].every)).toBe(600_000);
    expect(QUEUE_NAMES).toContain(MAINTENANCE_QUEUE);
  });

  it('carries out a batch run twice at the same moment (its job re-queued while the first run goes on) with each person once', async () => {
    const runner = (workers[0] ?? (await startWorker())).get(BatchRunnerService);
    const batches = queue(BATCH_QUEUE);
    await batches.pause(); // the two runs below are the only ones until they end
    try {
      const rows = Array.from({ length: 10 }, (_, i) => `twice${i}@sweep.example.jp,重複 ${i + 1}号,看護師`);
      const csv = Buffer.from(['メールアドレス,氏名,職種', ...rows].join('\r\n'));
      const batch = await office.post('/api/batches').attach('file', csv, 'twice.csv').expect(202);
      await Promise.all([runner.run(batch.body.id), runner.run(batch.body.id)]);
      const [{ n: staff }] = await db.query(`SELECT count(*)::int AS n FROM staff_member WHERE email LIKE 'twice%@sweep.example.jp'`);
      const [{ n: pledges }] = await db.query(
        `SELECT count(*)::int AS n FROM document d JOIN staff_member s ON s.id = d.subject_id WHERE s.email LIKE 'twice%@sweep.example.jp'`,
      );
      const { body } = await office.get(`/api/batches/${batch.body.id}`).expect(200);
      expect({ status: body.status, staff, pledges, notices: body.notices.length, counts: body.counts }).toEqual({
        status: 'done',
        staff: 10,
        pledges: 10,
        notices: 1,
        counts: { done: 10, pending: 0, rejected: 0, added: 10, changed: 0, removed: 0 },
      });
    } finally {
      await batches.resume();
    }
  }, 120_000);
});
