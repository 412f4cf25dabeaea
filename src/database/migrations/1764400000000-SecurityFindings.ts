import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Findings of the attack run (issue 13).
 * - A render belongs to the user who asked for it: only they read its status and PDF. Renders made before
 *   this have no owner and are shown to nobody (nothing but their creator's page ever linked to them).
 * - Each seal records the sha256 of the certificate that made it, so /verify can tell this service's seal
 *   (whose content was then changed) from any other signature. Seals made before this are recognised by
 *   their sealed file alone.
 */
export class SecurityFindings1764400000000 implements MigrationInterface {
  name = 'SecurityFindings1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE render_request ADD COLUMN created_by uuid REFERENCES app_user(id)`);
    await q.query(`ALTER TABLE signing_request ADD COLUMN seal_certificate_sha256 char(64)`);
    await q.query(`CREATE INDEX signing_request_seal_certificate ON signing_request (seal_certificate_sha256)
      WHERE seal_certificate_sha256 IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX signing_request_seal_certificate`);
    await q.query(`ALTER TABLE signing_request DROP COLUMN seal_certificate_sha256`);
    await q.query(`ALTER TABLE render_request DROP COLUMN created_by`);
  }
}
