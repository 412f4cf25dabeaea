import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { PasskeyEntity, RecoveryCodeEntity, TotpEntity } from './mfa.entities';
import { SessionEntity } from './session.entity';

/**
 * Log-in sessions and second factors: their rows, read and written only here. The raw SQL is for the updates
 * that must be atomic (a code used once, however many try at once).
 */
@Injectable()
export class AccountsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Records a TOTP step as used, only if it is later than the last one used: true for exactly one caller. */
  async useTotpStep(userId: string, step: number): Promise<boolean> {
    // UPDATE and DELETE answer [rows, count] through TypeORM.
    const [rows] = await this.dataSource.query(
      `UPDATE user_totp SET last_step = $2 WHERE user_id = $1 AND last_step < $2 RETURNING user_id`,
      [userId, step],
    );
    return rows.length > 0;
  }

  /** Marks an unused recovery code used: true for exactly one caller. */
  async useRecoveryCode(userId: string, codeHash: string): Promise<boolean> {
    const [rows] = await this.dataSource.query(
      `UPDATE user_recovery_code SET used_at = now() WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING id`,
      [userId, codeHash],
    );
    return rows.length > 0;
  }

  /** Replaces a user's recovery codes with new ones (hashes), in the caller's transaction. */
  async replaceRecoveryCodes(manager: EntityManager, userId: string, codeHashes: string[]): Promise<void> {
    await manager.query(`DELETE FROM user_recovery_code WHERE user_id = $1`, [userId]);
    await manager.query(`INSERT INTO user_recovery_code (user_id, code_hash) SELECT $1, unnest($2::text[])`, [userId, codeHashes]);
  }

  /** Sessions of a user, except one (the caller's own, when given); returns how many ended. */
  async endSessions(userId: string, except: string | null, manager: EntityManager = this.dataSource.manager): Promise<number> {
    const [rows] = await manager.query(`DELETE FROM user_session WHERE user_id = $1 AND ($2::text IS NULL OR id <> $2) RETURNING id`, [
      userId,
      except,
    ]);
    return rows.length;
  }

  /** Keeps what a factor being set up waits with (the app's secret, a passkey's challenge), replacing an earlier one. */
  async putEnrolment(userId: string, kind: EnrolmentKind, value: string, seconds: number): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO mfa_enrolment (user_id, kind, value, expires_at) VALUES ($1, $2, $3, now() + $4 * interval '1 second')
       ON CONFLICT (user_id, kind) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at`,
      [userId, kind, value, seconds],
    );
  }

  async enrolment(userId: string, kind: EnrolmentKind): Promise<string | null> {
    const rows = await this.dataSource.query(`SELECT value FROM mfa_enrolment WHERE user_id = $1 AND kind = $2 AND expires_at > now()`, [
      userId,
      kind,
    ]);
    return rows[0]?.value ?? null;
  }

  /** Takes it once (a challenge answers one registration): null if none, or past its time. */
  async takeEnrolment(userId: string, kind: EnrolmentKind): Promise<string | null> {
    const [rows] = await this.dataSource.query(
      `DELETE FROM mfa_enrolment WHERE user_id = $1 AND kind = $2 RETURNING value, expires_at > now() AS live`,
      [userId, kind],
    );
    return rows[0]?.live ? rows[0].value : null;
  }

  insertSession(manager: EntityManager, row: Pick<SessionEntity, 'id' | 'userId' | 'lastSeenAt' | 'ip' | 'userAgent'>): Promise<unknown> {
    return manager.insert(SessionEntity, row);
  }

  findSession(id: string): Promise<SessionEntity | null> {
    return this.dataSource.getRepository(SessionEntity).findOneBy({ id });
  }

  async touchSession(id: string, lastSeenAt: Date): Promise<void> {
    await this.dataSource.getRepository(SessionEntity).update(id, { lastSeenAt });
  }

  /** Ends one session; with a user, only if it is theirs. Whether one ended. */
  async deleteSession(id: string, userId?: string): Promise<boolean> {
    const result = await this.dataSource.getRepository(SessionEntity).delete(userId ? { id, userId } : { id });
    return Boolean(result.affected);
  }

  /** Newest first. */
  sessionsOf(userId: string): Promise<SessionEntity[]> {
    return this.dataSource.getRepository(SessionEntity).find({ where: { userId }, order: { createdAt: 'DESC' } });
  }

  totpOf(userId: string): Promise<TotpEntity | null> {
    return this.dataSource.getRepository(TotpEntity).findOneBy({ userId });
  }

  hasTotp(userId: string, manager: EntityManager = this.dataSource.manager): Promise<boolean> {
    return manager.existsBy(TotpEntity, { userId });
  }

  async putTotp(manager: EntityManager, userId: string, secret: string, lastStep: number): Promise<void> {
    await manager.upsert(TotpEntity, { userId, secret, lastStep }, ['userId']);
  }

  /** Whether there was one to remove. */
  async deleteTotp(manager: EntityManager, userId: string): Promise<boolean> {
    return Boolean((await manager.delete(TotpEntity, { userId })).affected);
  }

  /** Oldest first, as the account page lists them. */
  passkeysOf(userId: string, manager: EntityManager = this.dataSource.manager): Promise<PasskeyEntity[]> {
    return manager.find(PasskeyEntity, { where: { userId }, order: { createdAt: 'ASC' } });
  }

  hasPasskey(userId: string): Promise<boolean> {
    return this.dataSource.getRepository(PasskeyEntity).existsBy({ userId });
  }

  passkeyOf(
    userId: string,
    where: { id: string } | { credentialId: string },
    manager: EntityManager = this.dataSource.manager,
  ): Promise<PasskeyEntity | null> {
    return manager.findOneBy(PasskeyEntity, { ...where, userId });
  }

  /** Whether any user registered this credential already. */
  credentialTaken(manager: EntityManager, credentialId: string): Promise<boolean> {
    return manager.existsBy(PasskeyEntity, { credentialId });
  }

  insertPasskey(manager: EntityManager, row: Omit<PasskeyEntity, 'id' | 'createdAt'>): Promise<PasskeyEntity> {
    return manager.save(manager.create(PasskeyEntity, row));
  }

  async passkeyUsed(id: string, counter: number): Promise<void> {
    await this.dataSource.getRepository(PasskeyEntity).update(id, { counter, lastUsedAt: new Date() });
  }

  /** One passkey, or (no id) all of the user's; how many went. */
  async deletePasskeys(manager: EntityManager, userId: string, id?: string): Promise<number> {
    return (await manager.delete(PasskeyEntity, id ? { id, userId } : { userId })).affected ?? 0;
  }

  /** How many second factors (apps and passkeys) the user still has. */
  async factorCount(manager: EntityManager, userId: string): Promise<number> {
    return (await manager.countBy(TotpEntity, { userId })) + (await manager.countBy(PasskeyEntity, { userId }));
  }

  recoveryCodesLeft(userId: string, manager: EntityManager = this.dataSource.manager): Promise<number> {
    return manager.countBy(RecoveryCodeEntity, { userId, usedAt: IsNull() });
  }

  async deleteRecoveryCodes(manager: EntityManager, userId: string): Promise<void> {
    await manager.delete(RecoveryCodeEntity, { userId });
  }
}

export type EnrolmentKind = 'totp' | 'passkey';
