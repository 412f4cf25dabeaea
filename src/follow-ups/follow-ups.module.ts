import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { DashboardsModule } from '../dashboards/dashboards.module';
import { MailModule } from '../mail/mail.module';
import { NetworksModule } from '../networks/networks.module';
import { PeopleModule } from '../people/people.module';
import { RegistrationsModule } from '../registrations/registrations.module';
import { FollowUpsController } from './follow-ups.controller';
import { FollowUpsRepository } from './follow-ups.repository';
import { FollowUpsService } from './follow-ups.service';

/** The 事務局's one-click follow-up mail to an office, and when each office was last followed up. */
@Module({
  imports: [AccountsModule, DashboardsModule, RegistrationsModule, PeopleModule, NetworksModule, MailModule],
  controllers: [FollowUpsController],
  providers: [FollowUpsService, FollowUpsRepository],
  exports: [FollowUpsService],
})
export class FollowUpsModule {}
