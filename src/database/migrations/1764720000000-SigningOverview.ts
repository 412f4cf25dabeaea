import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the office's overview of signing shows for each signer: when a link was last sent, when it was
 * reminded, when they declined, and when staff switched an e-mail signer to signing in person (and who);
 * when a request closed (cancelled, expired, declined).
 */
export class SigningOverview1764720000000 implements MigrationInterface {
  name = 'SigningOverview1764720000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE signer
      ADD COLUMN sent_at timestamptz,
      ADD COLUMN reminded_at timestamptz,
      ADD COLUMN declined_at timestamptz,
      ADD COLUMN switched_to_in_person_at timestamptz,
      ADD COLUMN switched_by uuid`);
    // Links sent before: their last sending is unknown; the request's creation is the best estimate.
    await q.query(`UPDATE signer s SET sent_at = r.created_at FROM signing_request r
      WHERE r.id = s.request_id AND s.method = 'email' AND (s.token_hash IS NOT NULL OR s.status <> 'pending')`);
    await q.query(`ALTER TABLE signing_request ADD COLUMN closed_at timestamptz`);
    await q.query(
      `UPDATE signing_request SET closed_at = coalesce(completed_at, expires_at) WHERE status IN ('declined', 'expired', 'cancelled')`,
    );
    await q.query(`CREATE INDEX signing_request_office_idx ON signing_request (office_id, status, expires_at)`);
    // A request's signers (the link page asks whether those above an ordered signer have signed).
    await q.query(`CREATE INDEX signer_request_idx ON signer (request_id, position)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX signer_request_idx`);
    await q.query(`DROP INDEX signing_request_office_idx`);
    await q.query(`ALTER TABLE signing_request DROP COLUMN closed_at`);
    await q.query(`ALTER TABLE signer DROP COLUMN sent_at, DROP COLUMN reminded_at, DROP COLUMN declined_at,
      DROP COLUMN switched_to_in_person_at, DROP COLUMN switched_by`);
  }
}
