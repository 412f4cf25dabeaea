import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

export type PdfLocation = 'postgres' | 's3';

/**
 * The PDF store's rows: pdf_blob (one per file, its bytes when kept in PostgreSQL) and pdf_object_deletion (files
 * to remove from the bucket), read and written only here.
 */
@Injectable()
export class PdfBlobRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** One lock per file name, taken by whoever writes or deletes that file (a save and an erasure never interleave). */
  async lock(tx: EntityManager, sha256: string): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 24))`, [sha256]);
  }

  /** Records a file (its bytes too when they stay in PostgreSQL); the same file saved twice is recorded once. */
  async insert(tx: EntityManager, file: { sha256: string; content: Buffer | null; pageCount: number; byteSize: number }): Promise<void> {
    await tx.query(
      `INSERT INTO pdf_blob (sha256, content, byte_size, page_count, location) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (sha256) DO NOTHING`,
      [file.sha256, file.content, file.byteSize, file.pageCount, file.content ? 'postgres' : 's3'],
    );
  }

  async find(
    sha256: string,
    tx: EntityManager = this.dataSource.manager,
  ): Promise<{ location: PdfLocation; content: Buffer | null } | null> {
    const [row] = (await tx.query(`SELECT location, content FROM pdf_blob WHERE sha256 = $1`, [sha256])) as Array<{
      location: PdfLocation;
      content: Buffer | null;
    }>;
    return row ?? null;
  }

  /**
   * Deletes a file's row unless something still refers to it (the database's own references decide, in a
   * savepoint): its location when deleted, null when still in use.
   */
  async deleteIfUnused(tx: EntityManager, sha256: string, savepoint: string): Promise<PdfLocation | null> {
    await tx.query(`SAVEPOINT ${savepoint}`);
    try {
      const [rows] = (await tx.query(`DELETE FROM pdf_blob WHERE sha256 = $1 RETURNING location`, [sha256])) as [
        Array<{ location: PdfLocation }>,
        number,
      ];
      await tx.query(`RELEASE SAVEPOINT ${savepoint}`);
      return rows[0]?.location ?? null;
    } catch (error) {
      await tx.query(`ROLLBACK TO SAVEPOINT ${savepoint}`);
      if ((error as { code?: string }).code !== '23503') throw error; // foreign_key_violation: still in use
      return null;
    }
  }

  async queueObjectDeletion(tx: EntityManager, sha256: string): Promise<void> {
    await tx.query(`INSERT INTO pdf_object_deletion (sha256) VALUES ($1) ON CONFLICT DO NOTHING`, [sha256]);
  }

  async unqueueObjectDeletion(tx: EntityManager, sha256: string): Promise<void> {
    await tx.query(`DELETE FROM pdf_object_deletion WHERE sha256 = $1`, [sha256]);
  }

  async objectDeletionsDue(limit: number): Promise<string[]> {
    const rows = (await this.dataSource.query(`SELECT sha256 FROM pdf_object_deletion ORDER BY requested_at LIMIT $1`, [limit])) as Array<{
      sha256: string;
    }>;
    return rows.map((row) => row.sha256);
  }

  /** Takes a file off the deletion queue if no row keeps it in the bucket: true when its object is to be removed. */
  async claimObjectDeletion(tx: EntityManager, sha256: string): Promise<boolean> {
    const [rows] = (await tx.query(
      `DELETE FROM pdf_object_deletion d WHERE sha256 = $1
       AND NOT EXISTS (SELECT 1 FROM pdf_blob b WHERE b.sha256 = d.sha256 AND b.location = 's3') RETURNING sha256`,
      [sha256],
    )) as [unknown[], number];
    return rows.length > 0;
  }

  /** The next files kept at a location, in name order after `after` (a resumable walk). */
  async namesAt(location: PdfLocation, after: string, limit: number): Promise<string[]> {
    const rows = (await this.dataSource.query(`SELECT sha256 FROM pdf_blob WHERE location = $1 AND sha256 > $2 ORDER BY sha256 LIMIT $3`, [
      location,
      after,
      limit,
    ])) as Array<{ sha256: string }>;
    return rows.map((row) => row.sha256);
  }

  /** A file's row, locked, if it is still at this location. */
  async lockedAt(tx: EntityManager, sha256: string, location: PdfLocation): Promise<{ content: Buffer | null } | null> {
    const [row] = (await tx.query(`SELECT content FROM pdf_blob WHERE sha256 = $1 AND location = $2 FOR UPDATE`, [
      sha256,
      location,
    ])) as Array<{
      content: Buffer | null;
    }>;
    return row ?? null;
  }

  async moveTo(tx: EntityManager, sha256: string, location: PdfLocation, content: Buffer | null): Promise<void> {
    await tx.query(`UPDATE pdf_blob SET location = $2, content = $3 WHERE sha256 = $1`, [sha256, location, content]);
  }

  async countAt(location: PdfLocation): Promise<number> {
    const [{ count }] = (await this.dataSource.query(`SELECT count(*)::int AS count FROM pdf_blob WHERE location = $1`, [
      location,
    ])) as Array<{
      count: number;
    }>;
    return count;
  }
}
