import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** A wait in milliseconds (0: go ahead) from the first row of a query answering `wait`. */
function waitOf(rows: Array<{ wait: string | number | null }>): number {
  const wait = rows[0]?.wait;
  // No row: a concurrent first failure committed after this statement's snapshot; wait a moment.
  return wait === null || wait === undefined ? 1000 : Number(wait);
}

/**
 * The log-in's state in PostgreSQL (so that log-in works while Redis is down): failure counts, the pending
 * second-factor tokens and the device cookies. Each change is one atomic statement, so concurrent attempts
 * on any process are counted once each.
 */
@Injectable()
export class LoginStateRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Takes an attempt unless the scope has to wait: after `free` failures each must wait twice as long as the
   * last (1 s, 2 s, 4 s … up to `maxDelayMs`); a count is forgotten `forgetMs` after its last failure.
   * The attempt is counted at once. 0, or the milliseconds still to wait (the refused attempt not counted).
   */
  async takeWithGrowingDelay(scope: string, free: number, maxDelayMs: number, forgetMs: number): Promise<number> {
    const rows = await this.dataSource.query(
      `WITH taken AS (
         INSERT INTO login_failure AS f (scope, count, first_at, last_at) VALUES ($1, 1, now(), now())
         ON CONFLICT (scope) DO UPDATE SET
           count = CASE WHEN f.last_at <= now() - $4 * interval '1 millisecond' THEN 1 ELSE f.count + 1 END,
           first_at = CASE WHEN f.last_at <= now() - $4 * interval '1 millisecond' THEN now() ELSE f.first_at END,
           last_at = now()
         WHERE f.last_at <= now() - $4 * interval '1 millisecond'
           OR f.count < $2
           OR f.last_at + LEAST(1000 * power(2, f.count - $2), $3) * interval '1 millisecond' <= now()
         RETURNING 1
       )
       SELECT CASE WHEN EXISTS (SELECT 1 FROM taken) THEN 0 ELSE (
         SELECT GREATEST(1, ceil(1000 * extract(epoch FROM
           f.last_at + LEAST(1000 * power(2, f.count - $2), $3) * interval '1 millisecond' - now())))
         FROM login_failure f WHERE f.scope = $1
       ) END AS wait`,
      [scope, free, maxDelayMs, forgetMs],
    );
    return waitOf(rows);
  }

  /**
   * Takes an attempt unless `limit` have been counted in the window that began with the first of them
   * (`windowMs`); the attempt is counted at once. 0, or the milliseconds until the window ends.
   */
  async takeInWindow(scope: string, limit: number, windowMs: number): Promise<number> {
    const rows = await this.dataSource.query(
      `WITH taken AS (
         INSERT INTO login_failure AS f (scope, count, first_at, last_at) VALUES ($1, 1, now(), now())
         ON CONFLICT (scope) DO UPDATE SET
           count = CASE WHEN f.first_at <= now() - $3 * interval '1 millisecond' THEN 1 ELSE f.count + 1 END,
           first_at = CASE WHEN f.first_at <= now() - $3 * interval '1 millisecond' THEN now() ELSE f.first_at END,
           last_at = now()
         WHERE f.first_at <= now() - $3 * interval '1 millisecond' OR f.count < $2
         RETURNING 1
       )
       SELECT CASE WHEN EXISTS (SELECT 1 FROM taken) THEN 0 ELSE (
         SELECT GREATEST(1, ceil(1000 * extract(epoch FROM f.first_at + $3 * interval '1 millisecond' - now())))
         FROM login_failure f WHERE f.scope = $1
       ) END AS wait`,
      [scope, limit, windowMs],
    );
    return waitOf(rows);
  }

  /** Whether the scope's window is full (without taking an attempt). */
  async windowFull(scope: string, limit: number, windowMs: number): Promise<boolean> {
    const rows = await this.dataSource.query(
      `SELECT 1 FROM login_failure WHERE scope = $1 AND count >= $2 AND first_at > now() - $3 * interval '1 millisecond'`,
      [scope, limit, windowMs],
    );
    return rows.length > 0;
  }

  /** Gives back an attempt taken in advance that turned out not to be a failure. */
  async giveBack(scope: string): Promise<void> {
    await this.dataSource.query(`UPDATE login_failure SET count = GREATEST(count - 1, 0) WHERE scope = $1`, [scope]);
  }

  async clear(scope: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM login_failure WHERE scope = $1`, [scope]);
  }

  /** Housekeeping: counts whose last failure is older than `forgetMs`, tokens past their time, devices unused for `deviceDays`. */
  async forgetOld(forgetMs: number, deviceDays: number): Promise<void> {
    await this.dataSource.query(`DELETE FROM login_failure WHERE last_at < now() - $1 * interval '1 millisecond'`, [forgetMs]);
    await this.dataSource.query(`DELETE FROM mfa_token WHERE expires_at < now()`);
    await this.dataSource.query(`DELETE FROM login_device WHERE last_used_at < now() - $1 * interval '1 day'`, [deviceDays]);
  }

  async insertMfaToken(tokenHash: string, userId: string, seconds: number): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO mfa_token (token_hash, user_id, expires_at) VALUES ($1, $2, now() + $3 * interval '1 second')`,
      [tokenHash, userId, seconds],
    );
  }

  async mfaTokenUser(tokenHash: string): Promise<string | null> {
    const rows = await this.dataSource.query(`SELECT user_id FROM mfa_token WHERE token_hash = $1 AND expires_at > now()`, [tokenHash]);
    return rows[0]?.user_id ?? null;
  }

  async setMfaChallenge(tokenHash: string, challenge: string): Promise<boolean> {
    const [rows] = await this.dataSource.query(
      `UPDATE mfa_token SET challenge = $2 WHERE token_hash = $1 AND expires_at > now() RETURNING user_id`,
      [tokenHash, challenge],
    );
    return rows.length > 0;
  }

  /** Takes one of the token's tries: its user, this try's number and its challenge; null when none is left. */
  async reserveMfaTry(tokenHash: string, maxTries: number): Promise<{ userId: string; tries: number; challenge: string | null } | null> {
    const [rows] = await this.dataSource.query(
      `UPDATE mfa_token SET tries = tries + 1 WHERE token_hash = $1 AND expires_at > now() AND tries < $2
       RETURNING user_id, tries, challenge`,
      [tokenHash, maxTries],
    );
    const row = rows[0];
    return row ? { userId: row.user_id, tries: Number(row.tries), challenge: row.challenge } : null;
  }

  /** Ends the token: true for the one caller that ended it. */
  async deleteMfaToken(tokenHash: string): Promise<boolean> {
    const [rows] = await this.dataSource.query(`DELETE FROM mfa_token WHERE token_hash = $1 RETURNING user_id`, [tokenHash]);
    return rows.length > 0;
  }

  async insertDevice(tokenHash: string, userId: string): Promise<void> {
    await this.dataSource.query(`INSERT INTO login_device (token_hash, user_id) VALUES ($1, $2)`, [tokenHash, userId]);
  }

  /** The first of these device tokens that is the user's and was used within `days`, or null. */
  async deviceOf(userId: string, tokenHashes: string[], days: number): Promise<string | null> {
    if (tokenHashes.length === 0) return null;
    const rows = await this.dataSource.query(
      `SELECT token_hash FROM login_device
       WHERE user_id = $1 AND token_hash = ANY($2::text[]) AND last_used_at > now() - $3 * interval '1 day' LIMIT 1`,
      [userId, tokenHashes, days],
    );
    return rows[0]?.token_hash ?? null;
  }

  async touchDevice(tokenHash: string): Promise<void> {
    await this.dataSource.query(`UPDATE login_device SET last_used_at = now() WHERE token_hash = $1`, [tokenHash]);
  }
}
