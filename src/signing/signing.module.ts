import { Module } from '@nestjs/common';
import { DocumentsModule } from '../documents/documents.module';
import { MailModule } from '../mail/mail.module';
import { NetworksModule } from '../networks/networks.module';
import { PdfStoreModule } from '../rendering/pdf-store.module';
import { SigningController } from './signing.controller';
import { SigningService } from './signing.service';
import { VerificationService } from './verification.service';

@Module({
  imports: [NetworksModule, DocumentsModule, MailModule, PdfStoreModule],
  controllers: [SigningController],
  providers: [SigningService, VerificationService],
  exports: [SigningService, VerificationService],
})
export class SigningModule {}
