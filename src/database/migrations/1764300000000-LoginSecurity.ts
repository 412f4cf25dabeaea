import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Two factors (TOTP, passkeys, recovery codes), accounts an admin can stop, and no more lock-out by
 * failures: failures are counted per account and address in Redis and slow down, they never lock.
 */
export class LoginSecurity1764300000000 implements MigrationInterface {
  name = 'LoginSecurity1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE app_user
      ADD COLUMN mfa_enabled boolean NOT NULL DEFAULT false,
      ADD COLUMN disabled_at timestamptz,
      ADD COLUMN password_changed_at timestamptz,
      DROP COLUMN failed_logins,
      DROP COLUMN locked_until`);
    await q.query(`CREATE TABLE user_totp (
      user_id uuid PRIMARY KEY REFERENCES app_user(id) ON DELETE CASCADE,
      secret text NOT NULL,
      last_step bigint NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE user_passkey (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      credential_id text NOT NULL UNIQUE,
      public_key bytea NOT NULL,
      counter bigint NOT NULL DEFAULT 0,
      transports text[] NOT NULL DEFAULT '{}',
      name text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz
    )`);
    await q.query(`CREATE INDEX user_passkey_user_idx ON user_passkey (user_id)`);
    await q.query(`CREATE TABLE user_recovery_code (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
      code_hash char(64) NOT NULL,
      used_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (user_id, code_hash)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE user_recovery_code`);
    await q.query(`DROP TABLE user_passkey`);
    await q.query(`DROP TABLE user_totp`);
    await q.query(`ALTER TABLE app_user
      DROP COLUMN mfa_enabled,
      DROP COLUMN disabled_at,
      DROP COLUMN password_changed_at,
      ADD COLUMN failed_logins int NOT NULL DEFAULT 0,
      ADD COLUMN locked_until timestamptz`);
  }
}
