import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { IntegrationEvents } from './integration-events.service';
import { WebhooksRepository } from './webhooks.repository';

/** What other features import to announce their events (IntegrationEvents), and nothing else. */
@Module({
  imports: [AccountsModule],
  providers: [WebhooksRepository, IntegrationEvents],
  exports: [IntegrationEvents, WebhooksRepository],
})
export class IntegrationEventsModule {}
