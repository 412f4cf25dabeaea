import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import Handlebars from 'handlebars';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource, EntityManager, LessThan } from 'typeorm';
import { JOB_IDS, MAIL_QUEUE } from '../common/queues';
import { NetworksService } from '../networks/networks.service';
import { MailOutboxEntity } from './mail-outbox.entity';
import { MailJob, MailKind, MailMessage, QueuedMail } from './mail.types';

/**
 * Composes Japanese messages from templates (templates/<network>/mail/<kind>.hbs, else
 * templates/_shared/mail/<kind>.hbs; first line 「件名: …」) and puts them in the outbox.
 */
@Injectable()
export class MailService {
  private readonly handlebars = Handlebars.create();
  private readonly compiled = new Map<string, Handlebars.TemplateDelegate>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(MAIL_QUEUE) private readonly queue: Queue<MailJob>,
    private readonly networks: NetworksService,
  ) {}

  compose(networkId: string, kind: MailKind, context: Record<string, unknown>): { subject: string; body: string } {
    const text = this.template(networkId, kind)(context);
    const [first, ...rest] = text.split('\n');
    if (!first.startsWith('件名:')) throw new Error(`mail template ${kind} must start with 件名:`);
    // One line only: a value with a line break must never become a header of its own.
    return {
      subject: first
        .slice('件名:'.length)
        .replace(/[\r\n]+/g, ' ')
        .trim(),
      body: rest.join('\n').replace(/^\n+/, ''),
    };
  }

  /** Adds a message to the outbox inside the caller's transaction; `dispatch` it after the commit. */
  async enqueue(manager: EntityManager, message: MailMessage): Promise<QueuedMail> {
    const saved = await manager.save(
      manager.create(MailOutboxEntity, {
        kind: message.kind,
        recipient: message.to,
        subject: message.subject,
        body: message.body,
        status: 'pending',
        attempts: 0,
      }),
    );
    return { id: saved.id };
  }

  async dispatch(outbox: QueuedMail[]): Promise<void> {
    if (outbox.length === 0) return;
    await this.queue.addBulk(
      outbox.map((m) => ({
        name: 'send',
        data: { outboxId: m.id },
        opts: { jobId: JOB_IDS.mail(m.id), attempts: 6, backoff: { type: 'exponential', delay: 2000 } },
      })),
    );
  }

  /** Re-queues messages whose job never reached Redis (e.g. Redis was down at commit time). */
  async sweep(olderThanMs = 30_000): Promise<number> {
    const stale = await this.dataSource
      .getRepository(MailOutboxEntity)
      .find({ where: { status: 'pending', createdAt: LessThan(new Date(Date.now() - olderThanMs)) }, take: 500 });
    await this.dispatch(stale);
    return stale.length;
  }

  private template(networkId: string, kind: MailKind): Handlebars.TemplateDelegate {
    const key = `${networkId}/${kind}`;
    let template = this.compiled.get(key);
    if (!template) {
      const root = this.networks.engine.templatesDir;
      const own = join(root, networkId, 'mail', `${kind}.hbs`);
      const path = existsSync(own) ? own : join(root, '_shared', 'mail', `${kind}.hbs`);
      // Plain text: nothing to escape, and escaping would break links (&amp;).
      template = this.handlebars.compile(readFileSync(path, 'utf8'), { strict: true, noEscape: true });
      this.compiled.set(key, template);
    }
    return template;
  }
}
