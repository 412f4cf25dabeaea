import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The 事務局's desk: applications and invitations (onboarding), registration lines and questions
 * (registrations), training attendance (training), follow-up mails (follow-ups).
 */
export class Desk1764500000000 implements MigrationInterface {
  name = 'Desk1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE application (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      seq int GENERATED ALWAYS AS IDENTITY UNIQUE,
      network_id text NOT NULL REFERENCES network(id),
      status text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
      office_name text NOT NULL,
      name_key text NOT NULL,
      postal_code text,
      address text NOT NULL,
      phone text NOT NULL,
      manager_name text NOT NULL,
      manager_email text NOT NULL,
      data jsonb NOT NULL DEFAULT '{}',
      pledge_method text CHECK (pledge_method IN ('esign', 'paper')),
      reject_reason text,
      office_id uuid REFERENCES office(id),
      reviewed_by uuid REFERENCES app_user(id),
      reviewed_by_name text,
      reviewed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((status = 'approved') = (office_id IS NOT NULL)),
      CHECK ((status = 'rejected') = (reject_reason IS NOT NULL))
    )`);
    // Two pending applications for the same office of a network cannot both be taken.
    await q.query(`CREATE UNIQUE INDEX application_pending_name_idx ON application (network_id, name_key) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX application_network_status_idx ON application (network_id, status)`);

    await q.query(`CREATE TABLE invitation (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      token_hash char(64) NOT NULL UNIQUE,
      user_id uuid NOT NULL REFERENCES app_user(id),
      office_id uuid NOT NULL REFERENCES office(id),
      email text NOT NULL,
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      revoked_at timestamptz,
      created_by uuid REFERENCES app_user(id),
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX invitation_user_idx ON invitation (user_id)`);

    await q.query(`CREATE TABLE registration_line (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      network_id text NOT NULL REFERENCES network(id),
      office_id uuid NOT NULL REFERENCES office(id),
      staff_member_id uuid REFERENCES staff_member(id),
      kind text NOT NULL CHECK (kind IN ('add', 'change', 'delete')),
      name text NOT NULL,
      name_kana text,
      email text,
      job_title text,
      source text NOT NULL CHECK (source IN ('staff', 'roster', 'notice', 'application')),
      document_id uuid REFERENCES document(id),
      status text NOT NULL CHECK (status IN ('open', 'done')),
      mcs_id text,
      note text,
      done_by uuid REFERENCES app_user(id),
      done_by_name text,
      done_at timestamptz,
      -- clock_timestamp(): the people of one roster or application keep their order on the desk.
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      CHECK ((status = 'done') = (done_at IS NOT NULL))
    )`);
    await q.query(`CREATE INDEX registration_line_network_idx ON registration_line (network_id, status, created_at)`);
    await q.query(`CREATE INDEX registration_line_office_idx ON registration_line (office_id, status)`);
    await q.query(`CREATE TABLE registration_question (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      line_id uuid NOT NULL REFERENCES registration_line(id),
      question text NOT NULL,
      asked_by uuid NOT NULL REFERENCES app_user(id),
      asked_by_name text NOT NULL,
      asked_at timestamptz NOT NULL DEFAULT now(),
      answer text,
      answered_by uuid REFERENCES app_user(id),
      answered_by_name text,
      answered_at timestamptz
    )`);
    await q.query(`CREATE INDEX registration_question_line_idx ON registration_question (line_id)`);

    await q.query(`CREATE TABLE training_record (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      office_id uuid NOT NULL REFERENCES office(id),
      staff_member_id uuid NOT NULL REFERENCES staff_member(id),
      kind text NOT NULL,
      attended_on date NOT NULL,
      recorded_by uuid NOT NULL REFERENCES app_user(id),
      recorded_by_name text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX training_record_office_idx ON training_record (office_id)`);

    await q.query(`CREATE TABLE office_follow_up (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      office_id uuid NOT NULL REFERENCES office(id),
      network_id text NOT NULL REFERENCES network(id),
      sent_by uuid NOT NULL REFERENCES app_user(id),
      sent_by_name text NOT NULL,
      sent_at timestamptz NOT NULL DEFAULT now(),
      recipients text[] NOT NULL,
      items jsonb NOT NULL
    )`);
    await q.query(`CREATE INDEX office_follow_up_office_idx ON office_follow_up (office_id, sent_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['office_follow_up', 'training_record', 'registration_question', 'registration_line', 'invitation', 'application'])
      await q.query(`DROP TABLE ${table}`);
  }
}
