import { OnWorkerEvent, Processor } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job } from 'bullmq';
import { LoggedWorkerHost } from '../common/logged-worker-host';
import { RIGHTS_QUEUE, WORKER_NAME } from '../common/queues';
import { RetentionService } from './retention.service';
import { RightsJobsService } from './rights-jobs.service';
import { RightsJob } from './rights.types';
import { WithdrawalReceiptService } from './withdrawal-receipt.service';

/** A withdrawal's 撤回受付票, and the daily retention check (both queued again, when lost, by the one sweeper). */
@Processor(RIGHTS_QUEUE, { name: WORKER_NAME, concurrency: 1 })
export class RightsProcessor extends LoggedWorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(RightsProcessor.name);

  constructor(
    private readonly receipts: WithdrawalReceiptService,
    private readonly retention: RetentionService,
    private readonly jobs: RightsJobsService,
  ) {
    super();
  }

  /** The daily check exists as soon as a worker runs (the sweeper registers it again after a flushed Redis). */
  onApplicationBootstrap(): void {
    void this.jobs
      .scheduleRetentionScan()
      .catch((error: Error) => this.logger.error(`scheduling the retention check failed: ${error.message}`));
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
