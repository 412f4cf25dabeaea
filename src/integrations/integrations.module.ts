import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { IntegrationEventsModule } from './integration-events.module';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/** Webhooks as their owners manage them (the API here; the pages in web). API keys live in accounts. */
@Module({
  imports: [AccountsModule, IntegrationEventsModule],
  controllers: [WebhooksController],
  providers: [WebhooksService],
  exports: [WebhooksService],
})
export class IntegrationsModule {}
