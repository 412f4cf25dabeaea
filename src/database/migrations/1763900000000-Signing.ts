import { MigrationInterface, QueryRunner } from 'typeorm';

export class Signing1763900000000 implements MigrationInterface {
  name = 'Signing1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE signing_request (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      document_id uuid NOT NULL REFERENCES document(id),
      office_id uuid NOT NULL REFERENCES office(id),
      status text NOT NULL CHECK (status IN ('open', 'completed', 'declined', 'expired', 'cancelled')),
      ordered boolean NOT NULL DEFAULT false,
      expires_at timestamptz NOT NULL,
      created_by uuid REFERENCES app_user(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      completed_at timestamptz,
      pre_seal_sha256 char(64),
      sealed_sha256 char(64) REFERENCES pdf_blob(sha256),
      sealed_at timestamptz
    )`);
    // At most one open request per document.
    await q.query(`CREATE UNIQUE INDEX signing_request_open_idx ON signing_request (document_id) WHERE status = 'open'`);
    await q.query(`CREATE INDEX signing_request_sealed_idx ON signing_request (sealed_sha256)`);
    await q.query(`CREATE TABLE signer (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      request_id uuid NOT NULL REFERENCES signing_request(id),
      role text NOT NULL,
      role_label text NOT NULL,
      position int NOT NULL,
      name text NOT NULL,
      email text,
      relation text,
      method text NOT NULL CHECK (method IN ('email', 'in_person')),
      status text NOT NULL CHECK (status IN ('pending', 'signed', 'declined')),
      token_hash char(64) UNIQUE,
      token_expires_at timestamptz,
      access_code_hash text,
      access_failures int NOT NULL DEFAULT 0,
      access_session_hash char(64),
      signature_kind text CHECK (signature_kind IN ('drawn', 'typed')),
      signature_image text,
      typed_name text,
      proxy_reason text,
      decline_reason text,
      viewed_at timestamptz,
      signed_at timestamptz,
      ip text,
      user_agent text,
      witness_user_id uuid REFERENCES app_user(id),
      UNIQUE (request_id, role)
    )`);
    await q.query(`CREATE TABLE mail_outbox (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      kind text NOT NULL,
      recipient text NOT NULL,
      subject text NOT NULL,
      body text NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
      attempts int NOT NULL DEFAULT 0,
      last_error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      sent_at timestamptz
    )`);
    await q.query(`CREATE INDEX mail_outbox_pending_idx ON mail_outbox (created_at) WHERE status = 'pending'`);
    await q.query(`CREATE TABLE download_link (
      token_hash char(64) PRIMARY KEY,
      exemplar_id uuid NOT NULL REFERENCES exemplar(id),
      recipient text NOT NULL,
      expires_at timestamptz NOT NULL,
      downloads int NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['download_link', 'mail_outbox', 'signer', 'signing_request']) await q.query(`DROP TABLE ${table}`);
  }
}
