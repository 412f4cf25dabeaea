import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Job } from 'bullmq';
import { RIGHTS_QUEUE } from '../common/queues';
import { RetentionService } from './retention.service';
import { RightsJobsService } from './rights-jobs.service';
import { RightsJob } from './rights.types';
import { WithdrawalReceiptService } from './withdrawal-receipt.service';

const SWEEP_MS = 10 * 60_000;

/** A withdrawal's 撤回受付票, and the daily retention check. Registers the daily job and sweeps lost receipts. */
@Processor(RIGHTS_QUEUE, { concurrency: 1 })
export class RightsProcessor extends WorkerHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RightsProcessor.name);
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly receipts: WithdrawalReceiptService,
    private readonly retention: RetentionService,
    private readonly jobs: RightsJobsService,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    void this.jobs
      .scheduleRetentionScan()
      .catch((error: Error) => this.logger.error(`scheduling the retention check failed: ${error.message}`));
    const sweep = () =>
      void this.jobs.sweepReceipts().catch((error: Error) => this.logger.error(`sweeping withdrawal receipts failed: ${error.message}`));
    sweep();
    this.timer = setInterval(sweep, SWEEP_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job<RightsJob> | undefined, error: Error): void {
    this.logger.error(`${job?.name} ${job?.id} failed (attempt ${job?.attemptsMade}): ${error.stack ?? error.message}`);
  }

  process(job: Job<RightsJob>): Promise<unknown> {
    switch (job.data.kind) {
      case 'withdrawal-receipt':
        return this.receipts.produce(job.data.withdrawalId);
      case 'retention-scan':
        return this.retention.scan();
    }
  }
}
