import { IntegrationEventsModule } from '../integrations/integration-events.module';
import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { CustodyModule } from '../custody/custody.module';
import { DocumentsModule } from '../documents/documents.module';
import { MailModule } from '../mail/mail.module';
import { NetworksModule } from '../networks/networks.module';
import { PeopleModule } from '../people/people.module';
import { PdfStoreModule } from '../rendering/pdf-store.module';
import { SigningModule } from '../signing/signing.module';
import { ConsentWithdrawalService } from './consent-withdrawal.service';
import { PatientErasureService } from './patient-erasure.service';
import { PatientExportService } from './patient-export.service';
import { PatientRecordService } from './patient-record.service';
import { RetentionService } from './retention.service';
import { RightsAccessPolicy } from './rights-access.policy';
import { RightsJobsService } from './rights-jobs.service';
import { RightsController } from './rights.controller';
import { RightsRepository } from './rights.repository';
import { RightsRequestsService } from './rights-requests.service';

/**
 * Consent withdrawal (撤回), patients' rights requests, disclosure export, retention and erasure. The worker
 * adds WithdrawalReceiptService (it renders and seals, where Chromium is) and RightsProcessor.
 */
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
    PdfStoreModule,
  ],
  controllers: [RightsController],
  providers: [
    RightsRepository,
    RightsAccessPolicy,
    RightsJobsService,
    ConsentWithdrawalService,
    RightsRequestsService,
    PatientExportService,
    PatientErasureService,
    RetentionService,
    PatientRecordService,
  ],
  exports: [
    PatientRecordService,
    RightsRepository,
    RightsJobsService,
    ConsentWithdrawalService,
    RightsRequestsService,
    PatientExportService,
    PatientErasureService,
    RetentionService,
  ],
})
export class RightsModule {}
