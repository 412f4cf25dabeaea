import { IntegrationEventsModule } from '../integrations/integration-events.module';
import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { MailModule } from '../mail/mail.module';
import { NetworksModule } from '../networks/networks.module';
import { RegistrationsController } from './registrations.controller';
import { RegistrationsRepository } from './registrations.repository';
import { RegistrationsService } from './registrations.service';

/** The 事務局's registration desk: staff changes to work off in MCS, questions to the office and answers. */
@Module({
  imports: [IntegrationEventsModule, AccountsModule, NetworksModule, MailModule],
  controllers: [RegistrationsController],
  providers: [RegistrationsService, RegistrationsRepository],
  exports: [RegistrationsService],
})
export class RegistrationsModule {}
