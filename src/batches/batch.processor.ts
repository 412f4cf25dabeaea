import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { BATCH_QUEUE } from '../common/queues';
import { BatchEntity } from './batch.entities';
import { BatchRunnerService } from './batch-runner.service';

/**
 * Runs one batch at a time. If the worker dies, BullMQ notices the lost lock (lockDuration) and another
 * worker picks the job up; the runner then resumes from what was committed.
 */
@Processor(BATCH_QUEUE, { concurrency: 1, lockDuration: 15_000, stalledInterval: 5_000, maxStalledCount: 5 })
export class BatchProcessor extends WorkerHost {
  private readonly logger = new Logger(BatchProcessor.name);

  constructor(
    private readonly runner: BatchRunnerService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    super();
  }

  async process(job: Job<{ batchId: string }>): Promise<void> {
    await this.runner.run(job.data.batchId, (progress) => job.updateProgress(progress));
  }

  @OnWorkerEvent('failed')
  async onFailed(job: Job<{ batchId: string }> | undefined, error: Error): Promise<void> {
    this.logger.error(`batch ${job?.data.batchId} attempt ${job?.attemptsMade} failed: ${error.stack ?? error.message}`);
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) {
      await this.dataSource
        .getRepository(BatchEntity)
        .update(job.data.batchId, { status: 'failed', error: error.message, finishedAt: new Date() });
    }
  }
}
