import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

/** A sealed file on record: a signed form or a 撤回受付票, as sealed or as renewed. */
export interface SealedFile {
  sha256: string;
  documentId: string;
  requestId: string | null;
  verifiableUntil: Date | null;
}

/** The sealed_file table: every sealed file and renewal, by hash; what renewal finds due. */
@Injectable()
export class SealedFilesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async record(manager: EntityManager, file: SealedFile): Promise<void> {
    await manager.query(
      `INSERT INTO sealed_file (sha256, document_id, request_id, verifiable_until) VALUES ($1, $2, $3, $4)
       ON CONFLICT (sha256) DO NOTHING`,
      [file.sha256, file.documentId, file.requestId, file.verifiableUntil],
    );
  }

  async byHash(sha256: string): Promise<SealedFile | null> {
    const [row] = await this.dataSource.query(`SELECT * FROM sealed_file WHERE sha256 = $1`, [sha256]);
    return row ? toFile(row) : null;
  }

  /** Current files (not renewed) whose newest timestamp ends before `before`: the most urgent first. */
  async due(before: Date, limit: number): Promise<SealedFile[]> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT * FROM sealed_file WHERE renewed_to IS NULL AND verifiable_until < $1 ORDER BY verifiable_until LIMIT $2`,
      [before, limit],
    );
    return rows.map(toFile);
  }

  /** Marks `from` renewed by `to`, once: false when another run renewed it first. */
  async markRenewed(manager: EntityManager, from: string, to: string): Promise<boolean> {
    // UPDATE answers [rows, count] through TypeORM.
    const [rows]: [unknown[], number] = await manager.query(
      `UPDATE sealed_file SET renewed_to = $2 WHERE sha256 = $1 AND renewed_to IS NULL RETURNING sha256`,
      [from, to],
    );
    return rows.length > 0;
  }

  /** A file whose bytes are gone (erased): nothing left to renew. */
  async forget(sha256: string): Promise<void> {
    await this.dataSource.query(`UPDATE sealed_file SET verifiable_until = NULL WHERE sha256 = $1`, [sha256]);
  }
}

function toFile(row: Record<string, unknown>): SealedFile {
  return {
    sha256: (row.sha256 as string).trim(),
    documentId: row.document_id as string,
    requestId: (row.request_id as string | null) ?? null,
    verifiableUntil: (row.verifiable_until as Date | null) ?? null,
  };
}
