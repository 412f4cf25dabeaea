import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { MailModule } from '../mail/mail.module';
import { IntegrationEventsModule } from './integration-events.module';
import { WebhookDeliveryService } from './webhook-delivery.service';
import { WebhookPoller } from './webhook-poller';
import { WebhookProcessor } from './webhook.processor';

/** The worker side of webhooks: finds due deliveries and sends them. */
@Module({
  imports: [IntegrationEventsModule, AccountsModule, MailModule],
  providers: [WebhookDeliveryService, WebhookProcessor, WebhookPoller],
  exports: [WebhookDeliveryService],
})
export class IntegrationsWorkerModule {}
