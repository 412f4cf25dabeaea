import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Job } from 'bullmq';
import { SIGNING_QUEUE } from '../common/queues';
import { SealService } from './seal.service';
import { SigningJob, SigningService, sealRetryDelay } from './signing.service';

/** Sealing, reminders and expiry. Each is a no-op when its work is already done or no longer due. */
@Processor(SIGNING_QUEUE, { concurrency: 2, settings: { backoffStrategy: sealRetryDelay } })
export class SigningProcessor extends WorkerHost {
  private readonly logger = new Logger(SigningProcessor.name);
  constructor(
    private readonly seals: SealService,
    private readonly signing: SigningService,
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
        return { reminded: await this.signing.remind(job.data.signerId) };
      case 'expire':
        return { expired: await this.signing.expire(job.data.requestId) };
    }
  }
}
