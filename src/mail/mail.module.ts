import { Module } from '@nestjs/common';
import { NetworksModule } from '../networks/networks.module';
import { MailDeliveryService } from './mail-delivery.service';
import { MailRepository } from './mail.repository';
import { MailService } from './mail.service';

@Module({
  imports: [NetworksModule],
  providers: [MailService, MailDeliveryService, MailRepository],
  exports: [MailService, MailDeliveryService],
})
export class MailModule {}
