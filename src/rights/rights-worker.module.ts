import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { CustodyModule } from '../custody/custody.module';
import { DocumentsModule } from '../documents/documents.module';
import { MailModule } from '../mail/mail.module';
import { NetworksModule } from '../networks/networks.module';
import { PeopleModule } from '../people/people.module';
import { PdfStoreModule } from '../rendering/pdf-store.module';
import { SigningModule } from '../signing/signing.module';
import { SigningWorkerModule } from '../signing/signing-worker.module';
import { RightsModule } from './rights.module';
import { RightsProcessor } from './rights.processor';
import { WithdrawalReceiptService } from './withdrawal-receipt.service';

/** The worker side of rights: the sealed withdrawal receipt (撤回受付票) and the daily retention check. */
@Module({
  imports: [
    RightsModule,
    AccountsModule,
    NetworksModule,
    PeopleModule,
    DocumentsModule,
    CustodyModule,
    MailModule,
    PdfStoreModule,
    SigningModule,
    SigningWorkerModule,
  ],
  providers: [WithdrawalReceiptService, RightsProcessor],
})
export class RightsWorkerModule {}
