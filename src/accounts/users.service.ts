import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/errors/domain-error';
import { RequestOrigin } from '../common/request-origin';
import { looksLikeEmail } from '../common/validation';
import { CurrentUser } from '../common/auth/current-user';
import { OfficesRepository } from './offices.repository';
import { hashPassword, passwordProblem } from './passwords';
import { Account, Role, UserSummary } from './accounts.types';
import { SessionsService } from './sessions.service';
import { UserEntity } from './user.entity';
import { UsersRepository, UserWithFactors } from './users.repository';
import { Transactions } from '../common/database/transactions';

/** The admin's user list shows at most this many; a search narrows it. */
export const USER_LIST_LIMIT = 200;

export interface NewUser {
  email: string;
  name: string;
  password: string;
  role: Role;
  officeId?: string | null;
  networkId?: string | null;
}

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly offices: OfficesRepository,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    private readonly transactions: Transactions,
  ) {}

  async create(input: NewUser): Promise<UserEntity> {
    const errors: Array<{ path: string; label: string; message: string }> = [];
    const problem = passwordProblem(input.password ?? '');
    if (problem) errors.push({ path: 'password', label: 'パスワード', message: problem });
    if (!looksLikeEmail(input.email ?? '')) {
      errors.push({ path: 'email', label: 'メールアドレス', message: 'メールアドレスの形式が正しくありません' });
    }
    if (!input.name?.trim()) errors.push({ path: 'name', label: '氏名', message: '氏名は必須です' });
    const office = input.officeId && isUUID(input.officeId) ? await this.offices.find(input.officeId) : null;
    const officeRole = input.role === 'office_manager' || input.role === 'office_staff';
    if (officeRole && !office) errors.push({ path: 'officeId', label: '事業所', message: '事業所を指定してください' });
    if (input.role === 'secretariat' && !input.networkId)
      errors.push({ path: 'networkId', label: 'ネットワーク', message: 'ネットワークを指定してください' });
    if (errors.length) throw new DomainError('INVALID_REQUEST', `入力内容に${errors.length}件の誤りがあります`, { errors });

    if (await this.users.emailTaken(input.email)) throw new DomainError('EMAIL_TAKEN', 'このメールアドレスは既に登録されています');
    return this.users.insert({
      email: input.email.trim(),
      name: input.name.trim(),
      passwordHash: await hashPassword(input.password),
      role: input.role,
      officeId: officeRole ? office!.id : null,
      networkId: input.role === 'secretariat' ? input.networkId! : null,
      mfaEnabled: false,
    });
  }

  list(q?: string): Promise<UserSummary[]> {
    return this.listUsers({ q: q?.trim() || undefined });
  }

  /** One user as the admin sees them; a 404 for an unknown id. */
  async summary(id: string): Promise<UserSummary> {
    const [user] = isUUID(id) ? await this.listUsers({ id }) : [];
    if (!user) throw new DomainError('NOT_FOUND', '利用者が見つかりません');
    return user;
  }

  /**
   * 利用停止 (admin): log-in is refused and every session of the user ends at once; 利用再開 undoes it.
   * An admin cannot stop their own account (someone must be left to undo it).
   */
  async setDisabled(admin: CurrentUser, userId: string, disabled: boolean, origin: RequestOrigin): Promise<void> {
    if (disabled && userId === admin.id) throw new DomainError('INVALID_STATE', '自分のアカウントは利用停止にできません');
    await this.transactions.run(async (tx) => {
      const user = isUUID(userId) ? await this.users.findById(userId, tx) : null;
      if (!user) throw new DomainError('NOT_FOUND', '利用者が見つかりません');
      await this.users.update(tx, userId, { disabledAt: disabled ? (user.disabledAt ?? new Date()) : null });
      const ended = disabled ? await this.sessions.endAllOf(userId, tx) : 0;
      await this.audit.record(
        {
          action: disabled ? 'user_disabled' : 'user_enabled',
          actor: admin,
          origin,
          target: { type: 'user', id: userId },
          detail: { email: user.email, endedSessions: ended },
        },
        tx,
      );
    });
  }

  /**
   * An office account that cannot log in until its invitation sets a password (onboarding), written in the
   * caller's transaction. Its password hash is of a random secret nobody knows.
   */
  async createInvited(
    manager: EntityManager,
    input: { email: string; name: string; role: 'office_manager' | 'office_staff'; officeId: string },
  ): Promise<Account> {
    const email = input.email.trim();
    if (await this.users.emailTaken(email, manager)) {
      throw new DomainError('EMAIL_TAKEN', 'このメールアドレスは既に登録されています', {
        errors: [{ path: 'email', label: 'メールアドレス', message: 'このメールアドレスは既にアカウントとして登録されています' }],
      });
    }
    const user = await this.users.insert(
      {
        email,
        name: input.name.trim(),
        passwordHash: await hashPassword(randomBytes(32).toString('base64url')),
        role: input.role,
        officeId: input.officeId,
        networkId: null,
        mfaEnabled: false,
      },
      manager,
    );
    return toAccount(user);
  }

  /** Sets a password under the networks' rule (an accepted invitation), inside the caller's transaction. */
  async setPassword(manager: EntityManager, userId: string, password: string): Promise<void> {
    const problem = passwordProblem(password);
    if (problem) {
      throw new DomainError('INVALID_REQUEST', '入力内容に1件の誤りがあります', {
        errors: [{ path: 'password', label: 'パスワード', message: problem }],
      });
    }
    await this.users.update(manager, userId, { passwordHash: await hashPassword(password), passwordChangedAt: new Date() });
  }

  /** The office's accounts, managers first (an office page; a follow-up's recipients). */
  async ofOffice(officeId: string, manager?: EntityManager): Promise<Account[]> {
    return (await this.users.ofOffice(officeId, manager)).map(toAccount);
  }

  /** Of these offices, those with a manager's account (someone a follow-up reaches). */
  async officesWithManagerAccount(officeIds: string[]): Promise<Set<string>> {
    if (officeIds.length === 0) return new Set();
    return new Set((await this.users.managersOfOffices(officeIds)).map((u) => u.officeId!));
  }

  /** The 事務局 accounts of a network (told of a new application). */
  async secretariatOf(networkId: string): Promise<Account[]> {
    return (await this.users.secretariatOf(networkId)).map(toAccount);
  }

  async findById(id: string, manager?: EntityManager): Promise<Account | null> {
    const user = await this.users.findById(id, manager);
    return user ? toAccount(user) : null;
  }

  async findByIds(ids: string[]): Promise<Account[]> {
    if (ids.length === 0) return [];
    return (await this.users.findByIds(ids)).map(toAccount);
  }

  /** The office managers (事業所管理者) of an office: who confirms its disposals. */
  async managersOf(officeId: string): Promise<Account[]> {
    return (await this.users.managersOf(officeId)).map(toAccount);
  }

  /** The account with this e-mail address, whatever its case. */
  async findByEmail(email: string): Promise<Account | null> {
    const user = await this.users.findByEmail(email);
    return user ? toAccount(user) : null;
  }

  private async listUsers(filter: { q?: string; id?: string }): Promise<UserSummary[]> {
    return (await this.users.listWithFactors({ ...filter, limit: USER_LIST_LIMIT })).map(toSummary);
  }
}

/** The admin's view of a user, with their second factors and state. */
function toSummary({ user, totp, passkeys, recoveryCodesLeft }: UserWithFactors): UserSummary {
  return {
    ...toAccount(user),
    mfa: { enabled: user.mfaEnabled, totp, passkeys, recoveryCodesLeft },
    disabledAt: user.disabledAt,
    lastLoginAt: user.lastLoginAt,
  };
}

function toAccount(user: UserEntity): Account {
  return { id: user.id, email: user.email, name: user.name, role: user.role, officeId: user.officeId, networkId: user.networkId };
}
