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

  list(filter: { action?: string; limit: number; before?: string }): Promise<AuditEventEntity[]> {
    const query = this.dataSource.getRepository(AuditEventEntity).createQueryBuilder('e').orderBy('e.id', 'DESC').limit(filter.limit);
    if (filter.action) query.andWhere('e.action = :action', { action: filter.action });
    if (filter.before) query.andWhere('e.id < :before', { before: filter.before });
    return query.getMany();
  }
}
