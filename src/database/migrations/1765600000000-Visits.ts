import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Home visits: documents a staff member takes on a visit, signed offline on the office's tablet and synced
 * later. A visit lives VISIT_HOURS; each signature the device sends is recorded, accepted or refused with its
 * reason, so that the office sees what became of it. The signer row says when and on which visit it was signed.
 */
export class Visits1765600000000 implements MigrationInterface {
  name = 'Visits1765600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE visit (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      office_id uuid NOT NULL REFERENCES office(id),
      user_id uuid NOT NULL REFERENCES app_user(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX visit_user_idx ON visit (user_id, expires_at DESC)`);
    await q.query(`CREATE INDEX visit_office_idx ON visit (office_id, created_at DESC)`);
    await q.query(`CREATE TABLE visit_document (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      visit_id uuid NOT NULL REFERENCES visit(id) ON DELETE CASCADE,
      document_id uuid NOT NULL REFERENCES document(id),
      version_id uuid NOT NULL,
      request_id uuid NOT NULL REFERENCES signing_request(id),
      taken_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (visit_id, document_id)
    )`);
    await q.query(`CREATE INDEX visit_document_document_idx ON visit_document (document_id)`);
    await q.query(`CREATE TABLE visit_signature (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      visit_id uuid NOT NULL REFERENCES visit(id) ON DELETE CASCADE,
      visit_document_id uuid NOT NULL REFERENCES visit_document(id) ON DELETE CASCADE,
      signer_id uuid NOT NULL,
      signed_on_device_at timestamptz NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now(),
      status text NOT NULL CHECK (status IN ('accepted', 'refused')),
      refusal_code text,
      refusal_message text
    )`);
    await q.query(`CREATE INDEX visit_signature_visit_idx ON visit_signature (visit_id, received_at)`);
    await q.query(`ALTER TABLE signer ADD COLUMN signed_offline_at timestamptz`);
    await q.query(`ALTER TABLE signer ADD COLUMN visit_id uuid`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE signer DROP COLUMN visit_id`);
    await q.query(`ALTER TABLE signer DROP COLUMN signed_offline_at`);
    await q.query(`DROP TABLE visit_signature`);
    await q.query(`DROP TABLE visit_document`);
    await q.query(`DROP TABLE visit`);
  }
}
