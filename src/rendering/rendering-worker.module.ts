import { Module } from '@nestjs/common';
import { PdfStoreModule } from './pdf-store.module';
import { RenderJobsService } from './render-jobs.service';
import { RenderRequestsRepository } from './render-requests.repository';
import { RenderProcessor } from './render.processor';
import { RenderingModule } from './rendering.module';
import { WorkerHeartbeatService } from './worker-heartbeat.service';

/** The worker side of rendering: prints queued renders, and reports its browser's health. */
@Module({
  imports: [RenderingModule, PdfStoreModule],
  providers: [RenderRequestsRepository, RenderJobsService, RenderProcessor, WorkerHeartbeatService],
})
export class RenderingWorkerModule {}
