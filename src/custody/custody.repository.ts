import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SubmittedOriginal } from './custody.types';

/** The custody ledger's raw SQL: reads that a query builder would make slower or harder to follow. */
@Injectable()
export class CustodyRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** For each document (of one page: a few dozen), its original bound for the 事務局, with its last mailing and receipt in one pass. */
  async submittedOriginals(documentIds: string[]): Promise<SubmittedOriginal[]> {
    if (documentIds.length === 0) return [];
    const rows: Array<{ document_id: string; code: string; state: string; mailed_at: Date | null; received_at: Date | null }> =
      await this.dataSource.query(
        `SELECT x.document_id, x.code, x.state, j.mailed_at, j.received_at
           FROM exemplar x
           LEFT JOIN LATERAL (
             SELECT max(e.occurred_at) FILTER (WHERE e.type = 'mailed') AS mailed_at,
                    max(e.occurred_at) FILTER (WHERE e.type = 'received') AS received_at
               FROM custody_event e WHERE e.exemplar_id = x.id AND e.type IN ('mailed', 'received')) j ON true
          WHERE x.document_id = ANY($1) AND x.kind = 'original' AND x.holder = 'secretariat'`,
        [documentIds],
      );
    return rows.map((r) => ({ documentId: r.document_id, code: r.code, state: r.state, mailedAt: r.mailed_at, receivedAt: r.received_at }));
  }
}
