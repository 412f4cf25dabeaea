import { Module } from '@nestjs/common';
import { PdfStoreModule } from '../rendering/pdf-store.module';
import { BatchesController } from './batches.controller';
import { BatchesService } from './batches.service';

/** The API side of roster uploads. The worker adds BatchRunnerService and BatchProcessor. */
@Module({ imports: [PdfStoreModule], controllers: [BatchesController], providers: [BatchesService], exports: [BatchesService] })
export class BatchesModule {}
