import { Module } from '@nestjs/common';
import { MailModule } from './mail.module';
import { MailProcessor } from './mail.processor';

/** The worker side of mail: sends the outbox. */
@Module({ imports: [MailModule], providers: [MailProcessor] })
export class MailWorkerModule {}
