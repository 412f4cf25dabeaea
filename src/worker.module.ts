import { Module } from '@nestjs/common';
import { CoreModule } from './core.module';
import { NetworksModule } from './networks/networks.module';
import { PdfStoreService } from './rendering/pdf-store.service';
import { RenderProcessor } from './rendering/render.processor';
import { RenderingModule } from './rendering/rendering.module';
import { WorkerHeartbeatService } from './rendering/worker-heartbeat.service';

/** The worker process: no HTTP; runs the queue processors and owns Chromium. */
@Module({
  imports: [CoreModule, NetworksModule, RenderingModule],
  providers: [RenderProcessor, PdfStoreService, WorkerHeartbeatService],
})
export class WorkerModule {}
