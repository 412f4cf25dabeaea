import { Module } from '@nestjs/common';
import { NetworksModule } from '../networks/networks.module';
import { MailDeliveryService } from './mail-delivery.service';
import { MailService } from './mail.service';

@Module({ imports: [NetworksModule], providers: [MailService, MailDeliveryService], exports: [MailService, MailDeliveryService] })
export class MailModule {}
