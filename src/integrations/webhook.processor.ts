import { Processor } from '@nestjs/bullmq';
import { Job } from 'bullmq';
import { LoggedWorkerHost } from '../common/logged-worker-host';
import { WEBHOOK_QUEUE } from '../common/queues';
import { WebhookDeliveryService, WebhookJob } from './webhook-delivery.service';

/** Makes one attempt of a webhook delivery; an attempt already made (or not yet due) is not made again. */
@Processor(WEBHOOK_QUEUE, { concurrency: 8 })
export class WebhookProcessor extends LoggedWorkerHost {
  constructor(private readonly delivery: WebhookDeliveryService) {
    super();
  }

  process(job: Job<WebhookJob>): Promise<void> {
    return this.delivery.deliver(job.data);
  }
}
