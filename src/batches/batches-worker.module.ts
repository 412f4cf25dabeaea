import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { CustodyModule } from '../custody/custody.module';
import { DocumentsModule } from '../documents/documents.module';
import { NetworksModule } from '../networks/networks.module';
import { PeopleModule } from '../people/people.module';
import { PdfStoreModule } from '../rendering/pdf-store.module';
import { RenderingModule } from '../rendering/rendering.module';
import { SigningModule } from '../signing/signing.module';
import { BatchProcessor } from './batch.processor';
import { BatchRunnerService } from './batch-runner.service';
import { BatchesRepository } from './batches.repository';

/** The worker side of roster uploads: the batch queue's processor and everything it calls. */
@Module({
  imports: [AccountsModule, PeopleModule, NetworksModule, RenderingModule, PdfStoreModule, CustodyModule, DocumentsModule, SigningModule],
  providers: [BatchesRepository, BatchRunnerService, BatchProcessor],
})
export class BatchesWorkerModule {}
