import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/errors/domain-error';
import { RequestOrigin } from '../common/request-origin';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { CurrentUser } from './current-user';
import { LoginFailures } from './login-failures';
import { MFA_TOKEN_TRIES, MfaTokens, ReservedTry } from './mfa-tokens';
import { MfaService, SecondFactor } from './mfa.service';
import { PasskeysService } from './passkeys.service';
import { DUMMY_HASH, hashPassword, passwordProblem, verifyPassword } from './passwords';
import { sessionId, SessionsService, toCurrentUser } from './sessions.service';
import { RelyingParty } from './site';
import { UserEntity } from './user.entity';

export { toCurrentUser };

/** The one answer to every failed password, whatever the reason (wrong, unknown e-mail, slowed down). */
export const LOGIN_FAILED_MESSAGE =
  'メールアドレスまたはパスワードが正しくありません。続けて間違えた場合は、しばらく待ってからもう一度お試しください';

export type LoginResult =
  | { kind: 'session'; token: string; user: CurrentUser; mfaEnrolmentRequired: boolean }
  | { kind: 'mfa'; mfaToken: string; passkey: boolean; user: CurrentUser };

function mfaTokenInvalid(message = '確認の有効期限が切れました。もう一度ログインしてください'): DomainError {
  return new DomainError('MFA_TOKEN_INVALID', message);
}

/**
 * Log-in: the password (slowed down per account and address, never locked), then — for a user with a second
 * factor — a code or a passkey against the mfaToken, and only then a session.
 */
@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly failures: LoginFailures,
    private readonly mfaTokens: MfaTokens,
    private readonly mfa: MfaService,
    private readonly passkeys: PasskeysService,
    private readonly sessions: SessionsService,
  ) {}

  /**
   * A wrong password, an unknown e-mail and an attempt that has to wait get the same answer after the same
   * work (one bcrypt, one Redis script, one audit row). The right password gives a session, or an mfaToken
   * when the user has a second factor.
   */
  async login(email: string, password: string, origin: RequestOrigin): Promise<LoginResult> {
    const user = await this.findWithHash(email);
    const scope = this.failures.passwordScope(email, origin.ip);
    const waitMs = await this.failures.attempt(scope);
    const actor = user ? { id: user.id, email: user.email } : undefined;
    if (waitMs > 0) {
      await verifyPassword(password, DUMMY_HASH);
      await this.audit.record({ action: 'login_throttled', email, actor, origin, detail: { waitSeconds: Math.ceil(waitMs / 1000) } });
      throw new DomainError('LOGIN_FAILED', LOGIN_FAILED_MESSAGE);
    }
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok) {
      await this.audit.record({ action: 'login_failed', email, actor, origin });
      throw new DomainError('LOGIN_FAILED', LOGIN_FAILED_MESSAGE);
    }
    await this.failures.succeeded(scope);
    if (user.disabledAt) {
      await this.audit.record({ action: 'login_disabled', actor, origin });
      throw new DomainError('ACCOUNT_DISABLED', 'このアカウントは利用停止中です。システム管理者にお問い合わせください');
    }
    if (user.mfaEnabled) {
      const mfaToken = await this.mfaTokens.issue(user.id);
      await this.audit.record({ action: 'login_password_accepted', actor, origin });
      return { kind: 'mfa', mfaToken, passkey: await this.passkeys.has(user.id), user: toCurrentUser(user) };
    }
    return this.startSession(user, origin, 'password');
  }

  /** The second step with a code from the app, or a recovery code. */
  async completeWithCode(mfaToken: string, code: string, origin: RequestOrigin): Promise<LoginResult & { kind: 'session' }> {
    const reserved = await this.mfaTokens.reserve(mfaToken);
    if (!reserved) throw mfaTokenInvalid();
    const factor = (await this.mayTry(reserved)) ? await this.mfa.checkCode(reserved.userId, code) : null;
    return this.finish(mfaToken, reserved, factor, origin);
  }

  /** The second step's passkey challenge for the user whose password was accepted. */
  async passkeyOptions(mfaToken: string, rp: RelyingParty): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const userId = await this.mfaTokens.userOf(mfaToken);
    if (!userId) throw mfaTokenInvalid();
    const options = await this.passkeys.authenticationOptions(userId, rp);
    if (!(await this.mfaTokens.setChallenge(mfaToken, options.challenge))) throw mfaTokenInvalid();
    return options;
  }

  /** Whether the token's user can answer with a passkey (the second step's page offers it). */
  async tokenOffersPasskey(mfaToken: string): Promise<boolean> {
    const userId = await this.mfaTokens.userOf(mfaToken);
    return userId !== null && (await this.passkeys.has(userId));
  }

  async completeWithPasskey(
    mfaToken: string,
    response: AuthenticationResponseJSON,
    rp: RelyingParty,
    origin: RequestOrigin,
  ): Promise<LoginResult & { kind: 'session' }> {
    const reserved = await this.mfaTokens.reserve(mfaToken);
    if (!reserved) throw mfaTokenInvalid();
    const ok =
      reserved.challenge !== null &&
      (await this.mayTry(reserved)) &&
      (await this.passkeys.verify(reserved.userId, response, reserved.challenge, rp));
    return this.finish(mfaToken, reserved, ok ? 'passkey' : null, origin);
  }

  async logout(token: string, user: CurrentUser, origin: RequestOrigin): Promise<void> {
    await this.sessions.end(token, user, origin);
  }

  /**
   * Every user changes their own password with the current one; every other session of theirs ends (someone
   * who knew the old password is logged out everywhere). Wrong current passwords count like failed log-ins.
   */
  async changePassword(user: CurrentUser, current: string, next: string, token: string | null, origin: RequestOrigin): Promise<number> {
    const field = (path: string, label: string, message: string) =>
      new DomainError('INVALID_REQUEST', message, { errors: [{ path, label, message }] });
    const problem = passwordProblem(next);
    if (problem) throw field('newPassword', '新しいパスワード', problem);
    const owner = (await this.findWithHash(user.email))!;
    const scope = this.failures.passwordScope(user.email, origin.ip);
    const waitMs = await this.failures.attempt(scope);
    const ok = waitMs === 0 && (await verifyPassword(current, owner.passwordHash));
    if (!ok) {
      await this.audit.record({ action: 'password_change_failed', actor: user, origin });
      throw field(
        'currentPassword',
        '現在のパスワード',
        '現在のパスワードが正しくありません。続けて間違えた場合は、しばらく待ってからお試しください',
      );
    }
    await this.failures.succeeded(scope);
    if (await verifyPassword(next, owner.passwordHash))
      throw field('newPassword', '新しいパスワード', '新しいパスワードは、現在のパスワードと違うものにしてください');
    const hash = await hashPassword(next);
    return this.dataSource.transaction(async (tx) => {
      await tx.update(UserEntity, user.id, { passwordHash: hash, passwordChangedAt: new Date() });
      const ended = await this.sessions.endAllOf(user.id, tx, token ? sessionId(token) : null);
      await this.audit.record({ action: 'password_changed', actor: user, origin, detail: { endedSessions: ended } }, tx);
      return ended;
    });
  }

  /** Whether this account's second factor may be tried now (wrong codes slow down every address). */
  private async mayTry(reserved: ReservedTry): Promise<boolean> {
    return (await this.failures.attempt(this.failures.secondFactorScope(reserved.userId))) === 0;
  }

  private async finish(
    mfaToken: string,
    reserved: ReservedTry,
    factor: SecondFactor | null,
    origin: RequestOrigin,
  ): Promise<LoginResult & { kind: 'session' }> {
    const user = await this.dataSource.getRepository(UserEntity).findOneBy({ id: reserved.userId });
    const actor = user ? { id: user.id, email: user.email } : undefined;
    if (!factor || !user) {
      const left = MFA_TOKEN_TRIES - reserved.tries;
      if (left <= 0) await this.mfaTokens.consume(mfaToken);
      await this.audit.record({ action: 'login_mfa_failed', actor, origin, detail: { triesLeft: left } });
      if (left <= 0) throw mfaTokenInvalid(`確認に${MFA_TOKEN_TRIES}回失敗しました。もう一度ログインしてください`);
      throw new DomainError(
        'MFA_CODE_WRONG',
        `確認できませんでした（あと${left}回）。続けて間違えた場合は、しばらく待ってからお試しください`,
        {
          triesLeft: left,
        },
      );
    }
    if (!(await this.mfaTokens.consume(mfaToken))) throw mfaTokenInvalid();
    await this.failures.succeeded(this.failures.secondFactorScope(user.id));
    if (user.disabledAt) throw new DomainError('ACCOUNT_DISABLED', 'このアカウントは利用停止中です。システム管理者にお問い合わせください');
    if (factor === 'recovery_code') await this.audit.record({ action: 'mfa_recovery_code_used', actor, origin });
    return this.startSession(user, origin, factor);
  }

  private async startSession(user: UserEntity, origin: RequestOrigin, method: string): Promise<LoginResult & { kind: 'session' }> {
    const token = await this.sessions.start(user, origin, method);
    return { kind: 'session', token, user: toCurrentUser(user), mfaEnrolmentRequired: this.config.mfaRequired && !user.mfaEnabled };
  }

  private findWithHash(email: string): Promise<UserEntity | null> {
    return this.dataSource
      .getRepository(UserEntity)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('lower(u.email) = lower(:email)', { email: email.trim() })
      .getOne();
  }
}
