import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import { randomBytes, randomUUID } from 'node:crypto';
import { OfficesService } from '../accounts/offices.service';
import { CurrentUser } from '../common/auth/current-user';
import { AuditService } from '../audit/audit.service';
import { Transactions } from '../common/database/transactions';
import { DomainError } from '../common/errors/domain-error';
import { addSoon } from '../common/job-delivery';
import { WEBHOOK_QUEUE } from '../common/queues';
import { RequestOrigin } from '../common/request-origin';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { webhookBody } from './integration-events.service';
import { CreatedWebhook, TEST_EVENT, WebhookDeliveryView, WebhookOwner, WebhookSummary, eventsFor } from './integrations.types';
import { deliveryJob } from './webhook-delivery.service';
import { TargetError, resolveTarget } from './webhook-target';
import { WebhookDeliveryEntity, WebhookEndpointEntity } from './webhook.entities';
import { WebhooksRepository } from './webhooks.repository';

/** How many webhooks an office or a 事務局 may have. */
export const WEBHOOK_LIMIT = 10;
export const DELIVERY_PAGE_SIZE = 20;

export interface NewWebhook {
  url: string;
  events: string[];
  description?: string;
}

/**
 * An office's (its manager's) and a 事務局's webhooks: added with the events to send, the signing secret shown
 * once; each delivery and its attempts visible; a delivery may be sent again, and a test sent at any time.
 */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly repository: WebhooksRepository,
    private readonly offices: OfficesService,
    private readonly audit: AuditService,
    private readonly transactions: Transactions,
    @InjectQueue(WEBHOOK_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Whose webhooks the user manages: the office (manager) or the 事務局's network. */
  async ownerOf(user: CurrentUser): Promise<WebhookOwner & { kind: 'office' | 'network' }> {
    if (user.role === 'office_manager' && user.officeId)
      return { kind: 'office', officeId: user.officeId, networkId: (await this.offices.get(user.officeId)).networkId };
    if (user.role === 'secretariat' && user.networkId) return { kind: 'network', officeId: null, networkId: user.networkId };
    throw new DomainError('FORBIDDEN', 'Webhookを設定できるのは事業所の管理者と事務局です');
  }

  /** The events this user's webhooks may carry. */
  async eventsOf(user: CurrentUser): Promise<string[]> {
    return eventsFor((await this.ownerOf(user)).kind);
  }

  async create(user: CurrentUser, input: NewWebhook, origin: RequestOrigin | null): Promise<CreatedWebhook> {
    const owner = await this.ownerOf(user);
    const allowed = eventsFor(owner.kind) as string[];
    const events = [...new Set(input.events)];
    const unknown = events.filter((e) => !allowed.includes(e));
    if (events.length === 0) throw fieldError('events', '送信するイベントを1つ以上選んでください');
    if (unknown.length) throw fieldError('events', `選べないイベントです: ${unknown.join(', ')}`);
    try {
      await resolveTarget(input.url, this.rules());
    } catch (error) {
      if (error instanceof TargetError) throw fieldError('url', error.message);
      throw error;
    }
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const endpoint = await this.transactions.run(async (tx) => {
      if ((await this.repository.countOf(tx, owner)) >= WEBHOOK_LIMIT)
        throw new DomainError('INVALID_STATE', `Webhookは${WEBHOOK_LIMIT}件までです。使っていないものを削除してから登録してください`);
      const saved = await this.repository.insertEndpoint(tx, {
        officeId: owner.officeId,
        networkId: owner.networkId,
        url: input.url,
        description: input.description?.trim() || null,
        events,
        secret,
        createdBy: user.id,
      });
      await this.audit.record(
        { action: 'webhook_created', actor: user, target: { type: 'webhook', id: saved.id }, origin, detail: { url: input.url, events } },
        tx,
      );
      return saved;
    });
    return { id: endpoint.id, secret };
  }

  async list(user: CurrentUser): Promise<WebhookSummary[]> {
    return (await this.repository.endpointsOf(await this.ownerOf(user), WEBHOOK_LIMIT)).map(summary);
  }

  async get(user: CurrentUser, id: string): Promise<WebhookSummary> {
    return summary(await this.endpoint(user, id));
  }

  async delete(user: CurrentUser, id: string, origin: RequestOrigin | null): Promise<void> {
    const endpoint = await this.endpoint(user, id);
    await this.transactions.run(async (tx) => {
      await this.repository.deleteEndpoint(tx, endpoint.id);
      await this.audit.record(
        { action: 'webhook_deleted', actor: user, target: { type: 'webhook', id: endpoint.id }, origin, detail: { url: endpoint.url } },
        tx,
      );
    });
  }

  /** A page of the webhook's deliveries, newest first, each with every attempt and its answer. */
  async deliveries(
    user: CurrentUser,
    id: string,
    page = 1,
  ): Promise<{ deliveries: WebhookDeliveryView[]; total: number; page: number; pageSize: number }> {
    const endpoint = await this.endpoint(user, id);
    const { rows, attempts, total } = await this.repository.deliveries(endpoint.id, {
      offset: (page - 1) * DELIVERY_PAGE_SIZE,
      limit: DELIVERY_PAGE_SIZE,
    });
    return {
      deliveries: rows.map((row) => {
        const own = attempts.filter((a) => a.deliveryId === row.id);
        return {
          id: row.id,
          messageId: row.messageId,
          event: row.eventType,
          status: row.status,
          createdAt: row.createdAt,
          deliveredAt: row.deliveredAt,
          statusCode: own.at(-1)?.statusCode ?? null,
          nextRetryAt: row.status === 'pending' ? row.nextAttemptAt : null,
          attempts: own.map((a) => ({
            at: a.at,
            statusCode: a.statusCode,
            error: a.error,
            durationMs: a.durationMs,
            nextRetryAt: a.nextAttemptAt,
          })),
        };
      }),
      total,
      page,
      pageSize: DELIVERY_PAGE_SIZE,
    };
  }

  /** A `webhook.test` event to this webhook only, now. */
  async test(user: CurrentUser, id: string): Promise<{ deliveryId: string }> {
    const endpoint = await this.endpoint(user, id);
    if (endpoint.disabledAt) throw new DomainError('INVALID_STATE', 'このWebhookは停止しています。登録し直してください');
    const delivery = await this.transactions.run(async (tx) => {
      const [row] = await this.repository.insertDeliveries(tx, [
        {
          endpointId: endpoint.id,
          messageId: `msg_${randomUUID()}`,
          eventType: TEST_EVENT,
          payload: webhookBody(TEST_EVENT, new Date(), { webhookId: endpoint.id }),
        },
      ]);
      return row;
    });
    await this.dispatch(delivery);
    return { deliveryId: delivery.id };
  }

  /** Sends a delivery again now (its body and webhook-id unchanged), whatever became of it. */
  async retry(user: CurrentUser, id: string, deliveryId: string): Promise<void> {
    const endpoint = await this.endpoint(user, id);
    if (endpoint.disabledAt) throw new DomainError('INVALID_STATE', 'このWebhookは停止しています。登録し直してください');
    const delivery = await this.transactions.run(async (tx) => {
      const found = await this.repository.delivery(endpoint.id, deliveryId, tx);
      if (!found) throw new DomainError('NOT_FOUND', '送信履歴が見つかりません');
      return this.repository.retryNow(tx, found.id);
    });
    await this.dispatch(delivery);
  }

  /** From the first attempt to the last (WEBHOOK_RETRY_SECONDS), for the page. */
  retrySpanSeconds(): number {
    return this.config.webhookRetrySeconds.reduce((sum, s) => sum + s, 0);
  }

  private async dispatch(delivery: WebhookDeliveryEntity): Promise<void> {
    // The poller finds it in any case; this only saves the wait.
    await addSoon(this.queue, [deliveryJob(delivery)]);
  }

  private async endpoint(user: CurrentUser, id: string): Promise<WebhookEndpointEntity> {
    const endpoint = await this.repository.endpointOf(await this.ownerOf(user), id);
    if (!endpoint) throw new DomainError('NOT_FOUND', 'Webhookが見つかりません');
    return endpoint;
  }

  private rules() {
    return { allowPrivate: this.config.webhookAllowPrivate, httpsOnly: this.config.nodeEnv === 'production' };
  }
}

function summary(e: WebhookEndpointEntity): WebhookSummary {
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    events: e.events,
    createdAt: e.createdAt,
    failingSince: e.failingSince,
    disabledAt: e.disabledAt,
  };
}

function fieldError(path: string, message: string): DomainError {
  return new DomainError('INVALID_REQUEST', message, { errors: [{ path, label: path === 'url' ? 'URL' : 'イベント', message }] });
}
