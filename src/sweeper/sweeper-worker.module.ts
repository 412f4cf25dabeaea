import { Module } from '@nestjs/common';
import { BatchesModule } from '../batches/batches.module';
import { DocumentsModule } from '../documents/documents.module';
import { MailModule } from '../mail/mail.module';
import { IntegrationsWorkerModule } from '../integrations/integrations-worker.module';
import { PdfStoreModule } from '../rendering/pdf-store.module';
import { RendersModule } from '../rendering/renders.module';
import { RightsModule } from '../rights/rights.module';
import { SigningModule } from '../signing/signing.module';
import { SigningWorkerModule } from '../signing/signing-worker.module';
import { SweepProcessor } from './sweep.processor';
import { SweeperService } from './sweeper.service';

/** The worker's one sweeper: calls each feature's sweep(), from a single BullMQ job scheduler. */
@Module({
  imports: [
    RendersModule,
    DocumentsModule,
    BatchesModule,
    MailModule,
    SigningModule,
    SigningWorkerModule,
    RightsModule,
    IntegrationsWorkerModule,
    PdfStoreModule,
  ],
  providers: [SweeperService, SweepProcessor],
})
export class SweeperWorkerModule {}
