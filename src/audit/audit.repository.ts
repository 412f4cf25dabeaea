import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, EntityManager } from 'typeorm';
import { AuditEventEntity } from './audit-event.entity';

export type NewAuditEvent = Pick<
  AuditEventEntity,
  'action' | 'userId' | 'userEmail' | 'targetType' | 'targetId' | 'ip' | 'userAgent' | 'detail'
>;

export interface AuditSearch {
  who?: string;
  action?: string;
  /** YYYY-MM-DD, days in Japan, both included. */
  from?: string;
  to?: string;
}

/** The audit feature's one table, audit_event: appended to, never changed. */
@Injectable()
export class AuditRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(event: NewAuditEvent, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.save(AuditEventEntity, manager.create(AuditEventEntity, event));
  }

  /** Every event of these actions on these targets, oldest first. */
  async forTargets(targets: Array<{ type: string; id: string }>, actions: string[]): Promise<AuditEventEntity[]> {
    if (targets.length === 0 || actions.length === 0) return [];
    const byType = new Map<string, string[]>();
    for (const t of targets) byType.set(t.type, [...(byType.get(t.type) ?? []), t.id]);
    const query = this.dataSource.getRepository(AuditEventEntity).createQueryBuilder('e').where('e.action IN (:...actions)', { actions });
    query.andWhere(
      new Brackets((any) => {
        [...byType.entries()].forEach(([type, ids], i) =>
          any.orWhere(`(e.targetType = :type${i} AND e.targetId IN (:...ids${i}))`, { [`type${i}`]: type, [`ids${i}`]: ids }),
        );
      }),
    );
    return query.orderBy('e.id', 'ASC').getMany();
  }

  /** A page of the log, newest first, with how many events match. */
  async search(filter: AuditSearch, page: { offset: number; limit: number }): Promise<{ events: AuditEventEntity[]; total: number }> {
    const query = this.dataSource.getRepository(AuditEventEntity).createQueryBuilder('e');
    if (filter.who) query.andWhere("e.userEmail ILIKE :who ESCAPE '\\'", { who: `%${filter.who.replace(/[\\%_]/g, (c) => `\\${c}`)}%` });
    if (filter.action) query.andWhere('e.action = :action', { action: filter.action });
    if (filter.from) query.andWhere('e.at >= :from', { from: new Date(`${filter.from}T00:00:00+09:00`) });
    if (filter.to) query.andWhere('e.at < :to', { to: new Date(new Date(`${filter.to}T00:00:00+09:00`).getTime() + 86_400_000) });
    const [events, total] = await query.orderBy('e.id', 'DESC').offset(page.offset).limit(page.limit).getManyAndCount();
    return { events, total };
  }

  list(filter: { action?: string; limit: number; before?: string }): Promise<AuditEventEntity[]> {
    const query = this.dataSource.getRepository(AuditEventEntity).createQueryBuilder('e').orderBy('e.id', 'DESC').limit(filter.limit);
    if (filter.action) query.andWhere('e.action = :action', { action: filter.action });
    if (filter.before) query.andWhere('e.id < :before', { before: filter.before });
    return query.getMany();
  }
}
