import { Module } from '@nestjs/common';
import { AuditModule } from './audit/audit.module';
import { BatchRunnerService } from './batches/batch-runner.service';
import { BatchProcessor } from './batches/batch.processor';
import { CoreModule } from './core.module';
import { DocumentPrintProcessor } from './documents/document-print.processor';
import { DocumentsModule } from './documents/documents.module';
import { CustodyModule } from './custody/custody.module';
import { NetworksModule } from './networks/networks.module';
import { PdfStoreModule } from './rendering/pdf-store.module';
import { RenderProcessor } from './rendering/render.processor';
import { RenderingModule } from './rendering/rendering.module';
import { WorkerHeartbeatService } from './rendering/worker-heartbeat.service';
import { MailModule } from './mail/mail.module';
import { MailProcessor } from './mail/mail.processor';
import { SealService } from './signing/seal.service';
import { SigningModule } from './signing/signing.module';
import { SigningProcessor } from './signing/signing.processor';

/** The worker process: no HTTP; runs the queue processors and owns Chromium. */
@Module({
  imports: [
    CoreModule,
    AuditModule,
    NetworksModule,
    RenderingModule,
    PdfStoreModule,
    CustodyModule,
    DocumentsModule,
    MailModule,
    SigningModule,
  ],
  providers: [
    RenderProcessor,
    DocumentPrintProcessor,
    MailProcessor,
    SealService,
    SigningProcessor,
    BatchRunnerService,
    BatchProcessor,
    WorkerHeartbeatService,
  ],
})
export class WorkerModule {}
