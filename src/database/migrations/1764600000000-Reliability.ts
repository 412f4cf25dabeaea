import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * PostgreSQL says what work is due, so the sweeper can re-queue whatever Redis lost: a batch's last progress
 * (stuck batches), an exemplar's print request and its failure, a signer's next reminder; and the indexes
 * the sweeper's reads use.
 */
export class Reliability1764600000000 implements MigrationInterface {
  name = 'Reliability1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE batch ADD COLUMN progress_at timestamptz NOT NULL DEFAULT now()`);
    await q.query(`UPDATE batch SET progress_at = coalesce(finished_at, created_at)`);
    await q.query(`CREATE INDEX batch_due_idx ON batch (progress_at) WHERE status IN ('queued', 'running')`);

    await q.query(`ALTER TABLE exemplar ADD COLUMN print_requested_at timestamptz, ADD COLUMN print_error text`);
    await q.query(`CREATE INDEX exemplar_print_due_idx ON exemplar (print_requested_at)
      WHERE print_requested_at IS NOT NULL AND pdf_sha256 IS NULL AND print_error IS NULL`);

    await q.query(`ALTER TABLE signer ADD COLUMN remind_at timestamptz`);
    // Requests made before: their reminder was a delayed job in Redis, now it is here (REMINDER_DAYS' default).
    await q.query(`UPDATE signer s SET remind_at = r.created_at + interval '3 days'
      FROM signing_request r
      WHERE r.id = s.request_id AND r.status = 'open' AND s.status = 'pending' AND s.method = 'email' AND s.token_hash IS NOT NULL`);
    await q.query(`CREATE INDEX signer_remind_idx ON signer (remind_at) WHERE remind_at IS NOT NULL AND status = 'pending'`);

    await q.query(`CREATE INDEX signing_request_expiry_idx ON signing_request (expires_at) WHERE status = 'open'`);
    await q.query(`CREATE INDEX signing_request_unsealed_idx ON signing_request (completed_at)
      WHERE status = 'completed' AND sealed_sha256 IS NULL`);
    await q.query(`CREATE INDEX render_request_queued_idx ON render_request (created_at) WHERE status = 'queued'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX render_request_queued_idx`);
    await q.query(`DROP INDEX signing_request_unsealed_idx`);
    await q.query(`DROP INDEX signing_request_expiry_idx`);
    await q.query(`DROP INDEX signer_remind_idx`);
    await q.query(`ALTER TABLE signer DROP COLUMN remind_at`);
    await q.query(`DROP INDEX exemplar_print_due_idx`);
    await q.query(`ALTER TABLE exemplar DROP COLUMN print_requested_at, DROP COLUMN print_error`);
    await q.query(`DROP INDEX batch_due_idx`);
    await q.query(`ALTER TABLE batch DROP COLUMN progress_at`);
  }
}
