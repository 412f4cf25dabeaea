import { IntegrationEvents } from '../integrations/integration-events.service';
import { Transactions } from '../common/database/transactions';
import { todayInJapan } from '../common/japan-date';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import { SweepReport } from '../common/job-delivery';
import { JOB_IDS, RIGHTS_QUEUE } from '../common/queues';
import { RightsRepository } from './rights.repository';
import { RightsJob } from './rights.types';

/** Every day at 03:30 in Japan, the retention check lists what is past retention (see RetentionService). */
export const RETENTION_SCAN_PATTERN = '0 30 3 * * *';

/** A receipt is normally sealed within seconds of its withdrawal; only one still unsealed after this is swept. */
const RECEIPT_GRACE_MS = 5 * 60_000;

/**
 * The rights feature's jobs: a withdrawal's 撤回受付票 is rendered and sealed by the worker (Chromium lives
 * there), once; the retention check runs daily. Withdrawals are recorded before their job is queued, and a
 * sweep re-queues a receipt whose job was lost.
 */
@Injectable()
export class RightsJobsService {
  constructor(
    @InjectQueue(RIGHTS_QUEUE) private readonly queue: Queue<RightsJob>,
    private readonly repository: RightsRepository,
    private readonly transactions: Transactions,
    private readonly events: IntegrationEvents,
  ) {}

  async queueReceipt(withdrawalId: string): Promise<void> {
    const jobId = JOB_IDS.withdrawalReceipt(withdrawalId);
    const existing = await this.queue.getJob(jobId);
    if (existing && (await existing.isFailed())) {
      await existing.retry('failed', { resetAttemptsMade: true });
      return;
    }
    await this.queue.add(
      'withdrawal-receipt',
      { kind: 'withdrawal-receipt', withdrawalId },
      { jobId, attempts: 20, backoff: { type: 'exponential', delay: 2000 } },
    );
  }

  /**
   * The one sweeper's part for rights: withdrawals whose receipt is still unsealed a while after they were
   * recorded get their job again (a job Redis still holds is left alone), and the daily check is registered
   * again, since a flushed Redis loses its scheduler.
   */
  async sweep(olderThanMs = RECEIPT_GRACE_MS): Promise<SweepReport> {
    await this.scheduleRetentionScan();
    const stale = await this.repository.unsealedReceipts(new Date(Date.now() - olderThanMs));
    for (const withdrawal of stale) await this.queueReceipt(withdrawal.id);
    return { withdrawalReceipts: stale.length, overdueRightsRequests: await this.announceOverdue() };
  }

  /** Open requests past their due date (a day in Japan) are announced once, each in the transaction that marks it. */
  async announceOverdue(): Promise<number> {
    return this.transactions.run(async (manager) => {
      const overdue = await this.repository.claimOverdue(manager, todayInJapan());
      for (const request of overdue)
        await this.events.emit(manager, {
          type: 'rights_request.overdue',
          officeId: request.officeId,
          data: {
            rightsRequestId: request.id,
            officeId: request.officeId,
            patientId: request.patientId,
            kind: request.kind,
            status: 'open',
            receivedAt: request.receivedAt,
            dueAt: request.dueAt,
          },
        });
      return overdue.length;
    });
  }

  /** The daily retention check, registered under one id however many workers start: a second registration changes nothing. */
  async scheduleRetentionScan(): Promise<void> {
    await this.queue.upsertJobScheduler(
      JOB_IDS.retentionScan(),
      { pattern: RETENTION_SCAN_PATTERN, tz: 'Asia/Tokyo' },
      { name: 'retention-scan', data: { kind: 'retention-scan' } },
    );
  }
}
