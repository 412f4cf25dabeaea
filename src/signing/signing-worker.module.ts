import { Module } from '@nestjs/common';
import { CustodyModule } from '../custody/custody.module';
import { DocumentsModule } from '../documents/documents.module';
import { MailModule } from '../mail/mail.module';
import { NetworksModule } from '../networks/networks.module';
import { PdfStoreModule } from '../rendering/pdf-store.module';
import { RenderingModule } from '../rendering/rendering.module';
import { ArchiveRenewalService } from './archive-renewal.service';
import { SealService } from './seal.service';
import { SigningModule } from './signing.module';
import { SigningProcessor } from './signing.processor';

/** The worker side of signing: sealing, archive-timestamp renewal, reminders and expiry. Sealing prints, so it needs the browser. */
@Module({
  imports: [SigningModule, NetworksModule, DocumentsModule, CustodyModule, MailModule, RenderingModule, PdfStoreModule],
  providers: [SealService, SigningProcessor, ArchiveRenewalService],
  // Other workers seal too (the withdrawal receipt); the sweeper renews archive timestamps.
  exports: [SealService, ArchiveRenewalService],
})
export class SigningWorkerModule {}
