import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { RequestOrigin } from '../common/request-origin';
import { AuditEventEntity } from './audit-event.entity';
import { AuditRepository, AuditSearch } from './audit.repository';

export type { AuditSearch } from './audit.repository';

export interface Actor {
  id: string;
  email: string;
  /** The API key the actor acted through: named in the event's detail. */
  apiKey?: { id: string; name: string };
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
  constructor(private readonly repository: AuditRepository) {}

  record(entry: AuditEntry, manager?: EntityManager): Promise<void> {
    return this.repository.insert(
      {
        action: entry.action,
        userId: entry.actor?.id ?? null,
        userEmail: entry.actor?.apiKey
          ? `${entry.actor.email} (APIキー「${entry.actor.apiKey.name}」)`
          : (entry.actor?.email ?? entry.email ?? null),
        targetType: entry.target?.type ?? null,
        targetId: entry.target?.id ?? null,
        ip: entry.origin?.ip ?? null,
        userAgent: entry.origin?.userAgent ?? null,
        detail: entry.actor?.apiKey ? { ...entry.detail, apiKey: entry.actor.apiKey } : (entry.detail ?? null),
      },
      manager,
    );
  }

  /** Every event of these actions on these targets, oldest first (a patient's record of views and downloads). */
  forTargets(targets: Array<{ type: string; id: string }>, actions: string[]): Promise<AuditEventEntity[]> {
    return this.repository.forTargets(targets, actions);
  }

  /** A page of the log, newest first, with how many events match: by who (e-mail, in part), what, and when (days in Japan). */
  search(filter: AuditSearch, page: { offset: number; limit: number }): Promise<{ events: AuditEventEntity[]; total: number }> {
    return this.repository.search(filter, page);
  }

  list(filter: { action?: string; limit: number; before?: string }): Promise<AuditEventEntity[]> {
    return this.repository.list(filter);
  }
}
