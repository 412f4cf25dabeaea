import { Module } from '@nestjs/common';
import { CustodyModule } from '../custody/custody.module';
import { PdfStoreModule } from '../rendering/pdf-store.module';
import { RenderingModule } from '../rendering/rendering.module';
import { DocumentPrintProcessor } from './document-print.processor';
import { DocumentsModule } from './documents.module';

/** The worker side of documents: prints each exemplar (its mark, number and QR code). */
@Module({
  imports: [DocumentsModule, CustodyModule, RenderingModule, PdfStoreModule],
  providers: [DocumentPrintProcessor],
})
export class DocumentsWorkerModule {}
