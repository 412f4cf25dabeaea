import { MigrationInterface, QueryRunner } from 'typeorm';

export class Batches1764000000000 implements MigrationInterface {
  name = 'Batches1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE batch (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      office_id uuid NOT NULL REFERENCES office(id),
      network_id text NOT NULL REFERENCES network(id),
      created_by uuid REFERENCES app_user(id),
      kind text NOT NULL CHECK (kind IN ('new', 'update')),
      mode text NOT NULL CHECK (mode IN ('print', 'esign')),
      duplex boolean NOT NULL DEFAULT false,
      filename text NOT NULL,
      encoding text NOT NULL,
      status text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
      phase text NOT NULL DEFAULT 'queued',
      progress_done int NOT NULL DEFAULT 0,
      progress_total int NOT NULL DEFAULT 0,
      notices jsonb NOT NULL DEFAULT '[]',
      problems jsonb NOT NULL DEFAULT '[]',
      pdf_sha256 char(64) REFERENCES pdf_blob(sha256),
      page_count int,
      error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    )`);
    await q.query(`CREATE TABLE batch_person (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      batch_id uuid NOT NULL REFERENCES batch(id),
      position int NOT NULL,
      row int NOT NULL,
      action text NOT NULL CHECK (action IN ('新規', '変更', '削除')),
      name text,
      name_kana text,
      job_title text,
      email text,
      gender text,
      start_date date,
      manager boolean NOT NULL DEFAULT false,
      status text NOT NULL CHECK (status IN ('pending', 'done', 'rejected')),
      problems jsonb NOT NULL DEFAULT '[]',
      staff_member_id uuid REFERENCES staff_member(id),
      document_ids uuid[] NOT NULL DEFAULT '{}',
      UNIQUE (batch_id, position)
    )`);
    await q.query(`CREATE TABLE batch_chunk (
      batch_id uuid NOT NULL REFERENCES batch(id),
      index int NOT NULL,
      pdf_sha256 char(64) NOT NULL REFERENCES pdf_blob(sha256),
      page_count int NOT NULL,
      PRIMARY KEY (batch_id, index)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['batch_chunk', 'batch_person', 'batch']) await q.query(`DROP TABLE ${table}`);
  }
}
