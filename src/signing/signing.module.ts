import { IntegrationEventsModule } from '../integrations/integration-events.module';
import { SigningEvents } from './signing-events';
import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { CustodyModule } from '../custody/custody.module';
import { DocumentsModule } from '../documents/documents.module';
import { MailModule } from '../mail/mail.module';
import { NetworksModule } from '../networks/networks.module';
import { PdfStoreModule } from '../rendering/pdf-store.module';
import { SealRecordsService } from './seal-records.service';
import { SignaturesService } from './signatures.service';
import { SigningJobsService } from './signing-jobs.service';
import { SigningLinksService } from './signing-links.service';
import { SigningMailService } from './signing-mail.service';
import { SealedFilesRepository } from './sealed-files.repository';
import { SigningController } from './signing.controller';
import { FamilyContactService } from './family-contact.service';
import { LinkOfficesRepository } from './link-offices.repository';
import { FamilyLinksRepository } from './family-links.repository';
import { OpenLinksRepository } from './open-links.repository';
import { SigningDueRepository } from './signing-due.repository';
import { SigningOfficeRepository } from './signing-office.repository';
import { SigningRepository } from './signing.repository';
import { SigningOverviewService } from './signing-overview.service';
import { SigningService } from './signing.service';
import { VerificationService } from './verification.service';

/**
 * E-signing. The worker adds SealService (it renders, so it lives where Chromium does) and
 * SigningProcessor, both built on what this module exports.
 */
@Module({
  imports: [IntegrationEventsModule, NetworksModule, AccountsModule, DocumentsModule, CustodyModule, MailModule, PdfStoreModule],
  controllers: [SigningController],
  providers: [
    SigningRepository,
    SigningEvents,
    SigningOfficeRepository,
    FamilyLinksRepository,
    OpenLinksRepository,
    LinkOfficesRepository,
    SigningDueRepository,
    SigningMailService,
    SigningJobsService,
    SignaturesService,
    SigningService,
    SigningOverviewService,
    SigningLinksService,
    SealRecordsService,
    VerificationService,
    SealedFilesRepository,
    FamilyContactService,
  ],
  exports: [
    SigningService,
    SigningOverviewService,
    SigningLinksService,
    SigningJobsService,
    SealRecordsService,
    VerificationService,
    SealedFilesRepository,
    FamilyContactService,
  ],
})
export class SigningModule {}
