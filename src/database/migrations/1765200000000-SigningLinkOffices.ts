import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every signing link ever sent, by its hash, with the office that sent it: a link that no longer opens (signed,
 * re-sent, cancelled) still tells the family member whom to call. Nothing about the person or the document.
 */
export class SigningLinkOffices1765200000000 implements MigrationInterface {
  name = 'SigningLinkOffices1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE signing_link_office (
      token_hash char(64) PRIMARY KEY,
      office_id uuid NOT NULL REFERENCES office(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE signing_link_office`);
  }
}
