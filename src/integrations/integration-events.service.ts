import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { OfficesService } from '../accounts/offices.service';
import { IntegrationEvent } from './integrations.types';
import { WebhooksRepository } from './webhooks.repository';

/** The body every webhook carries (Standard Webhooks): what happened, when, and its ids and states. */
export function webhookBody(type: string, at: Date, data: object): string {
  return JSON.stringify({ type, timestamp: at.toISOString(), data });
}

/**
 * What other features call when something an integrator may want to know happens: inside the transaction
 * of the change, one outbox row per endpoint that subscribed, so the event is sent if and only if the change
 * commits. The worker delivers them (it looks for due rows every WEBHOOK_POLL_MS).
 */
@Injectable()
export class IntegrationEvents {
  constructor(
    private readonly repository: WebhooksRepository,
    private readonly offices: OfficesService,
  ) {}

  async emit(manager: EntityManager, event: IntegrationEvent): Promise<void> {
    const networkId = event.networkId ?? (event.officeId ? (await this.offices.get(event.officeId, manager)).networkId : null);
    if (!networkId) throw new Error(`event ${event.type} names neither an office nor a network`);
    const endpoints = await this.repository.subscribers(manager, event.type, event.officeId, networkId);
    if (endpoints.length === 0) return;
    const payload = webhookBody(event.type, event.at ?? new Date(), event.data);
    await this.repository.insertDeliveries(
      manager,
      endpoints.map((e) => ({ endpointId: e.id, messageId: `msg_${randomUUID()}`, eventType: event.type, payload })),
    );
  }
}
