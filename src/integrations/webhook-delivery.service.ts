import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Webhook } from 'standardwebhooks';
import { UsersService } from '../accounts/users.service';
import { Transactions } from '../common/database/transactions';
import { DueJob, SweepReport, requeue } from '../common/job-delivery';
import { JOB_IDS, WEBHOOK_QUEUE } from '../common/queues';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { MailService } from '../mail/mail.service';
import { AuditService } from '../audit/audit.service';
import { formatJst } from '../common/japan-date';
import { PostResult, TargetError, postTo, resolveTarget } from './webhook-target';
import { WebhookDeliveryEntity, WebhookEndpointEntity } from './webhook.entities';
import { WebhooksRepository } from './webhooks.repository';

export interface WebhookJob {
  deliveryId: string;
  attempt: number;
}

/** The job of a delivery's next attempt (its id names the attempt: a repeat of it is one job). */
export function deliveryJob(delivery: Pick<WebhookDeliveryEntity, 'id' | 'attempts' | 'nextAttemptAt'>): DueJob {
  return {
    name: 'deliver',
    jobId: JOB_IDS.webhook(delivery.id, delivery.attempts),
    data: { deliveryId: delivery.id, attempt: delivery.attempts } satisfies WebhookJob,
    // The schedule of retries is the row's (next_attempt_at), not BullMQ's.
    opts: { attempts: 1, removeOnComplete: true, removeOnFail: true },
    dueAt: delivery.nextAttemptAt ?? new Date(),
  };
}

/**
 * Worker side: sends a due delivery, signed per Standard Webhooks (webhook-id, webhook-timestamp,
 * webhook-signature), to the address its URL resolves to now — refused when that is a private one. A 2xx
 * ends it; anything else is tried again after WEBHOOK_RETRY_SECONDS, in order, then given up. An endpoint
 * that has failed for WEBHOOK_DISABLE_AFTER_SECONDS with no success is disabled, and its owner e-mailed.
 */
@Injectable()
export class WebhookDeliveryService {
  private readonly logger = new Logger(WebhookDeliveryService.name);

  constructor(
    private readonly repository: WebhooksRepository,
    @InjectQueue(WEBHOOK_QUEUE) private readonly queue: Queue<WebhookJob>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly transactions: Transactions,
    private readonly mail: MailService,
    private readonly users: UsersService,
    private readonly audit: AuditService,
  ) {}

  async deliver(job: WebhookJob): Promise<void> {
    // The lease: past the time-out, so a worker killed mid-send leaves the delivery due again.
    const delivery = await this.repository.claim(job.deliveryId, job.attempt, this.config.webhookTimeoutMs + 30_000);
    if (!delivery) return;
    const { endpoint } = delivery;
    if (endpoint.disabledAt || endpoint.deletedAt) {
      await this.repository.recordAttempt(
        delivery,
        { statusCode: null, error: 'Webhookが停止または削除されたため送信しません', durationMs: 0, nextAttemptAt: null },
        'cancelled',
      );
      return;
    }
    const result = await this.send(delivery, endpoint);
    if (result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300) {
      await this.repository.recordAttempt(delivery, { ...result, nextAttemptAt: null }, 'delivered');
      await this.repository.endpointSucceeded(endpoint.id);
      return;
    }
    const failingSince = await this.repository.endpointFailed(endpoint.id);
    const retries = this.config.webhookRetrySeconds;
    const wait = retries[delivery.attempts - 1];
    const nextAttemptAt = wait === undefined ? null : new Date(Date.now() + wait * 1000);
    await this.repository.recordAttempt(delivery, { ...result, nextAttemptAt }, nextAttemptAt ? 'pending' : 'failed');
    this.logger.warn(
      `webhook delivery ${delivery.id} (${delivery.eventType}) attempt ${delivery.attempts} failed: ${result.statusCode ?? result.error}`,
    );
    if (Date.now() - failingSince.getTime() >= this.config.webhookDisableAfterSeconds * 1000) await this.disable(endpoint);
  }

  /** Every delivery due now, as the job that makes its next attempt. */
  async dueJobs(limit = 500): Promise<DueJob[]> {
    return (await this.repository.due(limit)).map(deliveryJob);
  }

  /** Queues each due delivery that Redis does not hold (the worker's poller and the sweeper). */
  async sweep(): Promise<SweepReport> {
    return { webhooks: (await requeue(this.queue, await this.dueJobs())).length };
  }

  private async send(delivery: WebhookDeliveryEntity, endpoint: WebhookEndpointEntity): Promise<PostResult> {
    const rules = { allowPrivate: this.config.webhookAllowPrivate, httpsOnly: this.config.nodeEnv === 'production' };
    try {
      const target = await resolveTarget(endpoint.url, rules);
      const now = new Date();
      const headers = {
        'webhook-id': delivery.messageId,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': new Webhook(endpoint.secret).sign(delivery.messageId, now, delivery.payload),
      };
      return await postTo(target, headers, delivery.payload, this.config.webhookTimeoutMs);
    } catch (error) {
      if (error instanceof TargetError) return { statusCode: null, error: error.message, durationMs: 0 };
      throw error;
    }
  }

  /** Disabled once; its owner (the office's managers, or the 事務局) e-mailed: the URL and times only. */
  private async disable(endpoint: WebhookEndpointEntity): Promise<void> {
    const recipients = endpoint.officeId
      ? await this.users.managersOf(endpoint.officeId)
      : await this.users.secretariatOf(endpoint.networkId);
    const outbox = await this.transactions.run(async (tx) => {
      if (!(await this.repository.disable(tx, endpoint.id))) return [];
      await this.audit.record(
        { action: 'webhook_disabled', target: { type: 'webhook', id: endpoint.id }, detail: { url: endpoint.url } },
        tx,
      );
      const queued = [];
      for (const person of recipients) {
        const { subject, body } = this.mail.compose(endpoint.networkId, 'webhook-disabled', {
          recipientName: person.name,
          url: endpoint.url,
          hours: Math.round(this.config.webhookDisableAfterSeconds / 3600),
          at: formatJst(new Date()),
        });
        queued.push(await this.mail.enqueue(tx, { kind: 'webhook-disabled', to: person.email, subject, body }));
      }
      return queued;
    });
    if (outbox.length) await this.mail.dispatch(outbox);
    this.logger.warn(`webhook ${endpoint.id} disabled after failing since ${endpoint.failingSince?.toISOString() ?? 'now'}`);
  }
}
