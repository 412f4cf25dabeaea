import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * API keys (an office's or a 事務局's, acting with the manager's or the 事務局's rights; only the sha256 of the
 * key is kept) and signed webhooks: endpoints, and their deliveries as an outbox written in the transaction of
 * the change, with each attempt recorded.
 */
export class Integrations1765100000000 implements MigrationInterface {
  name = 'Integrations1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE api_key (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL,
      key_hash char(64) NOT NULL UNIQUE,
      prefix text NOT NULL,
      role text NOT NULL CHECK (role IN ('office_manager', 'secretariat')),
      office_id uuid REFERENCES office(id),
      network_id text NOT NULL REFERENCES network(id),
      created_by uuid NOT NULL REFERENCES app_user(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz,
      revoked_at timestamptz,
      CHECK ((role = 'office_manager') = (office_id IS NOT NULL))
    )`);
    await q.query(`CREATE INDEX api_key_owner_idx ON api_key (network_id, office_id)`);
    await q.query(`CREATE TABLE webhook_endpoint (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      office_id uuid REFERENCES office(id),
      network_id text NOT NULL REFERENCES network(id),
      url text NOT NULL,
      description text,
      events text[] NOT NULL,
      secret text NOT NULL,
      created_by uuid REFERENCES app_user(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      failing_since timestamptz,
      disabled_at timestamptz,
      deleted_at timestamptz
    )`);
    await q.query(`CREATE INDEX webhook_endpoint_owner_idx ON webhook_endpoint (network_id, office_id) WHERE deleted_at IS NULL`);
    await q.query(`CREATE TABLE webhook_delivery (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      endpoint_id uuid NOT NULL REFERENCES webhook_endpoint(id) ON DELETE CASCADE,
      message_id text NOT NULL,
      event_type text NOT NULL,
      payload text NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled')),
      attempts int NOT NULL DEFAULT 0,
      next_attempt_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      delivered_at timestamptz
    )`);
    await q.query(`CREATE INDEX webhook_delivery_due_idx ON webhook_delivery (next_attempt_at) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX webhook_delivery_endpoint_idx ON webhook_delivery (endpoint_id, created_at DESC)`);
    await q.query(`CREATE TABLE webhook_attempt (
      id bigserial PRIMARY KEY,
      delivery_id uuid NOT NULL REFERENCES webhook_delivery(id) ON DELETE CASCADE,
      at timestamptz NOT NULL DEFAULT now(),
      status_code int,
      error text,
      duration_ms int NOT NULL,
      next_attempt_at timestamptz
    )`);
    await q.query(`CREATE INDEX webhook_attempt_delivery_idx ON webhook_attempt (delivery_id, id)`);
    // A rights request's passing its due date is an event once: this says it was announced.
    await q.query(`ALTER TABLE rights_request ADD COLUMN overdue_announced_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE rights_request DROP COLUMN overdue_announced_at`);
    for (const table of ['webhook_attempt', 'webhook_delivery', 'webhook_endpoint', 'api_key']) await q.query(`DROP TABLE ${table}`);
  }
}
