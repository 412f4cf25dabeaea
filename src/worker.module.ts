import { Module } from '@nestjs/common';
import { AuditModule } from './audit/audit.module';
import { BatchesWorkerModule } from './batches/batches-worker.module';
import { CoreModule } from './core.module';
import { DocumentsWorkerModule } from './documents/documents-worker.module';
import { MailWorkerModule } from './mail/mail-worker.module';
import { QueuesModule } from './queues.module';
import { RenderingWorkerModule } from './rendering/rendering-worker.module';
import { SigningWorkerModule } from './signing/signing-worker.module';
import { SweeperWorkerModule } from './sweeper/sweeper-worker.module';
import { RightsWorkerModule } from './rights/rights-worker.module';
import { IntegrationsWorkerModule } from './integrations/integrations-worker.module';

/** The worker process: no HTTP; each feature's worker module brings its queue processors. Chromium lives here. */
@Module({
  imports: [
    CoreModule,
    QueuesModule,
    AuditModule,
    RenderingWorkerModule,
    DocumentsWorkerModule,
    MailWorkerModule,
    SigningWorkerModule,
    BatchesWorkerModule,
    SweeperWorkerModule,
    RightsWorkerModule,
    IntegrationsWorkerModule,
  ],
})
export class WorkerModule {}
