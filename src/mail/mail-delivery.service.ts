import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer, { Transporter } from 'nodemailer';
import { DataSource } from 'typeorm';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { MailOutboxEntity } from './mail-outbox.entity';

/**
 * Sends outbox messages over SMTP (SMTP_URL), or, in development without SMTP, writes each as an .eml
 * file under var/mail and logs it. A sent message is never sent again; failures retry with back-off.
 */
@Injectable()
export class MailDeliveryService {
  private readonly logger = new Logger(MailDeliveryService.name);
  private transporter: Transporter | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Sends one outbox message, unless it was sent or cancelled already; a failure is thrown, for the queue to retry. */
  async deliver(outboxId: string, attempt: { made: number; allowed: number }): Promise<void> {
    const outbox = this.dataSource.getRepository(MailOutboxEntity);
    const message = await outbox.findOneBy({ id: outboxId });
    // Gone: the document it was about was erased, and its mail with it.
    if (!message) return;
    // Sent already, or held back because its document left use (or given up on): nothing to send.
    if (message.status !== 'pending') return;
    try {
      const info = await this.transport().sendMail({
        from: this.config.mailFrom,
        to: message.recipient,
        subject: message.subject,
        text: message.body,
      });
      if (!this.config.smtpUrl) this.writeEml(message, (info as unknown as { message: Buffer }).message);
      await outbox.update(
        { id: message.id, status: 'pending' },
        { status: 'sent', sentAt: new Date(), attempts: message.attempts + 1, lastError: null },
      );
    } catch (error) {
      const last = attempt.made + 1 >= attempt.allowed;
      await outbox.update(message.id, {
        attempts: message.attempts + 1,
        lastError: (error as Error).message,
        status: last ? 'failed' : 'pending',
      });
      this.logger.warn(`mail ${message.id} to ${message.recipient} failed (attempt ${attempt.made + 1}): ${(error as Error).message}`);
      throw error;
    }
  }

  private transport(): Transporter {
    this.transporter ??= this.config.smtpUrl
      ? nodemailer.createTransport(this.config.smtpUrl)
      : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    return this.transporter;
  }

  private writeEml(message: MailOutboxEntity, raw: Buffer): void {
    mkdirSync(this.config.mailDir, { recursive: true });
    const file = join(this.config.mailDir, `${message.createdAt.toISOString().replace(/[:.]/g, '-')}-${message.id}.eml`);
    writeFileSync(file, raw);
    const link = /https?:\/\/\S+/.exec(message.body)?.[0];
    this.logger.log(`SMTP_URL is not set: mail to ${message.recipient} written to ${file}${link ? `; its link: ${link}` : ''}`);
  }
}
