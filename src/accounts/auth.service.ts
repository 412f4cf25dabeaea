import { Inject, Injectable } from '@nestjs/common';
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/errors/domain-error';
import { RequestOrigin } from '../common/request-origin';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { CurrentUser } from '../common/auth/current-user';
import { LoginDevices } from './login-devices';
import { LoginFailures } from './login-failures';
import { MFA_TOKEN_TRIES, MfaTokens, ReservedTry } from './mfa-tokens';
import { MfaService, SecondFactor } from './mfa.service';
import { PasskeysService } from './passkeys.service';
import { dummyHash, hashPassword, passwordProblem, verifyPassword } from './passwords';
import { sessionId, SessionsService, toCurrentUser } from './sessions.service';
import { RelyingParty } from './site';
import { UserEntity } from './user.entity';
import { UsersRepository } from './users.repository';
import { Transactions } from '../common/database/transactions';

export { toCurrentUser };

/** The one answer to every failed password, whatever the reason (wrong, unknown e-mail, slowed down). */
export const LOGIN_FAILED_MESSAGE =
  'メールアドレスまたはパスワードが正しくありません。続けて間違えた場合は、しばらく待ってからもう一度お試しください';

export type LoginResult =
  /** deviceTokens: the browser's device cookie to set with the session cookie. */
  | { kind: 'session'; token: string; user: CurrentUser; mfaEnrolmentRequired: boolean; deviceTokens: string[] }
  | { kind: 'mfa'; mfaToken: string; passkey: boolean; user: CurrentUser };

type PasswordCheck =
  | { outcome: 'ok'; user: UserEntity }
  | { outcome: 'wrong'; user: UserEntity | null }
  | { outcome: 'waiting'; user: UserEntity | null; waitSeconds: number }
  | { outcome: 'slowed'; user: UserEntity | null; retryAfterSeconds: number };

/** Too many failures at this e-mail address from browsers that are not its owner's known devices. */
function loginSlowed(retryAfterSeconds: number): DomainError {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  return new DomainError(
    'TOO_MANY_REQUESTS',
    `このメールアドレスでのログインに失敗が続いたため、いつもお使いの端末以外からのログインを一時的に止めています。約${minutes}分後にもう一度お試しください`,
    { retryAfterSeconds },
  );
}

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
    private readonly users: UsersRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly failures: LoginFailures,
    private readonly devices: LoginDevices,
    private readonly mfaTokens: MfaTokens,
    private readonly mfa: MfaService,
    private readonly passkeys: PasskeysService,
    private readonly sessions: SessionsService,
    private readonly transactions: Transactions,
  ) {}

  /**
   * A wrong password, an unknown e-mail and an attempt that has to wait get the same answer after the same
   * work (one bcrypt, the counts, one audit row). The right password gives a session, or an mfaToken when
   * the user has a second factor. After ACCOUNT_FAILURES for an account, browsers without its device cookie
   * get 429 (unknown e-mails alike).
   */
  async login(email: string, password: string, origin: RequestOrigin, deviceTokens: string[] = []): Promise<LoginResult> {
    const check = await this.checkPassword(email, password, origin, deviceTokens);
    const user = check.user;
    const actor = user ? { id: user.id, email: user.email } : undefined;
    if (check.outcome === 'slowed') {
      await this.audit.record({ action: 'login_slowed', email, actor, origin, detail: { retryAfterSeconds: check.retryAfterSeconds } });
      throw loginSlowed(check.retryAfterSeconds);
    }
    if (check.outcome === 'waiting') {
      await this.audit.record({ action: 'login_throttled', email, actor, origin, detail: { waitSeconds: check.waitSeconds } });
      throw new DomainError('LOGIN_FAILED', LOGIN_FAILED_MESSAGE);
    }
    if (check.outcome === 'wrong' || !user) {
      await this.audit.record({ action: 'login_failed', email, actor, origin });
      throw new DomainError('LOGIN_FAILED', LOGIN_FAILED_MESSAGE);
    }
    if (user.disabledAt) {
      await this.audit.record({ action: 'login_disabled', actor, origin });
      throw new DomainError('ACCOUNT_DISABLED', 'このアカウントは利用停止中です。システム管理者にお問い合わせください');
    }
    if (user.mfaEnabled) {
      const mfaToken = await this.mfaTokens.issue(user.id);
      await this.audit.record({ action: 'login_password_accepted', actor, origin });
      return { kind: 'mfa', mfaToken, passkey: await this.passkeys.has(user.id), user: toCurrentUser(user) };
    }
    return this.startSession(user, origin, 'password', deviceTokens);
  }

  /**
   * A change to the user's own factors (or recovery codes) asks for the current password in the same
   * request: a stolen session alone cannot take over the second factor. Missing or wrong is counted like a
   * failed log-in (same counts, same slow-down) and answered REAUTH_REQUIRED.
   */
  async reauthenticate(user: CurrentUser, password: string | undefined, origin: RequestOrigin, deviceTokens: string[]): Promise<void> {
    const check = await this.checkPassword(user.email, password ?? '', origin, deviceTokens);
    if (check.outcome === 'ok') return;
    await this.audit.record({ action: 'reauth_failed', actor: user, origin, detail: { outcome: check.outcome } });
    const message =
      check.outcome === 'wrong'
        ? password
          ? 'パスワードが正しくありません。続けて間違えた場合は、しばらく待ってからお試しください'
          : '確認のため、現在のパスワードを入力してください'
        : 'パスワードの確認に失敗が続いたため、しばらく待ってからもう一度お試しください';
    throw new DomainError('REAUTH_REQUIRED', message, { errors: [{ path: 'password', label: '現在のパスワード', message }] });
  }

  /** The second step with a code from the app, or a recovery code. */
  async completeWithCode(
    mfaToken: string,
    code: string,
    origin: RequestOrigin,
    deviceTokens: string[] = [],
  ): Promise<LoginResult & { kind: 'session' }> {
    const reserved = await this.mfaTokens.reserve(mfaToken);
    if (!reserved) throw mfaTokenInvalid();
    const factor = (await this.mayTry(reserved)) ? await this.mfa.checkCode(reserved.userId, code) : null;
    return this.finish(mfaToken, reserved, factor, origin, deviceTokens);
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
    deviceTokens: string[] = [],
  ): Promise<LoginResult & { kind: 'session' }> {
    const reserved = await this.mfaTokens.reserve(mfaToken);
    if (!reserved) throw mfaTokenInvalid();
    const ok =
      reserved.challenge !== null &&
      (await this.mayTry(reserved)) &&
      (await this.passkeys.verify(reserved.userId, response, reserved.challenge, rp));
    return this.finish(mfaToken, reserved, ok ? 'passkey' : null, origin, deviceTokens);
  }

  async logout(token: string, user: CurrentUser, origin: RequestOrigin): Promise<void> {
    await this.sessions.end(token, user, origin);
  }

  /**
   * Every user changes their own password with the current one; every other session of theirs ends (someone
   * who knew the old password is logged out everywhere). Wrong current passwords count like failed log-ins.
   */
  async changePassword(
    user: CurrentUser,
    current: string,
    next: string,
    token: string | null,
    origin: RequestOrigin,
    deviceTokens: string[] = [],
  ): Promise<number> {
    const field = (path: string, label: string, message: string) =>
      new DomainError('INVALID_REQUEST', message, { errors: [{ path, label, message }] });
    const problem = passwordProblem(next);
    if (problem) throw field('newPassword', '新しいパスワード', problem);
    const check = await this.checkPassword(user.email, current, origin, deviceTokens);
    if (check.outcome !== 'ok') {
      await this.audit.record({ action: 'password_change_failed', actor: user, origin });
      throw field(
        'currentPassword',
        '現在のパスワード',
        '現在のパスワードが正しくありません。続けて間違えた場合は、しばらく待ってからお試しください',
      );
    }
    const owner = check.user;
    if (await verifyPassword(next, owner.passwordHash))
      throw field('newPassword', '新しいパスワード', '新しいパスワードは、現在のパスワードと違うものにしてください');
    const hash = await hashPassword(next);
    return this.transactions.run(async (tx) => {
      await this.users.update(tx, user.id, { passwordHash: hash, passwordChangedAt: new Date() });
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
    deviceTokens: string[],
  ): Promise<LoginResult & { kind: 'session' }> {
    const user = await this.users.findById(reserved.userId);
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
    return this.startSession(user, origin, factor, deviceTokens);
  }

  /** The session, and the browser's device cookie now naming this account (set with the session cookie). */
  private async startSession(
    user: UserEntity,
    origin: RequestOrigin,
    method: string,
    deviceTokens: string[],
  ): Promise<LoginResult & { kind: 'session' }> {
    const token = await this.sessions.start(user, origin, method);
    return {
      kind: 'session',
      token,
      user: toCurrentUser(user),
      mfaEnrolmentRequired: this.config.mfaRequired && !user.mfaEnabled,
      deviceTokens: await this.devices.remember(user.id, deviceTokens),
    };
  }

  /**
   * The one check of a password, for log-in and for every change that asks for it again. In order: the
   * account's count — its owner's known device (a valid device cookie) counted on its own, any other browser
   * on the account's, refused with `slowed` once it is full; then the count of this account from this
   * address (a growing delay: `waiting`, after a bcrypt like any other); then the password.
   */
  private async checkPassword(email: string, password: string, origin: RequestOrigin, deviceTokens: string[]): Promise<PasswordCheck> {
    const user = await this.findWithHash(email);
    const device = user ? await this.devices.known(user.id, deviceTokens) : null;
    let accountScope = device ? this.failures.deviceScope(device) : this.failures.accountScope(email);
    let accountWaitMs = await this.failures.attemptAtAccount(accountScope);
    if (accountWaitMs > 0 && device) {
      // A device cookie that keeps failing is no longer its owner's: it waits with strangers.
      accountScope = this.failures.accountScope(email);
      accountWaitMs = await this.failures.attemptAtAccount(accountScope);
    }
    if (accountWaitMs > 0) return { outcome: 'slowed', user, retryAfterSeconds: Math.ceil(accountWaitMs / 1000) };
    const scope = this.failures.passwordScope(email, origin.ip);
    const waitMs = await this.failures.attempt(scope);
    if (waitMs > 0) {
      await this.failures.givenBack(accountScope);
      await verifyPassword(password, dummyHash());
      return { outcome: 'waiting', user, waitSeconds: Math.ceil(waitMs / 1000) };
    }
    const ok = await verifyPassword(password, user?.passwordHash ?? dummyHash());
    if (!user || !ok) return { outcome: 'wrong', user };
    await this.failures.succeeded(scope);
    await this.failures.givenBack(accountScope);
    return { outcome: 'ok', user };
  }

  private findWithHash(email: string): Promise<UserEntity | null> {
    return this.users.findByEmail(email.trim(), { withPasswordHash: true });
  }
}
