import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every sealed file the service made (a signed form, a 撤回受付票) and each renewal of it: its hash (what
 * /verify looks up, so a copy handed out before a renewal still verifies), its document, the signing request
 * it sealed, until when its newest document timestamp keeps it verifiable, and the file that renewed it.
 * No reference to pdf_blob: erasure deletes the bytes; the hashes name no one.
 */
export class ArchiveTimestamps1764790000000 implements MigrationInterface {
  name = 'ArchiveTimestamps1764790000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE sealed_file (
      sha256 char(64) PRIMARY KEY,
      document_id uuid NOT NULL REFERENCES document(id),
      request_id uuid REFERENCES signing_request(id),
      verifiable_until timestamptz,
      renewed_to char(64),
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX sealed_file_due_idx ON sealed_file (verifiable_until) WHERE renewed_to IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sealed_file`);
  }
}
