import { IntegrationEventsModule } from '../integrations/integration-events.module';
import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { CustodyModule } from '../custody/custody.module';
import { DocumentsModule } from '../documents/documents.module';
import { MailModule } from '../mail/mail.module';
import { NetworksModule } from '../networks/networks.module';
import { PeopleModule } from '../people/people.module';
import { SigningModule } from '../signing/signing.module';
import { ApplicationApprovalService } from './application-approval.service';
import { ApplicationsController } from './applications.controller';
import { ApplicationsService } from './applications.service';
import { InvitationsController } from './invitations.controller';
import { InvitationsService } from './invitations.service';
import { OnboardingRepository } from './onboarding.repository';

/** Offices apply online; the 事務局 approves or rejects; invited accounts set their own passwords. */
@Module({
  imports: [
    IntegrationEventsModule,
    AccountsModule,
    NetworksModule,
    PeopleModule,
    DocumentsModule,
    CustodyModule,
    SigningModule,
    MailModule,
  ],
  controllers: [ApplicationsController, InvitationsController],
  providers: [OnboardingRepository, ApplicationsService, ApplicationApprovalService, InvitationsService],
  exports: [ApplicationsService, ApplicationApprovalService, InvitationsService],
})
export class OnboardingModule {}
