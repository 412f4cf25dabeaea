import { sha256Hex } from '../common/hash';
import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { RequestOrigin } from '../common/request-origin';
import { DomainError } from '../common/errors/domain-error';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { CurrentUser } from './current-user';
import { verifyPassword } from './passwords';
import { SessionEntity } from './session.entity';
import { UserEntity } from './user.entity';

export const MAX_FAILED_LOGINS = 5;
export const LOCK_MINUTES = 15;
/** last_seen_at is written at most this often, not on every request. */
const TOUCH_AFTER_MS = 60_000;

function sessionId(token: string): string {
  return sha256Hex(token);
}

export function toCurrentUser(user: UserEntity): CurrentUser {
  return { id: user.id, email: user.email, name: user.name, role: user.role, officeId: user.officeId, networkId: user.networkId };
}

@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  /**
   * Checks the password; after MAX_FAILED_LOGINS failures in a row the account is locked for
   * LOCK_MINUTES. The answer never tells whether an e-mail address has an account.
   */
  async login(email: string, password: string, origin: RequestOrigin): Promise<{ token: string; user: CurrentUser }> {
    const users = this.dataSource.getRepository(UserEntity);
    const user = await users
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('lower(u.email) = lower(:email)', { email })
      .getOne();
    const now = new Date();
    if (user?.lockedUntil && user.lockedUntil > now) {
      await this.audit.record({ action: 'login_locked', email, origin, actor: { id: user.id, email: user.email } });
      throw new DomainError(
        'ACCOUNT_LOCKED',
        `ログインに続けて失敗したため、${LOCK_MINUTES}分間ロックされています。しばらくしてからお試しください`,
      );
    }
    const ok = user ? await verifyPassword(password, user.passwordHash) : await verifyPassword(password, DUMMY_HASH);
    if (!user || !ok) {
      if (user) {
        const failed = user.failedLogins + 1;
        const lock = failed >= MAX_FAILED_LOGINS ? new Date(now.getTime() + LOCK_MINUTES * 60_000) : null;
        await users.update(user.id, { failedLogins: lock ? 0 : failed, lockedUntil: lock });
        await this.audit.record({
          action: lock ? 'login_failed_locked' : 'login_failed',
          email,
          origin,
          actor: { id: user.id, email: user.email },
        });
      } else {
        await this.audit.record({ action: 'login_failed', email, origin });
      }
      throw new DomainError('LOGIN_FAILED', 'メールアドレスまたはパスワードが正しくありません');
    }
    await users.update(user.id, { failedLogins: 0, lockedUntil: null, lastLoginAt: now });
    const token = randomBytes(32).toString('base64url');
    await this.dataSource.getRepository(SessionEntity).insert({
      id: sessionId(token),
      userId: user.id,
      lastSeenAt: now,
      ip: origin.ip,
      userAgent: origin.userAgent,
    });
    await this.audit.record({ action: 'login', actor: user, origin });
    return { token, user: toCurrentUser(user) };
  }

  /** The user of a session token, or null when it is unknown or has been idle too long. */
  async resolve(token: string): Promise<CurrentUser | null> {
    const sessions = this.dataSource.getRepository(SessionEntity);
    const session = await sessions.findOneBy({ id: sessionId(token) });
    if (!session) return null;
    const now = Date.now();
    if (now - session.lastSeenAt.getTime() > this.config.sessionIdleMinutes * 60_000) {
      await sessions.delete(session.id);
      return null;
    }
    const user = await this.dataSource.getRepository(UserEntity).findOneBy({ id: session.userId });
    if (!user) return null;
    if (now - session.lastSeenAt.getTime() > TOUCH_AFTER_MS) await sessions.update(session.id, { lastSeenAt: new Date(now) });
    return toCurrentUser(user);
  }

  async logout(token: string, user: CurrentUser, origin: RequestOrigin): Promise<void> {
    await this.dataSource.getRepository(SessionEntity).delete({ id: sessionId(token) });
    await this.audit.record({ action: 'logout', actor: user, origin });
  }
}

/** Compared against when the e-mail is unknown, so both answers take the same time. */
const DUMMY_HASH = '$2b$10$ZXYTQ8YnzKpe3i85WpLDj.7AOUamnshhE99MjdhUo6PxWsGm9A4OO';
