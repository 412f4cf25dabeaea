import { Processor, WorkerHost } from '@nestjs/bullmq';
import { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Job } from 'bullmq';
import { MAIL_QUEUE } from '../common/queues';
import { MailDeliveryService } from './mail-delivery.service';
import { MailService } from './mail.service';
import { MailJob } from './mail.types';

const SWEEP_MS = 60_000;

/** Sends outbox messages; a message already sent is not sent again. Re-queues the outbox's strays every minute. */
@Processor(MAIL_QUEUE, { concurrency: 4 })
export class MailProcessor extends WorkerHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly delivery: MailDeliveryService,
    private readonly mail: MailService,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    void this.mail.sweep().catch(() => undefined);
    this.timer = setInterval(() => void this.mail.sweep().catch(() => undefined), SWEEP_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  process(job: Job<MailJob>): Promise<void> {
    return this.delivery.deliver(job.data.outboxId, { made: job.attemptsMade, allowed: job.opts.attempts ?? 1 });
  }
}
