import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, EntityManager } from 'typeorm';
import { RequestOrigin } from '../common/request-origin';
import { AuditEventEntity } from './audit-event.entity';

export interface Actor {
  id: string;
  email: string;
}

export interface AuditEntry {
  action: string;
  actor?: Actor | null;
  /** For log-in attempts by someone not (yet) known. */
  email?: string | null;
  target?: { type: string; id: string };
  origin?: RequestOrigin | null;
  detail?: Record<string, unknown>;
}

export interface AuditSearch {
  who?: string;
  action?: string;
  /** YYYY-MM-DD, days in Japan, both included. */
  from?: string;
  to?: string;
}

/** Writes the append-only audit log; pass the transaction's manager to commit it with the change. */
@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async record(entry: AuditEntry, manager: EntityManager = this.dataSource.manager): Promise<void> {
    const event = manager.create(AuditEventEntity, {
      action: entry.action,
      userId: entry.actor?.id ?? null,
      userEmail: entry.actor?.email ?? entry.email ?? null,
      targetType: entry.target?.type ?? null,
      targetId: entry.target?.id ?? null,
      ip: entry.origin?.ip ?? null,
      userAgent: entry.origin?.userAgent ?? null,
      detail: entry.detail ?? null,
    });
    await manager.save(AuditEventEntity, event);
  }

  /** Every event of these actions on these targets, oldest first (a patient's record of views and downloads). */
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

  /** A page of the log, newest first, with how many events match: by who (e-mail, in part), what, and when (days in Japan). */
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
