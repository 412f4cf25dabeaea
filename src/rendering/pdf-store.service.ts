import { sha256Hex } from '../common/hash';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { PdfBlobEntity } from './pdf-blob.entity';

/** Content-addressed PDF storage: the same bytes are stored once, under their sha256. */
@Injectable()
export class PdfStoreService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async save(pdf: Buffer, pageCount: number, manager: EntityManager = this.dataSource.manager): Promise<string> {
    const sha256 = sha256Hex(pdf);
    await manager
      .createQueryBuilder()
      .insert()
      .into(PdfBlobEntity)
      .values({ sha256, content: pdf, byteSize: pdf.length, pageCount })
      .orIgnore()
      .execute();
    return sha256;
  }

  async content(sha256: string): Promise<Buffer | null> {
    const row = await this.dataSource
      .getRepository(PdfBlobEntity)
      .createQueryBuilder('blob')
      .addSelect('blob.content')
      .where('blob.sha256 = :sha256', { sha256 })
      .getOne();
    return row?.content ?? null;
  }

  /**
   * Deletes these PDFs inside the caller's transaction, each unless something still refers to it (the same
   * bytes printed for another record): the database's own references decide, one savepoint per file.
   */
  async deleteUnused(manager: EntityManager, sha256s: string[]): Promise<number> {
    let deleted = 0;
    for (const [i, sha256] of [...new Set(sha256s)].entries()) {
      await manager.query(`SAVEPOINT pdf_delete_${i}`);
      try {
        deleted += (await manager.delete(PdfBlobEntity, { sha256 })).affected ?? 0;
        await manager.query(`RELEASE SAVEPOINT pdf_delete_${i}`);
      } catch (error) {
        await manager.query(`ROLLBACK TO SAVEPOINT pdf_delete_${i}`);
        if ((error as { code?: string }).code !== '23503') throw error; // foreign_key_violation: still in use
      }
    }
    return deleted;
  }
}
