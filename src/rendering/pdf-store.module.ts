import { Module } from '@nestjs/common';
import { PdfStoreService } from './pdf-store.service';

@Module({ providers: [PdfStoreService], exports: [PdfStoreService] })
export class PdfStoreModule {}
