import { OnWorkerEvent, Processor } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Job } from 'bullmq';
import { LoggedWorkerHost } from '../common/logged-worker-host';
import { BATCH_QUEUE, WORKER_NAME } from '../common/queues';
import { BatchRunnerService } from './batch-runner.service';

/**
 * Runs one batch at a time. If the worker dies, BullMQ notices the lost lock (lockDuration) and another
 * worker picks the job up; if Redis loses the job, the sweeper queues it again. The runner resumes from
 * what was committed either way.
 */
@Processor(BATCH_QUEUE, { name: WORKER_NAME, concurrency: 1, lockDuration: 15_000, stalledInterval: 5_000, maxStalledCount: 5 })
export class BatchProcessor extends LoggedWorkerHost {
  private readonly logger = new Logger(BatchProcessor.name);

  constructor(private readonly runner: BatchRunnerService) {
    super();
  }

  process(job: Job<{ batchId: string }>): Promise<void> {
    return this.runner.run(job.data.batchId);
  }

  @OnWorkerEvent('failed')
  async onFailed(job: Job<{ batchId: string }> | undefined, error: Error): Promise<void> {
    this.logger.error(`batch ${job?.data.batchId} attempt ${job?.attemptsMade} failed: ${error.stack ?? error.message}`);
    if (!job || job.attemptsMade < (job.opts.attempts ?? 1)) return;
    await this.runner.fail(job.data.batchId, error).catch((e: Error) => this.logger.error(`batch ${job.data.batchId}: ${e.message}`));
  }
}
