import { Module } from '@nestjs/common';
import { CustodyModule } from '../custody/custody.module';
import { NetworksModule } from '../networks/networks.module';
import { PdfStoreModule } from '../rendering/pdf-store.module';
import { DocumentsController } from './documents.controller';
import { DocumentsService } from './documents.service';

@Module({
  imports: [NetworksModule, CustodyModule, PdfStoreModule],
  controllers: [DocumentsController],
  providers: [DocumentsService],
  exports: [DocumentsService],
})
export class DocumentsModule {}
