import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { BatchesModule } from '../batches/batches.module';
import { DocumentsModule } from '../documents/documents.module';
import { MailModule } from '../mail/mail.module';
import { PdfStoreModule } from '../rendering/pdf-store.module';
import { RendersModule } from '../rendering/renders.module';
import { SigningModule } from '../signing/signing.module';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';

/** /health: composed from each feature's own view of its due work (no tables of its own). */
@Module({
  imports: [AccountsModule, BatchesModule, RendersModule, DocumentsModule, MailModule, SigningModule, PdfStoreModule],
  controllers: [HealthController],
  providers: [HealthService],
})
export class HealthModule {}
