import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A PDF's bytes may live in an S3-compatible bucket instead of the row: the row stays (every document, batch
 * and seal refers to it by sha256) and says where the bytes are. Objects whose row erasure deleted wait in
 * pdf_object_deletion until the sweeper has removed them from the bucket.
 */
export class PdfObjectStorage1765500000000 implements MigrationInterface {
  name = 'PdfObjectStorage1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE pdf_blob ADD COLUMN location text NOT NULL DEFAULT 'postgres' CHECK (location IN ('postgres', 's3'))`);
    await q.query(`ALTER TABLE pdf_blob ALTER COLUMN content DROP NOT NULL`);
    await q.query(`ALTER TABLE pdf_blob DROP CONSTRAINT pdf_blob_check`);
    await q.query(`ALTER TABLE pdf_blob ADD CONSTRAINT pdf_blob_content_check CHECK (
      CASE location WHEN 'postgres' THEN content IS NOT NULL AND byte_size = octet_length(content) ELSE content IS NULL END
    )`);
    await q.query(`CREATE TABLE pdf_object_deletion (
      sha256 char(64) PRIMARY KEY,
      requested_at timestamptz NOT NULL DEFAULT now()
    )`);
  }

  /** Only once every PDF is back in PostgreSQL (npm run storage:move -- --to postgres): NOT NULL refuses otherwise. */
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE pdf_object_deletion`);
    await q.query(`ALTER TABLE pdf_blob DROP CONSTRAINT pdf_blob_content_check`);
    await q.query(`ALTER TABLE pdf_blob ALTER COLUMN content SET NOT NULL`);
    await q.query(`ALTER TABLE pdf_blob ADD CONSTRAINT pdf_blob_check CHECK (byte_size = octet_length(content))`);
    await q.query(`ALTER TABLE pdf_blob DROP COLUMN location`);
  }
}
