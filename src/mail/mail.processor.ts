import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Job, UnrecoverableError } from 'bullmq';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer, { Transporter } from 'nodemailer';
import { DataSource } from 'typeorm';
import { MAIL_QUEUE } from '../common/queues';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { MailOutboxEntity } from './mail-outbox.entity';
import { MailJob, MailService } from './mail.service';

const SWEEP_MS = 60_000;

/**
 * Sends outbox messages over SMTP (SMTP_URL), or, in development without SMTP, writes each as an .eml
 * file under var/mail and logs it. A sent message is never sent again; failures retry with back-off.
 */
@Processor(MAIL_QUEUE, { concurrency: 4 })
export class MailProcessor extends WorkerHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MailProcessor.name);
  private readonly transport: Transporter;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly mail: MailService,
  ) {
    super();
    this.transport = config.smtpUrl
      ? nodemailer.createTransport(config.smtpUrl)
      : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  }

  onApplicationBootstrap(): void {
    void this.mail.sweep().catch(() => undefined);
    this.timer = setInterval(() => void this.mail.sweep().catch(() => undefined), SWEEP_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async process(job: Job<MailJob>): Promise<void> {
    const outbox = this.dataSource.getRepository(MailOutboxEntity);
    const message = await outbox.findOneBy({ id: job.data.outboxId });
    if (!message) throw new UnrecoverableError(`outbox message ${job.data.outboxId} does not exist`);
    if (message.status === 'sent') return;
    try {
      const info = await this.transport.sendMail({
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
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      await outbox.update(message.id, {
        attempts: message.attempts + 1,
        lastError: (error as Error).message,
        status: last ? 'failed' : 'pending',
      });
      this.logger.warn(`mail ${message.id} to ${message.recipient} failed (attempt ${job.attemptsMade + 1}): ${(error as Error).message}`);
      throw error;
    }
  }

  private writeEml(message: MailOutboxEntity, raw: Buffer): void {
    mkdirSync(this.config.mailDir, { recursive: true });
    const file = join(this.config.mailDir, `${message.createdAt.toISOString().replace(/[:.]/g, '-')}-${message.id}.eml`);
    writeFileSync(file, raw);
    const link = /https?:\/\/\S+/.exec(message.body)?.[0];
    this.logger.log(`SMTP_URL is not set: mail to ${message.recipient} written to ${file}${link ? `; its link: ${link}` : ''}`);
  }
}
