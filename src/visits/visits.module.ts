import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { DocumentsModule } from '../documents/documents.module';
import { NetworksModule } from '../networks/networks.module';
import { SigningModule } from '../signing/signing.module';
import { VisitsController } from './visits.controller';
import { VisitsRepository } from './visits.repository';
import { VisitsService } from './visits.service';

/** Home visits: documents taken on the office's tablet, signed offline, synced when it is online again. */
@Module({
  imports: [AccountsModule, DocumentsModule, NetworksModule, SigningModule],
  controllers: [VisitsController],
  providers: [VisitsRepository, VisitsService],
  exports: [VisitsService],
})
export class VisitsModule {}
