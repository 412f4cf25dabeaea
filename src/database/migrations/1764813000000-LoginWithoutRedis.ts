import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Log-in no longer depends on Redis: failure counts (per account and address, per account, per device, per
 * second factor) and the pending second-factor tokens live in PostgreSQL; and the device cookies that let an
 * account's owner log in while strangers are slowed down (the OWASP pattern).
 */
export class LoginWithoutRedis1764813000000 implements MigrationInterface {
  name = 'LoginWithoutRedis1764813000000';

  async up(q: QueryRunner): Promise<void> {
    // scope: what is counted, e.g. "pw:<sha256 of the e-mail>:<address>", never an e-mail in clear.
    await q.query(`CREATE TABLE login_failure (
      scope text PRIMARY KEY,
      count int NOT NULL,
      first_at timestamptz NOT NULL,
      last_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX login_failure_last_idx ON login_failure (last_at)`);
    await q.query(`CREATE TABLE mfa_token (
      token_hash char(64) PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      tries int NOT NULL DEFAULT 0,
      challenge text,
      expires_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX mfa_token_expires_idx ON mfa_token (expires_at)`);
    await q.query(`CREATE TABLE login_device (
      token_hash char(64) PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX login_device_user_idx ON login_device (user_id)`);
    // A factor being set up: the app's secret until its first code, a passkey's registration challenge.
    await q.query(`CREATE TABLE mfa_enrolment (
      user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('totp', 'passkey')),
      value text NOT NULL,
      expires_at timestamptz NOT NULL,
      PRIMARY KEY (user_id, kind)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE mfa_enrolment`);
    await q.query(`DROP TABLE login_device`);
    await q.query(`DROP TABLE mfa_token`);
    await q.query(`DROP TABLE login_failure`);
  }
}
