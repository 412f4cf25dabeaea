import { IntegrationEventsModule } from '../integrations/integration-events.module';
import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { CustodyModule } from '../custody/custody.module';
import { NetworksModule } from '../networks/networks.module';
import { PeopleModule } from '../people/people.module';
import { PdfStoreModule } from '../rendering/pdf-store.module';
import { RegistrationsModule } from '../registrations/registrations.module';
import { DocumentAccessPolicy } from './document-access.policy';
import { DocumentDraftsService } from './document-drafts.service';
import { DocumentPrintingService } from './document-printing.service';
import { DocumentRetirementService } from './document-retirement.service';
import { DocumentsController } from './documents.controller';
import { DocumentsRepository } from './documents.repository';
import { DocumentHeadersService } from './document-headers.service';
import { DocumentsService } from './documents.service';
import { NoticeDraftsService } from './notice-drafts.service';

@Module({
  imports: [IntegrationEventsModule, AccountsModule, NetworksModule, PeopleModule, CustodyModule, PdfStoreModule, RegistrationsModule],
  controllers: [DocumentsController],
  providers: [
    DocumentsService,
    DocumentHeadersService,
    DocumentsRepository,
    DocumentAccessPolicy,
    DocumentDraftsService,
    DocumentPrintingService,
    DocumentRetirementService,
    NoticeDraftsService,
  ],
  exports: [
    DocumentsService,
    DocumentHeadersService,
    DocumentDraftsService,
    DocumentPrintingService,
    DocumentRetirementService,
    NoticeDraftsService,
  ],
})
export class DocumentsModule {}
