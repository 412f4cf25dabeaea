import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import { UsersService } from '../accounts/users.service';
import { JOB_IDS, SIGNING_QUEUE } from '../common/queues';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { DocumentsService } from '../documents/documents.service';
import { MailService } from '../mail/mail.service';
import { SigningMailService } from './signing-mail.service';
import { SigningRepository } from './signing.repository';
import { Signer, SigningJob, SigningRequest } from './signing.types';
import { mayStart } from './signing.validation';

/**
 * Sealing outlasts a timestamping authority's outage rather than giving up: retries after 2 s, 4 s, …
 * then every 10 minutes, about 8 hours in all (the signing processor applies the 'seal' backoff).
 */
export const SEAL_ATTEMPTS = 55;
export const sealRetryDelay = (attemptsMade: number) => Math.min(2000 * 2 ** Math.max(0, attemptsMade - 1), 600_000);

/**
 * Signing's jobs: a request expires at its date, pending e-mail signers are reminded, a completed
 * request is sealed (once). Each job is a no-op when its work is already done or no longer due.
 */
@Injectable()
export class SigningJobsService {
  constructor(
    @InjectQueue(SIGNING_QUEUE) private readonly queue: Queue<SigningJob>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: SigningRepository,
    private readonly documents: DocumentsService,
    private readonly users: UsersService,
    private readonly mailer: SigningMailService,
    private readonly mail: MailService,
  ) {}

  /** A new request's expiry, and a reminder for each signer who signs by e-mail. */
  async schedule(request: Pick<SigningRequest, 'id' | 'expiresAt'>, signers: Array<Pick<Signer, 'id' | 'method'>>): Promise<void> {
    await this.queue.add(
      'expire',
      { kind: 'expire', requestId: request.id },
      { jobId: JOB_IDS.expire(request.id), delay: request.expiresAt.getTime() - Date.now() },
    );
    for (const signer of signers.filter((s) => s.method === 'email')) {
      await this.queue.add(
        'remind',
        { kind: 'remind', signerId: signer.id },
        { jobId: JOB_IDS.remind(signer.id), delay: this.config.reminderDays * 86_400_000 },
      );
    }
  }

  /** The expiry job: an open request past its date expires and its links die; the office is told. */
  async expire(requestId: string): Promise<boolean> {
    const result = await this.repository.transaction(async (manager) => {
      const request = await this.repository.findRequest(requestId, manager);
      if (!request || request.status !== 'open' || request.expiresAt.getTime() > Date.now() + 1000) return null;
      await this.repository.close(manager, requestId, 'expired');
      const document = await this.documents.byId(request.documentId);
      const creator = request.createdBy ? await this.users.findById(request.createdBy, manager) : null;
      if (!creator) return [];
      const pending = (await this.repository.signersOf(requestId, manager)).filter((s) => s.status === 'pending');
      return [await this.mailer.expired(manager, request, document, creator.email, pending)];
    });
    if (result) await this.mail.dispatch(result);
    return result !== null;
  }

  /** The reminder job: a signer still pending gets a fresh link (the previous one stops working). */
  async remind(signerId: string): Promise<boolean> {
    const signer = await this.repository.findSigner(signerId);
    if (!signer || signer.status !== 'pending' || signer.method !== 'email') return false;
    const request = await this.repository.findRequest(signer.requestId);
    if (request?.status !== 'open') return false;
    if (!mayStart(request, await this.repository.signersOf(request.id), signer)) return false;
    const document = await this.documents.byId(request.documentId);
    const outbox = await this.repository.transaction((manager) => this.mailer.sendLink(manager, request, signer, document, 'reminder'));
    await this.mail.dispatch([outbox]);
    return true;
  }

  /**
   * Completed requests that are still unsealed a while later (their job was lost between commit and
   * enqueue, or ran out of retries through a long timestamping outage) get their seal job again.
   */
  async sweepUnsealed(olderThanMs = 5 * 60_000): Promise<number> {
    const stale = await this.repository.unsealedSince(new Date(Date.now() - olderThanMs));
    for (const request of stale) await this.queueSeal(request.id);
    return stale.length;
  }

  async queueSeal(requestId: string): Promise<void> {
    const jobId = JOB_IDS.seal(requestId);
    const existing = await this.queue.getJob(jobId);
    if (existing && (await existing.isFailed())) {
      await existing.retry('failed', { resetAttemptsMade: true });
      return;
    }
    // A no-op while the job is waiting, delayed or running: sealing is queued once.
    await this.queue.add('seal', { kind: 'seal', requestId }, { jobId, attempts: SEAL_ATTEMPTS, backoff: { type: 'seal' } });
  }
}
