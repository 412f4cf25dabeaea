import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Job } from 'bullmq';
import { SIGNING_QUEUE } from '../common/queues';
import { SealService } from './seal.service';
import { SigningJobsService, sealRetryDelay } from './signing-jobs.service';
import { SigningJob } from './signing.types';

const SWEEP_MS = 10 * 60_000;

/** Sealing, reminders and expiry. Each is a no-op when its work is already done or no longer due. */
@Processor(SIGNING_QUEUE, { concurrency: 2, settings: { backoffStrategy: sealRetryDelay } })
export class SigningProcessor extends WorkerHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SigningProcessor.name);
  private timer: NodeJS.Timeout | null = null;
  constructor(
    private readonly seals: SealService,
    private readonly jobs: SigningJobsService,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    const sweep = () =>
      void this.jobs.sweepUnsealed().then(
        (requeued) => {
          if (requeued) this.logger.warn(`re-queued the seal of ${requeued} completed request(s) still unsealed`);
        },
        (error: Error) => this.logger.error(`sweeping unsealed requests failed: ${error.message}`),
      );
    sweep();
    this.timer = setInterval(sweep, SWEEP_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
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
