import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DomainError } from '../common/errors/domain-error';
import { sha256Hex } from '../common/hash';
import { SweepReport } from '../common/job-delivery';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { PdfObjectStore, verifiedPdf } from './pdf-object-store';

/** One lock per file name, taken by whoever writes or deletes that object (a save and an erasure never interleave). */
const LOCK_SQL = `SELECT pg_advisory_xact_lock(hashtextextended($1, 24))`;

/**
 * Content-addressed PDF storage: the same bytes are stored once, under their sha256. The pdf_blob row always
 * exists (documents, seals and batches refer to it); the bytes are in the row, or — when object storage is
 * configured — in the bucket under `pdf/<sha256>`, uploaded before the row that names them is written.
 * Every read checks the bytes against their name.
 */
@Injectable()
export class PdfStoreService implements OnModuleDestroy {
  private readonly objects: PdfObjectStore | null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.objects = config.objectStorage ? new PdfObjectStore(config.objectStorage) : null;
  }

  onModuleDestroy(): void {
    this.objects?.close();
  }

  async save(pdf: Buffer, pageCount: number, manager: EntityManager = this.dataSource.manager): Promise<string> {
    const sha256 = sha256Hex(pdf);
    if (!this.objects) {
      await manager.query(
        `INSERT INTO pdf_blob (sha256, content, byte_size, page_count, location) VALUES ($1, $2, $3, $4, 'postgres')
         ON CONFLICT (sha256) DO NOTHING`,
        [sha256, pdf, pdf.length, pageCount],
      );
      return sha256;
    }
    if (!manager.queryRunner?.isTransactionActive) return this.dataSource.transaction((tx) => this.save(pdf, pageCount, tx));
    const objects = this.objects;
    await manager.query(LOCK_SQL, [sha256]);
    await objects.put(sha256, pdf);
    await manager.query(
      `INSERT INTO pdf_blob (sha256, content, byte_size, page_count, location) VALUES ($1, NULL, $2, $3, 's3')
       ON CONFLICT (sha256) DO NOTHING`,
      [sha256, pdf.length, pageCount],
    );
    await manager.query(`DELETE FROM pdf_object_deletion WHERE sha256 = $1`, [sha256]);
    return sha256;
  }

  /** Where new PDFs go, for /health: PostgreSQL, or the bucket (which throws when it does not answer). */
  async storage(): Promise<string> {
    if (!this.objects) return 'PostgreSQL';
    await this.objects.reachable();
    return `s3://${this.objects.bucket}`;
  }

  /** The PDF's bytes; null when no such PDF is recorded. Refuses (PDF_CORRUPT) bytes that do not match their hash. */
  async content(sha256: string): Promise<Buffer | null> {
    const [row] = (await this.dataSource.query(`SELECT location, content FROM pdf_blob WHERE sha256 = $1`, [sha256])) as Array<{
      location: 'postgres' | 's3';
      content: Buffer | null;
    }>;
    if (!row) return null;
    if (row.location === 'postgres') return verifiedPdf(sha256, row.content!, 'PostgreSQL');
    if (!this.objects)
      throw new Error(`PDF ${sha256} is in object storage, but no object storage is configured (STORAGE_URL or S3_BUCKET)`);
    const bytes = await this.objects.get(sha256);
    if (!bytes)
      throw new DomainError('PDF_CORRUPT', '保存されているPDFが見つからないため、表示できません。管理者に連絡してください', { sha256 });
    return bytes;
  }

  /**
   * Deletes these PDFs inside the caller's transaction, each unless something still refers to it (the same
   * bytes printed for another record): the database's own references decide, one savepoint per file. A file in
   * the bucket is queued for deletion there once this commits (see sweep).
   */
  async deleteUnused(manager: EntityManager, sha256s: string[]): Promise<number> {
    let deleted = 0;
    for (const [i, sha256] of [...new Set(sha256s)].entries()) {
      await manager.query(`SAVEPOINT pdf_delete_${i}`);
      try {
        const [rows] = (await manager.query(`DELETE FROM pdf_blob WHERE sha256 = $1 RETURNING location`, [sha256])) as [
          Array<{ location: string }>,
          number,
        ];
        if (rows[0]?.location === 's3')
          await manager.query(`INSERT INTO pdf_object_deletion (sha256) VALUES ($1) ON CONFLICT DO NOTHING`, [sha256]);
        deleted += rows.length;
        await manager.query(`RELEASE SAVEPOINT pdf_delete_${i}`);
      } catch (error) {
        await manager.query(`ROLLBACK TO SAVEPOINT pdf_delete_${i}`);
        if ((error as { code?: string }).code !== '23503') throw error; // foreign_key_violation: still in use
      }
    }
    return deleted;
  }

  /**
   * Removes from the bucket the files no row names any more (erased, or moved to PostgreSQL), unless the same
   * bytes were saved there again meanwhile. Each file under its lock, in its own transaction: the queue row goes only when the object has.
   */
  async sweep(): Promise<SweepReport> {
    const objects = this.objects;
    if (!objects) return {};
    const due = (await this.dataSource.query(`SELECT sha256 FROM pdf_object_deletion ORDER BY requested_at LIMIT 500`)) as Array<{
      sha256: string;
    }>;
    let removed = 0;
    for (const { sha256 } of due) {
      await this.dataSource.transaction(async (tx) => {
        await tx.query(LOCK_SQL, [sha256]);
        const [rows] = (await tx.query(
          `DELETE FROM pdf_object_deletion d WHERE sha256 = $1
           AND NOT EXISTS (SELECT 1 FROM pdf_blob b WHERE b.sha256 = d.sha256 AND b.location = 's3') RETURNING sha256`,
          [sha256],
        )) as [unknown[], number];
        if (rows.length === 0) {
          await tx.query(`DELETE FROM pdf_object_deletion WHERE sha256 = $1`, [sha256]);
          return;
        }
        await objects.delete(sha256);
        removed += 1;
      });
    }
    return { 'erased PDF objects': removed };
  }

  /**
   * Moves every PDF's bytes to PostgreSQL or to the bucket, one file per transaction under its lock: the bytes
   * are checked against their hash before, and read back and checked again at the destination before the row
   * says where they are. Resumable (each file's row is its progress) and idempotent; a file that fails its
   * check stays where it is and is reported.
   */
  async moveAll(to: 'postgres' | 's3', progress: (done: number) => void = () => undefined): Promise<MoveReport> {
    const objects = this.objects;
    if (!objects) throw new Error('moving PDFs needs object storage configured (STORAGE_URL or S3_BUCKET)');
    const from = to === 's3' ? 'postgres' : 's3';
    const report: MoveReport = { moved: 0, failed: [], remaining: 0 };
    let after = '';
    for (;;) {
      const batch = (await this.dataSource.query(
        `SELECT sha256 FROM pdf_blob WHERE location = $1 AND sha256 > $2 ORDER BY sha256 LIMIT 100`,
        [from, after],
      )) as Array<{ sha256: string }>;
      if (batch.length === 0) break;
      for (const { sha256 } of batch) {
        after = sha256;
        try {
          const moved = await this.dataSource.transaction(async (tx) => {
            await tx.query(LOCK_SQL, [sha256]);
            const [row] = (await tx.query(`SELECT content FROM pdf_blob WHERE sha256 = $1 AND location = $2 FOR UPDATE`, [
              sha256,
              from,
            ])) as Array<{
              content: Buffer | null;
            }>;
            if (!row) return false; // erased or moved meanwhile
            if (to === 's3') {
              await objects.put(sha256, verifiedPdf(sha256, row.content!, 'PostgreSQL'));
              if (!(await objects.get(sha256))) throw new Error('not in the bucket after upload');
              await tx.query(`UPDATE pdf_blob SET location = 's3', content = NULL WHERE sha256 = $1`, [sha256]);
              await tx.query(`DELETE FROM pdf_object_deletion WHERE sha256 = $1`, [sha256]);
            } else {
              const bytes = await objects.get(sha256);
              if (!bytes) throw new Error('not in the bucket');
              await tx.query(`UPDATE pdf_blob SET location = 'postgres', content = $2 WHERE sha256 = $1`, [sha256, bytes]);
              const [back] = (await tx.query(`SELECT content FROM pdf_blob WHERE sha256 = $1`, [sha256])) as Array<{ content: Buffer }>;
              verifiedPdf(sha256, back.content, 'PostgreSQL');
              await tx.query(`INSERT INTO pdf_object_deletion (sha256) VALUES ($1) ON CONFLICT DO NOTHING`, [sha256]);
            }
            return true;
          });
          if (moved) progress(++report.moved);
        } catch (error) {
          report.failed.push({ sha256, problem: (error as Error).message });
        }
      }
    }
    if (to === 'postgres') await this.sweep();
    const [{ count }] = (await this.dataSource.query(`SELECT count(*)::int AS count FROM pdf_blob WHERE location = $1`, [from])) as Array<{
      count: number;
    }>;
    report.remaining = count;
    return report;
  }
}

export interface MoveReport {
  moved: number;
  /** Files that stayed where they were: their bytes do not match their hash, or the store refused. */
  failed: Array<{ sha256: string; problem: string }>;
  /** Files still at the source afterwards (the failed ones, or saved there meanwhile by a process configured otherwise). */
  remaining: number;
}
