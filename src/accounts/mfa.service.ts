import { randomInt } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/errors/domain-error';
import { sha256Hex } from '../common/hash';
import { RequestOrigin } from '../common/request-origin';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { AccountsRepository } from './accounts.repository';
import { MfaStatus } from './accounts.types';
import { CurrentUser } from '../common/auth/current-user';
import { FactorNotices } from './factor-notices';
import { SessionsService } from './sessions.service';
import { matchTotp, newTotpSecret, otpauthUrl } from './totp';
import { UsersRepository } from './users.repository';
import { Transactions } from '../common/database/transactions';

export const RECOVERY_CODE_COUNT = 10;
/** No 0/o, 1/i/l: a code copied from paper by hand must not be ambiguous. */
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
/** How long a TOTP set-up waits for its first code. */
const SETUP_SECONDS = 15 * 60;
export const TOTP_ISSUER = '連携様式サービス';

/** Which second factor proved the log-in. */
export type SecondFactor = 'totp' | 'recovery_code' | 'passkey';

function invalidCode(message: string): DomainError {
  return new DomainError('INVALID_REQUEST', message, { errors: [{ path: 'code', label: '確認コード', message }] });
}

/** "abcde-fghjk": how a recovery code is shown; typed back with or without the hyphen, in any case. */
export function normaliseRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * Second factors: an authenticator app (TOTP), passkeys (passkeys.service), and ten one-time recovery
 * codes for when both are lost. Secrets never leave this service except the TOTP secret once, at set-up.
 */
@Injectable()
export class MfaService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: AccountsRepository,
    private readonly users: UsersRepository,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    private readonly notices: FactorNotices,
    private readonly transactions: Transactions,
  ) {}

  async status(userId: string): Promise<MfaStatus> {
    const [user, totp, passkeys, recoveryCodesLeft] = await Promise.all([
      this.users.findById(userId),
      this.repository.hasTotp(userId),
      this.repository.passkeysOf(userId),
      this.repository.recoveryCodesLeft(userId),
    ]);
    return {
      required: this.config.mfaRequired,
      enabled: user?.mfaEnabled ?? false,
      totp,
      passkeys: passkeys.map((p) => ({ id: p.id, name: p.name, createdAt: p.createdAt, lastUsedAt: p.lastUsedAt })),
      recoveryCodesLeft,
    };
  }

  /** A new secret for the user's app, waiting SETUP_SECONDS for its first code; the current app (if any) stays until then. */
  async setupTotp(user: CurrentUser): Promise<{ secret: string; otpauthUrl: string }> {
    const secret = newTotpSecret();
    await this.repository.putEnrolment(user.id, 'totp', secret, SETUP_SECONDS);
    return { secret, otpauthUrl: otpauthUrl(secret, user.email, TOTP_ISSUER) };
  }

  /** The secret being set up, to show again (the page reloaded), or null. */
  async pendingTotp(user: CurrentUser): Promise<{ secret: string; otpauthUrl: string } | null> {
    const secret = await this.repository.enrolment(user.id, 'totp');
    return secret ? { secret, otpauthUrl: otpauthUrl(secret, user.email, TOTP_ISSUER) } : null;
  }

  /** The app's first code proves it holds the secret: from now on log-in asks for a code. New recovery codes. */
  async confirmTotp(user: CurrentUser, code: string, origin: RequestOrigin): Promise<{ recoveryCodes: string[] }> {
    const secret = await this.repository.enrolment(user.id, 'totp');
    if (!secret) throw invalidCode('設定の有効期限が切れました。はじめからやり直してください');
    const step = matchTotp(secret, code.replace(/\s/g, ''));
    if (step === null) throw invalidCode('確認コードが正しくありません。アプリに表示されている6桁の数字を入力してください');
    const [recoveryCodes, mail] = await this.transactions.run(async (tx) => {
      const replaced = await this.repository.hasTotp(user.id, tx);
      await this.repository.putTotp(tx, user.id, secret, step);
      await this.users.update(tx, user.id, { mfaEnabled: true });
      await this.audit.record({ action: 'mfa_totp_enrolled', actor: user, origin, target: { type: 'user', id: user.id } }, tx);
      const codes = await this.replaceRecoveryCodes(tx, user.id);
      return [codes, await this.notices.changed(tx, user, replaced ? 'totp_replaced' : 'totp_enrolled')] as const;
    });
    await this.repository.takeEnrolment(user.id, 'totp');
    await this.notices.send([mail]);
    return { recoveryCodes };
  }

  async removeTotp(user: CurrentUser, origin: RequestOrigin): Promise<void> {
    const mail = await this.transactions.run(async (tx) => {
      if (!(await this.repository.deleteTotp(tx, user.id))) throw new DomainError('NOT_FOUND', '認証アプリは設定されていません');
      await this.afterFactorRemoved(tx, user);
      await this.audit.record({ action: 'mfa_totp_removed', actor: user, origin, target: { type: 'user', id: user.id } }, tx);
      return this.notices.changed(tx, user, 'totp_removed');
    });
    await this.notices.send([mail]);
  }

  /** A new set of ten codes; the old ones stop working. */
  async newRecoveryCodes(user: CurrentUser, origin: RequestOrigin): Promise<string[]> {
    const [codes, mail] = await this.transactions.run(async (tx) => {
      const owner = await this.users.findById(user.id, tx);
      if (!owner?.mfaEnabled) throw new DomainError('INVALID_STATE', '回復コードは、認証アプリかパスキーを設定してから発行できます');
      await this.audit.record({ action: 'mfa_recovery_codes_issued', actor: user, origin, target: { type: 'user', id: user.id } }, tx);
      return [await this.replaceRecoveryCodes(tx, user.id), await this.notices.changed(tx, user, 'recovery_codes_issued')] as const;
    });
    await this.notices.send([mail]);
    return codes;
  }

  /** Issues recovery codes in the caller's transaction when the user has none left (a first factor). */
  async recoveryCodesIfNone(tx: EntityManager, userId: string): Promise<string[] | null> {
    const left = await this.repository.recoveryCodesLeft(userId, tx);
    return left > 0 ? null : this.replaceRecoveryCodes(tx, userId);
  }

  /**
   * Checks a code at log-in: six digits are the app's (each step once: a code seen over someone's shoulder
   * is already spent), anything else a recovery code (each once). The factor that matched, or null.
   */
  async checkCode(userId: string, code: string): Promise<SecondFactor | null> {
    const typed = code.replace(/\s/g, '');
    if (/^\d{6}$/.test(typed)) {
      const totp = await this.repository.totpOf(userId);
      const step = totp ? matchTotp(totp.secret, typed) : null;
      return step !== null && step > totp!.lastStep && (await this.repository.useTotpStep(userId, step)) ? 'totp' : null;
    }
    const normalised = normaliseRecoveryCode(typed);
    if (normalised.length !== 10) return null;
    return (await this.repository.useRecoveryCode(userId, sha256Hex(normalised))) ? 'recovery_code' : null;
  }

  /**
   * The admin's reset of a lost factor: the app, every passkey and the recovery codes go, every session of
   * the user ends; their next log-in is by password, then (MFA_REQUIRED) enrolment again. Audit-logged.
   */
  async reset(admin: CurrentUser, userId: string, origin: RequestOrigin): Promise<void> {
    await this.transactions.run(async (tx) => {
      const target = isUUID(userId) ? await this.users.findById(userId, tx) : null;
      if (!target) throw new DomainError('NOT_FOUND', '利用者が見つかりません');
      const totp = await this.repository.deleteTotp(tx, userId);
      const passkeys = await this.repository.deletePasskeys(tx, userId);
      await this.repository.deleteRecoveryCodes(tx, userId);
      await this.users.update(tx, userId, { mfaEnabled: false });
      const sessions = await this.sessions.endAllOf(userId, tx);
      await this.audit.record(
        {
          action: 'mfa_reset',
          actor: admin,
          origin,
          target: { type: 'user', id: userId },
          detail: { email: target.email, totp, passkeys, endedSessions: sessions },
        },
        tx,
      );
    });
  }

  /** After a factor is removed by its owner: MFA_REQUIRED keeps the last one; none left turns MFA off. */
  async afterFactorRemoved(tx: EntityManager, user: CurrentUser): Promise<void> {
    if ((await this.repository.factorCount(tx, user.id)) > 0) return;
    if (this.config.mfaRequired)
      throw new DomainError('INVALID_STATE', '2段階認証は必須のため、最後の認証方法は削除できません。先に別の方法を追加してください');
    await this.users.update(tx, user.id, { mfaEnabled: false });
    await this.repository.deleteRecoveryCodes(tx, user.id);
  }

  private async replaceRecoveryCodes(tx: EntityManager, userId: string): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () =>
      Array.from({ length: 10 }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]).join(''),
    );
    await this.repository.replaceRecoveryCodes(tx, userId, codes.map(sha256Hex));
    return codes.map((c) => `${c.slice(0, 5)}-${c.slice(5)}`);
  }
}
