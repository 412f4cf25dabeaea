import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/errors/domain-error';
import { sha256Hex } from '../common/hash';
import { RequestOrigin } from '../common/request-origin';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { AccountsRepository } from './accounts.repository';
import { OwnSession } from './accounts.types';
import { CurrentUser } from '../common/auth/current-user';
import { UserEntity } from './user.entity';
import { UsersRepository } from './users.repository';
import { Transactions } from '../common/database/transactions';

/** last_seen_at is written at most this often, not on every request. */
const TOUCH_AFTER_MS = 60_000;

/** The session id kept in the database: the sha256 of the token in the cookie. */
export function sessionId(token: string): string {
  return sha256Hex(token);
}

export function toCurrentUser(user: UserEntity): CurrentUser {
  return { id: user.id, email: user.email, name: user.name, role: user.role, officeId: user.officeId, networkId: user.networkId };
}

/** A resolved session: its user, and whether it may only enrol a second factor (MFA_REQUIRED, none yet). */
export interface ResolvedSession {
  user: CurrentUser;
  enrolmentPending: boolean;
}

/**
 * Log-in sessions: a random token in the cookie (or Bearer header), its sha256 in `user_session`. A session
 * ends when idle for SESSION_IDLE_MINUTES, SESSION_MAX_HOURS after its log-in whatever its use, when its user
 * is stopped (利用停止) or changes password (all but the one that changed it), or on "log out everywhere".
 */
@Injectable()
export class SessionsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: AccountsRepository,
    private readonly users: UsersRepository,
    private readonly audit: AuditService,
    private readonly transactions: Transactions,
  ) {}

  async start(user: UserEntity, origin: RequestOrigin, method: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const now = new Date();
    await this.transactions.run(async (tx) => {
      await this.repository.insertSession(tx, {
        id: sessionId(token),
        userId: user.id,
        lastSeenAt: now,
        ip: origin.ip,
        userAgent: origin.userAgent,
      });
      await this.users.update(tx, user.id, { lastLoginAt: now });
      await this.audit.record({ action: 'login', actor: user, origin, detail: { method } }, tx);
    });
    return token;
  }

  /** The session's user, or null when the token is unknown, idle too long, past its lifetime, or its user stopped. */
  async resolve(token: string): Promise<ResolvedSession | null> {
    const session = await this.repository.findSession(sessionId(token));
    if (!session) return null;
    const now = Date.now();
    const idle = now - session.lastSeenAt.getTime() > this.config.sessionIdleMinutes * 60_000;
    const expired = now - session.createdAt.getTime() > this.config.sessionMaxHours * 3_600_000;
    const user = idle || expired ? null : await this.users.findById(session.userId);
    if (!user || user.disabledAt) {
      await this.repository.deleteSession(session.id);
      return null;
    }
    if (now - session.lastSeenAt.getTime() > TOUCH_AFTER_MS) await this.repository.touchSession(session.id, new Date(now));
    return { user: toCurrentUser(user), enrolmentPending: this.config.mfaRequired && !user.mfaEnabled };
  }

  /** The user's own sessions, newest first, this one marked. */
  async listOwn(user: CurrentUser, currentToken: string | null): Promise<OwnSession[]> {
    const current = currentToken ? sessionId(currentToken) : null;
    const rows = await this.repository.sessionsOf(user.id);
    return rows.map((s) => ({
      id: s.id,
      createdAt: s.createdAt,
      lastSeenAt: s.lastSeenAt,
      expiresAt: new Date(
        Math.min(
          s.createdAt.getTime() + this.config.sessionMaxHours * 3_600_000,
          s.lastSeenAt.getTime() + this.config.sessionIdleMinutes * 60_000,
        ),
      ),
      ip: s.ip,
      userAgent: s.userAgent,
      current: s.id === current,
    }));
  }

  async end(token: string, user: CurrentUser, origin: RequestOrigin): Promise<void> {
    await this.repository.deleteSession(sessionId(token));
    await this.audit.record({ action: 'logout', actor: user, origin });
  }

  /** Ends one of the user's own sessions (by its id as listed); someone else's is answered as missing. */
  async endOwn(user: CurrentUser, id: string, origin: RequestOrigin): Promise<void> {
    if (!(await this.repository.deleteSession(id, user.id))) throw new DomainError('NOT_FOUND', 'ログイン中の端末が見つかりません');
    await this.audit.record({ action: 'session_ended', actor: user, origin, target: { type: 'session', id: id.slice(0, 12) } });
  }

  /** "他の端末からログアウト": every session of the user but this one. */
  async endOthers(user: CurrentUser, currentToken: string | null, origin: RequestOrigin): Promise<number> {
    const ended = await this.repository.endSessions(user.id, currentToken ? sessionId(currentToken) : null);
    await this.audit.record({ action: 'sessions_ended', actor: user, origin, detail: { ended, keptCurrent: currentToken !== null } });
    return ended;
  }

  /** Every session of a user (stopped, factors reset), in the caller's transaction. */
  endAllOf(userId: string, manager: EntityManager, except: string | null = null): Promise<number> {
    return this.repository.endSessions(userId, except, manager);
  }
}
