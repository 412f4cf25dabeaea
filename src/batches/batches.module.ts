import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { PeopleModule } from '../people/people.module';
import { PdfStoreModule } from '../rendering/pdf-store.module';
import { BatchesController } from './batches.controller';
import { BatchesRepository } from './batches.repository';
import { BatchesService } from './batches.service';

/** The API side of roster uploads: preview, create, follow. The worker side is BatchesWorkerModule. */
@Module({
  imports: [AccountsModule, PeopleModule, PdfStoreModule],
  controllers: [BatchesController],
  providers: [BatchesService, BatchesRepository],
  exports: [BatchesService],
})
export class BatchesModule {}
