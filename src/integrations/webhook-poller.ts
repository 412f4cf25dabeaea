import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { WebhookDeliveryService } from './webhook-delivery.service';

/**
 * Events are written by whatever changed (in its transaction) and their retries fall due by the clock, so
 * the worker looks for due deliveries every WEBHOOK_POLL_MS (a small indexed query) and queues them with
 * deterministic job ids: however many workers look, each attempt is one job.
 */
@Injectable()
export class WebhookPoller implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhookPoller.name);
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;

  constructor(
    private readonly delivery: WebhookDeliveryService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.poll(), this.config.webhookPollMs);
    this.timer.unref();
    this.poll();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.polling;
  }

  private poll(): void {
    if (this.polling) return;
    this.polling = this.delivery
      .sweep()
      .then(() => undefined)
      .catch((error: Error) => {
        if (this.timer) this.logger.warn(`webhook deliveries not polled: ${error.message}`);
      })
      .finally(() => (this.polling = null));
  }
}
