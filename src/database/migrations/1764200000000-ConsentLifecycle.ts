import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Consent lifecycle and patients' rights: a consent can be revoked (撤回) and any document erased (消去);
 * a 撤回受付票 is an exemplar of its own sheet; rights requests, legal holds, what is past retention and
 * every erasure are recorded; mail knows which document it is about, so that it can be held back or forgotten.
 */
export class ConsentLifecycle1764200000000 implements MigrationInterface {
  name = 'ConsentLifecycle1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE document DROP CONSTRAINT document_status_check`);
    await q.query(`ALTER TABLE document ADD CONSTRAINT document_status_check
      CHECK (status IN ('draft', 'issued', 'signed', 'declined', 'expired', 'withdrawn', 'revoked', 'erased'))`);
    // The day it stopped being in use (withdrawn, revoked): where a retention of "end_of_use" starts.
    await q.query(`ALTER TABLE document ADD COLUMN ended_on date, ADD COLUMN erased_at timestamptz`);
    await q.query(`CREATE INDEX document_subject_idx ON document (subject_type, subject_id)`);
    await q.query(`CREATE INDEX document_corrects_idx ON document (corrects_document_id) WHERE corrects_document_id IS NOT NULL`);
    // A version that never had an exemplar (a draft's earlier data) is printed on demand for a disclosure.
    await q.query(`ALTER TABLE document_version ADD COLUMN pdf_sha256 char(64) REFERENCES pdf_blob(sha256)`);

    await q.query(`ALTER TABLE exemplar ADD COLUMN sheet text NOT NULL DEFAULT 'form'
      CHECK (sheet IN ('form', 'withdrawal-receipt'))`);
    await q.query(`ALTER TABLE patient ADD COLUMN suspended_at timestamptz, ADD COLUMN erased_at timestamptz`);

    await q.query(`ALTER TABLE mail_outbox ADD COLUMN document_id uuid`);
    await q.query(`CREATE INDEX mail_outbox_document_idx ON mail_outbox (document_id) WHERE document_id IS NOT NULL`);
    await q.query(`ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_status_check`);
    await q.query(`ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_status_check
      CHECK (status IN ('pending', 'sent', 'failed', 'cancelled'))`);

    // The link in a signed consent's copy e-mail by which the family may withdraw it.
    await q.query(`CREATE TABLE withdrawal_link (
      token_hash char(64) PRIMARY KEY,
      document_id uuid NOT NULL REFERENCES document(id),
      recipient text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX withdrawal_link_document_idx ON withdrawal_link (document_id)`);

    await q.query(`CREATE TABLE consent_withdrawal (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      document_id uuid NOT NULL UNIQUE REFERENCES document(id),
      office_id uuid NOT NULL REFERENCES office(id),
      patient_id uuid,
      received_via text NOT NULL CHECK (received_via IN ('paper', 'phone', 'in_person', 'link')),
      received_on date NOT NULL,
      note text,
      recorded_by uuid REFERENCES app_user(id),
      recorded_by_name text NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      receipt_sealed_at timestamptz
    )`);
    await q.query(`CREATE INDEX consent_withdrawal_patient_idx ON consent_withdrawal (patient_id)`);

    await q.query(`CREATE TABLE rights_request (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      office_id uuid NOT NULL REFERENCES office(id),
      patient_id uuid NOT NULL REFERENCES patient(id),
      kind text NOT NULL CHECK (kind IN ('disclosure', 'correction', 'suspension', 'erasure')),
      received_on date NOT NULL,
      received_via text NOT NULL CHECK (received_via IN ('paper', 'phone', 'in_person', 'email', 'secretariat')),
      detail text,
      due_on date NOT NULL,
      status text NOT NULL CHECK (status IN ('open', 'answered', 'refused')),
      answer_note text,
      answered_by uuid REFERENCES app_user(id),
      answered_by_name text,
      answered_at timestamptz,
      created_by uuid REFERENCES app_user(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((status = 'open') = (answered_at IS NULL))
    )`);
    await q.query(`CREATE INDEX rights_request_office_idx ON rights_request (office_id, status, due_on)`);
    await q.query(`CREATE INDEX rights_request_patient_idx ON rights_request (patient_id)`);
    await q.query(`CREATE TABLE rights_correction (
      request_id uuid NOT NULL REFERENCES rights_request(id),
      document_id uuid NOT NULL REFERENCES document(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (request_id, document_id)
    )`);

    await q.query(`CREATE TABLE legal_hold (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      office_id uuid NOT NULL REFERENCES office(id),
      patient_id uuid NOT NULL REFERENCES patient(id),
      reason text,
      placed_by uuid REFERENCES app_user(id),
      placed_at timestamptz NOT NULL DEFAULT now(),
      released_by uuid REFERENCES app_user(id),
      released_at timestamptz
    )`);
    await q.query(`CREATE UNIQUE INDEX legal_hold_active_idx ON legal_hold (patient_id) WHERE released_at IS NULL`);

    // What the daily retention job found past its retention, for the office to confirm its disposal.
    await q.query(`CREATE TABLE retention_due (
      document_id uuid PRIMARY KEY REFERENCES document(id),
      office_id uuid NOT NULL REFERENCES office(id),
      due_on date NOT NULL,
      listed_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX retention_due_office_idx ON retention_due (office_id)`);

    // Each confirmed erasure: what, why and who confirmed it (never whose data it was).
    await q.query(`CREATE TABLE erasure (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      office_id uuid NOT NULL REFERENCES office(id),
      reason text NOT NULL CHECK (reason IN ('request', 'retention')),
      patient_id uuid,
      rights_request_id uuid REFERENCES rights_request(id),
      document_numbers text[] NOT NULL,
      confirmed_by uuid REFERENCES app_user(id),
      confirmed_by_name text NOT NULL,
      confirmed_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX erasure_office_idx ON erasure (office_id, confirmed_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'erasure',
      'retention_due',
      'legal_hold',
      'rights_correction',
      'rights_request',
      'consent_withdrawal',
      'withdrawal_link',
    ])
      await q.query(`DROP TABLE ${table}`);
    await q.query(`ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_status_check`);
    await q.query(`ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_status_check CHECK (status IN ('pending', 'sent', 'failed'))`);
    await q.query(`ALTER TABLE mail_outbox DROP COLUMN document_id`);
    await q.query(`ALTER TABLE patient DROP COLUMN suspended_at, DROP COLUMN erased_at`);
    await q.query(`ALTER TABLE exemplar DROP COLUMN sheet`);
    await q.query(`ALTER TABLE document_version DROP COLUMN pdf_sha256`);
    await q.query(`DROP INDEX document_corrects_idx`);
    await q.query(`DROP INDEX document_subject_idx`);
    await q.query(`ALTER TABLE document DROP COLUMN ended_on, DROP COLUMN erased_at`);
    await q.query(`ALTER TABLE document DROP CONSTRAINT document_status_check`);
    await q.query(`ALTER TABLE document ADD CONSTRAINT document_status_check
      CHECK (status IN ('draft', 'issued', 'signed', 'declined', 'expired', 'withdrawn'))`);
  }
}
