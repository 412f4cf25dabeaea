import { MigrationInterface, QueryRunner } from 'typeorm';

export class AccountsDocumentsCustody1763800000000 implements MigrationInterface {
  name = 'AccountsDocumentsCustody1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE app_user (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      email text NOT NULL,
      name text NOT NULL,
      password_hash text NOT NULL,
      role text NOT NULL CHECK (role IN ('office_manager', 'office_staff', 'secretariat', 'admin')),
      office_id uuid REFERENCES office(id),
      network_id text REFERENCES network(id),
      failed_logins int NOT NULL DEFAULT 0,
      locked_until timestamptz,
      last_login_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((role IN ('office_manager', 'office_staff')) = (office_id IS NOT NULL)),
      CHECK ((role = 'secretariat') = (network_id IS NOT NULL))
    )`);
    await q.query(`CREATE UNIQUE INDEX app_user_email_idx ON app_user (lower(email))`);
    await q.query(`CREATE TABLE user_session (
      id char(64) PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_seen_at timestamptz NOT NULL DEFAULT now(),
      ip text,
      user_agent text
    )`);
    await q.query(`CREATE INDEX user_session_user_idx ON user_session (user_id)`);

    await q.query(`CREATE TABLE staff_member (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      office_id uuid NOT NULL REFERENCES office(id),
      name text NOT NULL,
      name_kana text,
      job_title text,
      email text,
      is_manager boolean NOT NULL DEFAULT false,
      active boolean NOT NULL DEFAULT true,
      user_id uuid REFERENCES app_user(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      left_at timestamptz
    )`);
    await q.query(`CREATE INDEX staff_member_office_idx ON staff_member (office_id)`);
    await q.query(`CREATE TABLE patient (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      office_id uuid NOT NULL REFERENCES office(id),
      name text NOT NULL,
      name_kana text,
      birth_date date,
      address text,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX patient_office_idx ON patient (office_id)`);
    await q.query(`CREATE TABLE family_contact (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      patient_id uuid NOT NULL REFERENCES patient(id) ON DELETE CASCADE,
      name text NOT NULL,
      relation text NOT NULL,
      email text,
      phone text,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);

    await q.query(`CREATE SEQUENCE document_number_seq`);
    await q.query(`CREATE TABLE document (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      number text NOT NULL UNIQUE,
      network_id text NOT NULL REFERENCES network(id),
      form_id text NOT NULL,
      office_id uuid NOT NULL REFERENCES office(id),
      subject_type text NOT NULL CHECK (subject_type IN ('office', 'staff', 'patient')),
      subject_id uuid,
      status text NOT NULL CHECK (status IN ('draft', 'issued', 'signed', 'declined', 'expired', 'withdrawn')),
      corrects_document_id uuid REFERENCES document(id),
      created_by uuid REFERENCES app_user(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      issued_at timestamptz,
      signed_at timestamptz
    )`);
    await q.query(`CREATE INDEX document_office_idx ON document (office_id, form_id)`);
    await q.query(`CREATE INDEX document_network_idx ON document (network_id, form_id)`);
    await q.query(`CREATE TABLE document_version (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      document_id uuid NOT NULL REFERENCES document(id),
      version int NOT NULL,
      data jsonb NOT NULL,
      previous_version_id uuid REFERENCES document_version(id),
      created_by uuid REFERENCES app_user(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (document_id, version)
    )`);

    await q.query(`CREATE TABLE exemplar (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      document_id uuid NOT NULL REFERENCES document(id),
      version_id uuid NOT NULL REFERENCES document_version(id),
      network_id text NOT NULL REFERENCES network(id),
      office_id uuid NOT NULL REFERENCES office(id),
      form_id text NOT NULL,
      code text NOT NULL UNIQUE,
      kind text NOT NULL CHECK (kind IN ('original', 'copy')),
      holder text NOT NULL CHECK (holder IN ('secretariat', 'office', 'patient', 'staff')),
      state text NOT NULL,
      pdf_sha256 char(64) REFERENCES pdf_blob(sha256),
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX exemplar_document_idx ON exemplar (document_id)`);
    await q.query(`CREATE INDEX exemplar_network_idx ON exemplar (network_id, holder, kind)`);
    await q.query(`CREATE TABLE custody_event (
      id bigserial PRIMARY KEY,
      exemplar_id uuid NOT NULL REFERENCES exemplar(id),
      seq int NOT NULL,
      type text NOT NULL,
      actor_id uuid REFERENCES app_user(id),
      actor_name text NOT NULL,
      occurred_at timestamptz NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      note text,
      prev_hash char(64) NOT NULL,
      hash char(64) NOT NULL,
      UNIQUE (exemplar_id, seq)
    )`);

    await q.query(`CREATE TABLE audit_event (
      id bigserial PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT now(),
      action text NOT NULL,
      user_id uuid,
      user_email text,
      target_type text,
      target_id text,
      ip text,
      user_agent text,
      detail jsonb
    )`);
    await q.query(`CREATE INDEX audit_event_at_idx ON audit_event (at DESC)`);

    // Append-only: the ledger and the audit log refuse UPDATE and DELETE.
    await q.query(`CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$`);
    await q.query(`CREATE TRIGGER custody_event_append_only BEFORE UPDATE OR DELETE ON custody_event
      FOR EACH ROW EXECUTE FUNCTION refuse_change()`);
    await q.query(`CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
      FOR EACH ROW EXECUTE FUNCTION refuse_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'audit_event',
      'custody_event',
      'exemplar',
      'document_version',
      'document',
      'family_contact',
      'patient',
      'staff_member',
      'user_session',
      'app_user',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
    await q.query(`DROP SEQUENCE document_number_seq`);
    await q.query(`DROP FUNCTION refuse_change()`);
  }
}
