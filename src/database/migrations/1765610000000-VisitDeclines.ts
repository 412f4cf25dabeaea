import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A signer may decline on a visit's tablet too: each row the device sent says whether it was a signature or a
 * decline (rows before this were all signatures).
 */
export class VisitDeclines1765610000000 implements MigrationInterface {
  name = 'VisitDeclines1765610000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE visit_signature ADD COLUMN kind text NOT NULL DEFAULT 'signature' CHECK (kind IN ('signature', 'decline'))`);
    await q.query(`ALTER TABLE visit_signature ALTER COLUMN kind DROP DEFAULT`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE visit_signature DROP COLUMN kind`);
  }
}
