import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { WebhookAttemptEntity, WebhookDeliveryEntity, WebhookEndpointEntity } from './webhook.entities';
import { WebhookOwner } from './integrations.types';

export type NewEndpoint = Pick<WebhookEndpointEntity, 'officeId' | 'networkId' | 'url' | 'description' | 'events' | 'secret' | 'createdBy'>;
export type NewDelivery = Pick<WebhookDeliveryEntity, 'endpointId' | 'messageId' | 'eventType' | 'payload'>;
export type DeliveryWithEndpoint = WebhookDeliveryEntity & { endpoint: WebhookEndpointEntity };

/** The integrations feature's webhook tables: endpoints, their deliveries (the outbox) and each attempt. */
@Injectable()
export class WebhooksRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  insertEndpoint(manager: EntityManager, endpoint: NewEndpoint): Promise<WebhookEndpointEntity> {
    return manager.save(manager.create(WebhookEndpointEntity, endpoint));
  }

  ownerWhere(owner: WebhookOwner) {
    return { networkId: owner.networkId, officeId: owner.officeId ?? IsNull(), deletedAt: IsNull() };
  }

  endpointsOf(owner: WebhookOwner, limit: number): Promise<WebhookEndpointEntity[]> {
    return this.dataSource
      .getRepository(WebhookEndpointEntity)
      .find({ where: this.ownerWhere(owner), order: { createdAt: 'DESC' }, take: limit });
  }

  countOf(manager: EntityManager, owner: WebhookOwner): Promise<number> {
    return manager.countBy(WebhookEndpointEntity, this.ownerWhere(owner));
  }

  endpointOf(owner: WebhookOwner, id: string, manager: EntityManager = this.dataSource.manager): Promise<WebhookEndpointEntity | null> {
    if (!isUuid(id)) return Promise.resolve(null);
    return manager.findOneBy(WebhookEndpointEntity, { id, ...this.ownerWhere(owner) });
  }

  async deleteEndpoint(manager: EntityManager, id: string): Promise<void> {
    await manager.update(WebhookEndpointEntity, id, { deletedAt: new Date() });
    await manager.update(WebhookDeliveryEntity, { endpointId: id, status: 'pending' }, { status: 'cancelled', nextAttemptAt: null });
  }

  /**
   * The live endpoints an event reaches: the office's own that subscribed to it, and its network's 事務局's.
   * An office's event never reaches another office.
   */
  subscribers(
    manager: EntityManager,
    type: string,
    officeId: string | null,
    networkId: string,
  ): Promise<Array<Pick<WebhookEndpointEntity, 'id'>>> {
    const query = manager
      .getRepository(WebhookEndpointEntity)
      .createQueryBuilder('e')
      .select(['e.id'])
      .where('e.network_id = :networkId', { networkId })
      .andWhere(':type = ANY(e.events)', { type })
      .andWhere('e.deleted_at IS NULL AND e.disabled_at IS NULL');
    if (officeId) query.andWhere('(e.office_id IS NULL OR e.office_id = :officeId)', { officeId });
    else query.andWhere('e.office_id IS NULL');
    return query.getMany();
  }

  async insertDeliveries(manager: EntityManager, deliveries: NewDelivery[]): Promise<WebhookDeliveryEntity[]> {
    if (deliveries.length === 0) return [];
    return manager.save(
      deliveries.map((d) => manager.create(WebhookDeliveryEntity, { ...d, status: 'pending', attempts: 0, nextAttemptAt: new Date() })),
    );
  }

  /** Deliveries whose next attempt is due, oldest first. */
  due(limit: number): Promise<Array<Pick<WebhookDeliveryEntity, 'id' | 'attempts' | 'nextAttemptAt'>>> {
    return this.dataSource
      .getRepository(WebhookDeliveryEntity)
      .createQueryBuilder('d')
      .select(['d.id', 'd.attempts', 'd.nextAttemptAt'])
      .where("d.status = 'pending' AND d.next_attempt_at <= now()")
      .orderBy('d.next_attempt_at', 'ASC')
      .limit(limit)
      .getMany();
  }

  /**
   * Takes attempt `attempt` of a due delivery for this worker: the count goes up and the next try moves past
   * `leaseMs`, so no one else sends it meanwhile, and a worker killed mid-way leaves it due again. Null when
   * it is not (any more) this attempt's turn.
   */
  async claim(id: string, attempt: number, leaseMs: number): Promise<DeliveryWithEndpoint | null> {
    // TypeORM answers an UPDATE with [rows, count].
    const [rows]: [Array<{ id: string }>, number] = await this.dataSource.query(
      `UPDATE webhook_delivery SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $3::double precision / 1000)
        WHERE id = $1 AND attempts = $2 AND status = 'pending' AND next_attempt_at <= now() RETURNING id`,
      [id, attempt, leaseMs],
    );
    if (rows.length === 0) return null;
    const delivery = await this.dataSource.getRepository(WebhookDeliveryEntity).findOneByOrFail({ id });
    const endpoint = await this.dataSource
      .getRepository(WebhookEndpointEntity)
      .createQueryBuilder('e')
      .addSelect('e.secret')
      .where('e.id = :id', { id: delivery.endpointId })
      .getOneOrFail();
    return { ...delivery, endpoint };
  }

  async recordAttempt(
    delivery: WebhookDeliveryEntity,
    attempt: Pick<WebhookAttemptEntity, 'statusCode' | 'error' | 'durationMs' | 'nextAttemptAt'>,
    outcome: 'delivered' | 'pending' | 'failed' | 'cancelled',
  ): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      await tx.insert(WebhookAttemptEntity, { deliveryId: delivery.id, ...attempt });
      await tx.update(WebhookDeliveryEntity, delivery.id, {
        status: outcome,
        nextAttemptAt: outcome === 'pending' ? attempt.nextAttemptAt : null,
        ...(outcome === 'delivered' ? { deliveredAt: new Date() } : {}),
      });
    });
  }

  async endpointSucceeded(endpointId: string): Promise<void> {
    await this.dataSource.getRepository(WebhookEndpointEntity).update({ id: endpointId }, { failingSince: null });
  }

  /** Notes the failure; returns since when the endpoint has been failing. */
  async endpointFailed(endpointId: string): Promise<Date> {
    const [rows]: [Array<{ failing_since: Date }>, number] = await this.dataSource.query(
      `UPDATE webhook_endpoint SET failing_since = coalesce(failing_since, now()) WHERE id = $1 RETURNING failing_since`,
      [endpointId],
    );
    return rows[0]?.failing_since ?? new Date();
  }

  /** Disables the endpoint once (true the first time), its pending deliveries cancelled, in the caller's transaction. */
  async disable(manager: EntityManager, endpointId: string): Promise<boolean> {
    const changed = await manager.update(WebhookEndpointEntity, { id: endpointId, disabledAt: IsNull() }, { disabledAt: new Date() });
    if (!changed.affected) return false;
    await manager.update(WebhookDeliveryEntity, { endpointId, status: 'pending' }, { status: 'cancelled', nextAttemptAt: null });
    return true;
  }

  /** A page of an endpoint's deliveries, newest first, each with its attempts, and how many there are. */
  async deliveries(endpointId: string, page: { offset: number; limit: number }) {
    const [rows, total] = await this.dataSource
      .getRepository(WebhookDeliveryEntity)
      .findAndCount({ where: { endpointId }, order: { createdAt: 'DESC', id: 'ASC' }, skip: page.offset, take: page.limit });
    const attempts = rows.length
      ? await this.dataSource
          .getRepository(WebhookAttemptEntity)
          .find({ where: { deliveryId: In(rows.map((r) => r.id)) }, order: { id: 'ASC' } })
      : [];
    return { rows, attempts, total };
  }

  delivery(endpointId: string, id: string, manager: EntityManager = this.dataSource.manager): Promise<WebhookDeliveryEntity | null> {
    if (!isUuid(id)) return Promise.resolve(null);
    return manager.findOneBy(WebhookDeliveryEntity, { id, endpointId });
  }

  /** Due again now (a retry asked for by its owner), whatever its state. */
  async retryNow(manager: EntityManager, id: string): Promise<WebhookDeliveryEntity> {
    await manager.update(WebhookDeliveryEntity, id, { status: 'pending', nextAttemptAt: new Date() });
    return manager.findOneByOrFail(WebhookDeliveryEntity, { id });
  }
}

export function isUuid(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
}
