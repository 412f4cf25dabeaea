import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import Handlebars from 'handlebars';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EntityManager } from 'typeorm';
import { Delivery, DueJob, SweepReport, addSoon, requeue, unqueued } from '../common/job-delivery';
import { JOB_IDS, MAIL_QUEUE } from '../common/queues';
import { NetworksService } from '../networks/networks.service';
import { MailRepository } from './mail.repository';
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
    private readonly repository: MailRepository,
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
  enqueue(manager: EntityManager, message: MailMessage): Promise<QueuedMail> {
    const { kind, to, subject, body, documentId } = message;
    return this.repository.insert(manager, { kind, recipient: to, subject, body, documentId: documentId ?? null });
  }

  /** The document left use: what is still unsent about it is never sent (its job finds it cancelled). */
  async cancelPendingFor(manager: EntityManager, documentIds: string[]): Promise<number> {
    if (documentIds.length === 0) return 0;
    return this.repository.cancelPendingFor(manager, documentIds);
  }

  /** The document was erased: every message about it (recipients, names, links) is deleted from the outbox. */
  async forgetAbout(manager: EntityManager, documentIds: string[]): Promise<number> {
    if (documentIds.length === 0) return 0;
    return this.repository.deleteAbout(manager, documentIds);
  }

  /** After the commit: queues the messages without waiting long on Redis (the outbox row is the record). */
  dispatch(outbox: QueuedMail[]): Promise<Delivery> {
    return addSoon(
      this.queue,
      outbox.map((m) => mailJob({ id: m.id, createdAt: new Date() })),
    );
  }

  /** Every message still to send, as the job that sends it. */
  async dueJobs(limit = 500): Promise<DueJob[]> {
    return (await this.repository.pending(limit)).map(mailJob);
  }

  /** Worker side (the sweeper): queues each pending message that Redis does not hold. */
  async sweep(): Promise<SweepReport> {
    return { mail: (await requeue(this.queue, await this.dueJobs())).length };
  }

  /** For /health: work due since before `since` that Redis does not hold (the sweeper has not caught it). */
  async backlog(since: Date): Promise<DueJob[]> {
    return unqueued(
      this.queue,
      (await this.dueJobs(50)).filter((job) => job.dueAt < since),
    );
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

function mailJob(message: { id: string; createdAt: Date }): DueJob {
  return {
    name: 'send',
    jobId: JOB_IDS.mail(message.id),
    data: { outboxId: message.id } satisfies MailJob,
    opts: { attempts: 6, backoff: { type: 'exponential', delay: 2000 } },
    dueAt: message.createdAt,
  };
}
