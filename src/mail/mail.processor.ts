import { Processor } from '@nestjs/bullmq';
import { Job } from 'bullmq';
import { LoggedWorkerHost } from '../common/logged-worker-host';
import { MAIL_QUEUE, WORKER_NAME } from '../common/queues';
import { MailDeliveryService } from './mail-delivery.service';
import { MailJob } from './mail.types';

/** Sends outbox messages; a message already sent is not sent again. The sweeper re-queues the outbox's strays. */
@Processor(MAIL_QUEUE, { name: WORKER_NAME, concurrency: 4 })
export class MailProcessor extends LoggedWorkerHost {
  constructor(private readonly delivery: MailDeliveryService) {
    super();
  }

  process(job: Job<MailJob>): Promise<void> {
    return this.delivery.deliver(job.data.outboxId, { made: job.attemptsMade, allowed: job.opts.attempts ?? 1 });
  }
}
