import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

/**
 * Every signing link sent, by its hash, with the office that sent it: a link that no longer opens (signed,
 * re-sent, cancelled) still tells the family member whom to call. Nothing about the person or the document.
 */
@Injectable()
export class LinkOfficesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** In the transaction that sends the link. */
  async remember(manager: EntityManager, tokenHash: string, officeId: string): Promise<void> {
    await manager.query(`INSERT INTO signing_link_office (token_hash, office_id) VALUES ($1, $2) ON CONFLICT (token_hash) DO NOTHING`, [
      tokenHash,
      officeId,
    ]);
  }

  /** The office that sent a signing link, whatever became of it since (null: never sent). */
  async officeOf(tokenHash: string): Promise<string | null> {
    const rows: Array<{ office_id: string }> = await this.dataSource.query(
      `SELECT office_id FROM signing_link_office WHERE token_hash = $1`,
      [tokenHash],
    );
    return rows[0]?.office_id ?? null;
  }
}
