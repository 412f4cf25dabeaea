import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The indexes a network of hundreds of offices needs: each requirement finds its latest document in use by
 * (office, form, subject, newest first), and an original's mailing and receipt without its other events; the active roster of an office in registration order; the offices of a
 * network by name (the matrix's order); and the audit log's "who" filter (part of an e-mail) through trigrams.
 */
export class SecretariatAtScale1765400000000 implements MigrationInterface {
  name = 'SecretariatAtScale1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX document_latest_idx ON document (office_id, form_id, subject_id, created_at DESC)
      WHERE status NOT IN ('withdrawn', 'revoked', 'erased')`);
    await q.query(
      `CREATE INDEX custody_event_journey_idx ON custody_event (exemplar_id, occurred_at) WHERE type IN ('mailed', 'received')`,
    );
    await q.query(`CREATE INDEX staff_member_roster_idx ON staff_member (office_id, created_at) WHERE active`);
    await q.query(`CREATE INDEX office_network_name_idx ON office (network_id, name)`);
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await q.query(`CREATE INDEX audit_event_email_trgm_idx ON audit_event USING gin (user_email gin_trgm_ops)`);
    await q.query(`CREATE INDEX audit_event_action_idx ON audit_event (action, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX audit_event_action_idx`);
    await q.query(`DROP INDEX audit_event_email_trgm_idx`);
    await q.query(`DROP INDEX office_network_name_idx`);
    await q.query(`DROP INDEX staff_member_roster_idx`);
    await q.query(`DROP INDEX custody_event_journey_idx`);
    await q.query(`DROP INDEX document_latest_idx`);
  }
}
