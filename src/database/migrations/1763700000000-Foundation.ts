import { MigrationInterface, QueryRunner } from 'typeorm';

export class Foundation1763700000000 implements MigrationInterface {
  name = 'Foundation1763700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE network (
      id text PRIMARY KEY,
      name text NOT NULL,
      operator text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE office (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      network_id text NOT NULL REFERENCES network(id),
      name text NOT NULL,
      postal_code text,
      address text,
      phone text,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX office_network_idx ON office (network_id)`);
    await q.query(`CREATE TABLE pdf_blob (
      sha256 char(64) PRIMARY KEY,
      content bytea NOT NULL,
      byte_size int NOT NULL CHECK (byte_size = octet_length(content)),
      page_count int NOT NULL CHECK (page_count > 0),
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE render_request (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      network_id text NOT NULL REFERENCES network(id),
      form_id text NOT NULL,
      data jsonb NOT NULL,
      status text NOT NULL CHECK (status IN ('queued', 'done', 'failed')),
      error text,
      pdf_sha256 char(64) REFERENCES pdf_blob(sha256),
      created_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz,
      CHECK ((status = 'done') = (pdf_sha256 IS NOT NULL))
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE render_request`);
    await q.query(`DROP TABLE pdf_blob`);
    await q.query(`DROP TABLE office`);
    await q.query(`DROP TABLE network`);
  }
}
