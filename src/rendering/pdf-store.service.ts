import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Transactions } from '../common/database/transactions';
import { DomainError } from '../common/errors/domain-error';
import { sha256Hex } from '../common/hash';
import { SweepReport } from '../common/job-delivery';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { PdfBlobRepository, PdfLocation } from './pdf-blob.repository';
import { PdfObjectStore, verifiedPdf } from './pdf-object-store';

/**
 * Content-addressed PDF storage: the same bytes are stored once, under their sha256. The pdf_blob row always
 * exists (documents, seals and batches refer to it); the bytes are in the row, or — when object storage is
 * configured — in the bucket under `pdf/<sha256>`, uploaded before the row that names them is written.
 * Every read checks the bytes against their name.
 */
@Injectable()
export class PdfStoreService implements OnApplicationShutdown {
  private readonly objects: PdfObjectStore | null;

  constructor(
    private readonly blobs: PdfBlobRepository,
    private readonly transactions: Transactions,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.objects = config.objectStorage ? new PdfObjectStore(config.objectStorage) : null;
  }

  /** Like Chromium (FormPdfService), closed only after the queues' workers have finished the jobs they hold. */
  onApplicationShutdown(): void {
    this.objects?.close();
  }

  /** Stores a PDF in the caller's transaction (or its own): in the bucket before the row that names it. */
  async save(pdf: Buffer, pageCount: number, manager?: EntityManager): Promise<string> {
    if (!manager?.queryRunner?.isTransactionActive) return this.transactions.run((tx) => this.save(pdf, pageCount, tx));
    const sha256 = sha256Hex(pdf);
    const file = { sha256, pageCount, byteSize: pdf.length };
    if (!this.objects) {
      await this.blobs.insert(manager, { ...file, content: pdf });
      return sha256;
    }
    await this.blobs.lock(manager, sha256);
    await this.objects.put(sha256, pdf);
    await this.blobs.insert(manager, { ...file, content: null });
    await this.blobs.unqueueObjectDeletion(manager, sha256);
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
    const row = await this.blobs.find(sha256);
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
      const location = await this.blobs.deleteIfUnused(manager, sha256, `pdf_delete_${i}`);
      if (location === 's3') await this.blobs.queueObjectDeletion(manager, sha256);
      if (location) deleted += 1;
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
    let removed = 0;
    for (const sha256 of await this.blobs.objectDeletionsDue(500)) {
      await this.transactions.run(async (tx) => {
        await this.blobs.lock(tx, sha256);
        if (!(await this.blobs.claimObjectDeletion(tx, sha256))) {
          await this.blobs.unqueueObjectDeletion(tx, sha256);
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
  async moveAll(to: PdfLocation, progress: (done: number) => void = () => undefined): Promise<MoveReport> {
    const objects = this.objects;
    if (!objects) throw new Error('moving PDFs needs object storage configured (STORAGE_URL or S3_BUCKET)');
    const from = to === 's3' ? 'postgres' : 's3';
    const report: MoveReport = { moved: 0, failed: [], remaining: 0 };
    let after = '';
    for (;;) {
      const batch = await this.blobs.namesAt(from, after, 100);
      if (batch.length === 0) break;
      for (const sha256 of batch) {
        after = sha256;
        try {
          const moved = await this.transactions.run(async (tx) => {
            await this.blobs.lock(tx, sha256);
            const row = await this.blobs.lockedAt(tx, sha256, from);
            if (!row) return false; // erased or moved meanwhile
            if (to === 's3') {
              await objects.put(sha256, verifiedPdf(sha256, row.content!, 'PostgreSQL'));
              if (!(await objects.get(sha256))) throw new Error('not in the bucket after upload');
              await this.blobs.moveTo(tx, sha256, 's3', null);
              await this.blobs.unqueueObjectDeletion(tx, sha256);
            } else {
              const bytes = await objects.get(sha256);
              if (!bytes) throw new Error('not in the bucket');
              await this.blobs.moveTo(tx, sha256, 'postgres', bytes);
              verifiedPdf(sha256, (await this.blobs.find(sha256, tx))!.content!, 'PostgreSQL');
              await this.blobs.queueObjectDeletion(tx, sha256);
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
    report.remaining = await this.blobs.countAt(from);
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
