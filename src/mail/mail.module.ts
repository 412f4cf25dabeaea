import { Module } from '@nestjs/common';
import { NetworksModule } from '../networks/networks.module';
import { MailService } from './mail.service';

@Module({ imports: [NetworksModule], providers: [MailService], exports: [MailService] })
export class MailModule {}
