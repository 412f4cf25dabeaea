import { OnWorkerEvent, Processor } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Job } from 'bullmq';
import { LoggedWorkerHost } from '../common/logged-worker-host';
import { SIGNING_QUEUE, WORKER_NAME } from '../common/queues';
import { SealService } from './seal.service';
import { SigningJobsService, sealRetryDelay } from './signing-jobs.service';
import { SigningJob } from './signing.types';

/** Sealing, reminders and expiry. Each is a no-op when its work is already done or no longer due. */
@Processor(SIGNING_QUEUE, { name: WORKER_NAME, concurrency: 2, settings: { backoffStrategy: sealRetryDelay } })
export class SigningProcessor extends LoggedWorkerHost {
  private readonly logger = new Logger(SigningProcessor.name);

  constructor(
    private readonly seals: SealService,
    private readonly jobs: SigningJobsService,
  ) {
    super();
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job<SigningJob> | undefined, error: Error): void {
    this.logger.error(`${job?.name} ${job?.id} failed (attempt ${job?.attemptsMade}): ${error.stack ?? error.message}`);
  }

  async process(job: Job<SigningJob>): Promise<unknown> {
    switch (job.data.kind) {
      case 'seal':
        return this.seals.seal(job.data.requestId);
      case 'remind':
        return { reminded: await this.jobs.remind(job.data.signerId) };
      case 'expire':
        return { expired: await this.jobs.expire(job.data.requestId) };
    }
  }
}
