import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { CustodyModule } from '../custody/custody.module';
import { DocumentsModule } from '../documents/documents.module';
import { NetworksModule } from '../networks/networks.module';
import { PeopleModule } from '../people/people.module';
import { PdfStoreModule } from '../rendering/pdf-store.module';
import { RenderingModule } from '../rendering/rendering.module';
import { SigningModule } from '../signing/signing.module';
import { BatchRunnerService } from './batch-runner.service';
import { BatchProcessor } from './batch.processor';

/** The worker side of roster batches: creates each person's records and prints the batch. */
@Module({
  imports: [NetworksModule, AccountsModule, PeopleModule, DocumentsModule, CustodyModule, SigningModule, RenderingModule, PdfStoreModule],
  providers: [BatchRunnerService, BatchProcessor],
})
export class BatchesWorkerModule {}
