import { Module } from '@nestjs/common';
import { PdfBlobRepository } from './pdf-blob.repository';
import { PdfStoreService } from './pdf-store.service';

@Module({ providers: [PdfBlobRepository, PdfStoreService], exports: [PdfStoreService] })
export class PdfStoreModule {}
