import { Module } from '@nestjs/common';
import { NetworksModule } from '../networks/networks.module';
import { PdfStoreModule } from './pdf-store.module';
import { RenderRequestsRepository } from './render-requests.repository';
import { RendersController } from './renders.controller';
import { RendersService } from './renders.service';

/** The API side of rendering: accepts, queues and serves renders. No browser here. */
@Module({
  imports: [NetworksModule, PdfStoreModule],
  controllers: [RendersController],
  providers: [RendersService, RenderRequestsRepository],
  exports: [RendersService],
})
export class RendersModule {}
