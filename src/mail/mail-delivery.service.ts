import { Inject, Injectable, Logger } from '@nestjs/common';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer, { Transporter } from 'nodemailer';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { MailOutboxEntity } from './mail-outbox.entity';
import { MailRepository } from './mail.repository';

/**
 * Sends outbox messages over SMTP (SMTP_URL), or, in development without SMTP, writes each as an .eml
 * file under var/mail and logs it. A sent message is never sent again; failures retry with back-off.
 */
@Injectable()
export class MailDeliveryService {
  private readonly logger = new Logger(MailDeliveryService.name);
  private transporter: Transporter | null = null;

  constructor(
    private readonly repository: MailRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Sends one outbox message, unless it was sent or cancelled already; a failure is thrown, for the queue to retry. */
  async deliver(outboxId: string, attempt: { made: number; allowed: number }): Promise<void> {
    const message = await this.repository.byId(outboxId);
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
      await this.repository.markSent(message);
    } catch (error) {
      await this.repository.markAttemptFailed(message, (error as Error).message, attempt.made + 1 >= attempt.allowed);
      // The id only: a log never carries a person's address (an SMTP server's answer may quote it).
      const reason = (error as Error).message.replace(/[^\s<>@"]+@[^\s<>@"]+/g, '<address>');
      this.logger.warn(`mail ${message.id} (${message.kind}) failed (attempt ${attempt.made + 1}): ${reason}`);
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
    this.logger.log(`SMTP_URL is not set: mail ${message.id} (${message.kind}) written to ${file}${link ? `; its link: ${link}` : ''}`);
  }
}
