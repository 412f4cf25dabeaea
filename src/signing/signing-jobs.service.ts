import { SigningEvents } from './signing-events';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Delivery, DueJob, SweepReport, addSoon, requeue, unqueued } from '../common/job-delivery';
import { JOB_IDS, SIGNING_QUEUE } from '../common/queues';
import { DocumentsService } from '../documents/documents.service';
import { MailService } from '../mail/mail.service';
import { SigningMailService } from './signing-mail.service';
import { SigningDueRepository } from './signing-due.repository';
import { SigningRepository } from './signing.repository';
import { SigningJob, SigningRequest } from './signing.types';
import { mayStart } from './signing.validation';
import { Transactions } from '../common/database/transactions';

/**
 * Sealing outlasts a timestamping authority's outage rather than giving up: retries after 2 s, 4 s, …
 * then every 10 minutes, about 8 hours in all (the signing processor applies the 'seal' backoff).
 */
export const SEAL_ATTEMPTS = 55;
export const sealRetryDelay = (attemptsMade: number) => Math.min(2000 * 2 ** Math.max(0, attemptsMade - 1), 600_000);

/**
 * Signing's jobs, each read from the database when due: a completed request is sealed (once); an open request
 * past its `expires_at` expires and its office is told (once); a pending e-mail signer whose `remind_at` has
 * come gets a fresh link (once). Nothing waits in Redis for days: the sweeper finds what is due, and each job
 * is a no-op when its work is already done or no longer due.
 */
@Injectable()
export class SigningJobsService {
  constructor(
    @InjectQueue(SIGNING_QUEUE) private readonly queue: Queue<SigningJob>,
    private readonly repository: SigningRepository,
    private readonly due: SigningDueRepository,
    private readonly documents: DocumentsService,
    private readonly mailer: SigningMailService,
    private readonly mail: MailService,
    private readonly transactions: Transactions,
    private readonly events: SigningEvents,
  ) {}

  /** The expiry job: an open request past its date expires; the office is told, exactly once. */
  async expire(requestId: string): Promise<boolean> {
    const result = await this.transactions.run(async (manager) => {
      const request = await this.repository.findRequest(requestId, manager);
      if (!request || request.status !== 'open' || request.expiresAt.getTime() > Date.now() + 1000) return null;
      // Two runs of this job (a sweep racing another): the row lock lets one close it; the other changes nothing.
      if (!(await this.repository.close(manager, requestId, 'expired'))) return null;
      const document = await this.documents.byId(request.documentId);
      const pending = (await this.repository.signersOf(requestId, manager)).filter((s) => s.status === 'pending');
      await this.events.emit(manager, 'signing.expired', document, requestId, {
        status: 'expired',
        unsignedRoles: pending.map((s) => s.role),
        expiresAt: request.expiresAt.toISOString(),
      });
      const outbox = [];
      for (const to of await this.mailer.officeRecipients(manager, request))
        outbox.push(await this.mailer.expired(manager, request, document, to, pending));
      return outbox;
    });
    if (result) await this.mail.dispatch(result);
    return result !== null;
  }

  /** The reminder job: a signer still pending whose reminder is due gets a fresh link (the previous one stops working). */
  async remind(signerId: string): Promise<boolean> {
    const now = new Date();
    const signer = await this.repository.findSigner(signerId);
    if (!signer || signer.status !== 'pending' || signer.method !== 'email' || !signer.remindAt || signer.remindAt > now) return false;
    const request = await this.repository.findRequest(signer.requestId);
    if (request?.status !== 'open' || request.expiresAt <= now) return false;
    if (!mayStart(request, await this.repository.signersOf(request.id), signer)) return false;
    const document = await this.documents.byId(request.documentId);
    const outbox = await this.transactions.run(async (manager) =>
      (await this.due.claimReminder(manager, signer.id, now)) ? this.mailer.sendLink(manager, request, signer, document, 'reminder') : null,
    );
    if (outbox) await this.mail.dispatch([outbox]);
    return outbox !== null;
  }

  /** After the commit that completed the request: its seal, queued without waiting long on Redis. */
  queueSeal(requestId: string): Promise<Delivery> {
    return addSoon(this.queue, [sealJob({ id: requestId, completedAt: new Date() })]);
  }

  /** Everything signing owes now, as jobs: seals, expiries, reminders. */
  async dueJobs(limit = 500): Promise<DueJob[]> {
    const now = new Date();
    const [seals, expiries, reminders] = await Promise.all([
      this.due.unsealed(limit),
      this.due.overdue(now, limit),
      this.due.remindersDue(now, limit),
    ]);
    return [
      ...seals.map(sealJob),
      ...expiries.map((r) => job({ kind: 'expire', requestId: r.id }, JOB_IDS.expire(r.id), r.expiresAt)),
      ...reminders.map((s) => job({ kind: 'remind', signerId: s.id }, JOB_IDS.remind(s.id), s.remindAt)),
    ];
  }

  /** Worker side (the sweeper): queues each due seal, expiry and reminder that Redis does not hold. */
  async sweep(): Promise<SweepReport> {
    const queued = await requeue(this.queue, await this.dueJobs());
    const count = (kind: SigningJob['kind']) => queued.filter((j) => (j.data as SigningJob).kind === kind).length;
    return { seals: count('seal'), expiries: count('expire'), reminders: count('remind') };
  }

  /** For /health: work due since before `since` that Redis does not hold (the sweeper has not caught it). */
  async backlog(since: Date): Promise<DueJob[]> {
    return unqueued(
      this.queue,
      (await this.dueJobs(50)).filter((job) => job.dueAt < since),
    );
  }
}

function job(data: SigningJob, jobId: string, dueAt: Date): DueJob {
  return { name: data.kind, jobId, data, dueAt };
}

function sealJob(request: Pick<SigningRequest, 'id' | 'completedAt'>): DueJob {
  return {
    ...job({ kind: 'seal', requestId: request.id }, JOB_IDS.seal(request.id), request.completedAt ?? new Date()),
    opts: { attempts: SEAL_ATTEMPTS, backoff: { type: 'seal' } },
  };
}
