import { Module } from '@nestjs/common';
import { NetworksModule } from '../networks/networks.module';
import { PdfStoreService } from './pdf-store.service';
import { RendersController } from './renders.controller';
import { RendersService } from './renders.service';

/** The API side of rendering: accepts, queues and serves renders. No browser here. */
@Module({
  imports: [NetworksModule],
  controllers: [RendersController],
  providers: [RendersService, PdfStoreService],
  exports: [RendersService, PdfStoreService],
})
export class RendersModule {}
