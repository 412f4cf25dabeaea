import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isUUID } from 'class-validator';
import { Brackets, DataSource, EntityManager, In, IsNull } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/errors/domain-error';
import { RequestOrigin } from '../common/request-origin';
import { looksLikeEmail } from '../common/validation';
import { CurrentUser } from './current-user';
import { PasskeyEntity, RecoveryCodeEntity, TotpEntity } from './mfa.entities';
import { OfficeEntity } from './office.entity';
import { hashPassword, passwordProblem } from './passwords';
import { Account, Role, UserSummary } from './accounts.types';
import { SessionsService } from './sessions.service';
import { UserEntity } from './user.entity';
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
    @InjectDataSource() private readonly dataSource: DataSource,
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
    const office = input.officeId ? await this.dataSource.getRepository(OfficeEntity).findOneBy({ id: input.officeId }) : null;
    const officeRole = input.role === 'office_manager' || input.role === 'office_staff';
    if (officeRole && !office) errors.push({ path: 'officeId', label: '事業所', message: '事業所を指定してください' });
    if (input.role === 'secretariat' && !input.networkId)
      errors.push({ path: 'networkId', label: 'ネットワーク', message: 'ネットワークを指定してください' });
    if (errors.length) throw new DomainError('INVALID_REQUEST', `入力内容に${errors.length}件の誤りがあります`, { errors });

    const users = this.dataSource.getRepository(UserEntity);
    if (await users.createQueryBuilder('u').where('lower(u.email) = lower(:email)', { email: input.email }).getExists()) {
      throw new DomainError('EMAIL_TAKEN', 'このメールアドレスは既に登録されています');
    }
    return users.save(
      users.create({
        email: input.email.trim(),
        name: input.name.trim(),
        passwordHash: await hashPassword(input.password),
        role: input.role,
        officeId: officeRole ? office!.id : null,
        networkId: input.role === 'secretariat' ? input.networkId! : null,
        mfaEnabled: false,
        disabledAt: null,
      }),
    );
  }

  list(q?: string): Promise<UserSummary[]> {
    return listUsers(this.dataSource, { q: q?.trim() || undefined });
  }

  /** One user as the admin sees them; a 404 for an unknown id. */
  async summary(id: string): Promise<UserSummary> {
    const [user] = isUUID(id) ? await listUsers(this.dataSource, { id }) : [];
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
      const user = isUUID(userId) ? await tx.findOneBy(UserEntity, { id: userId }) : null;
      if (!user) throw new DomainError('NOT_FOUND', '利用者が見つかりません');
      await tx.update(UserEntity, userId, { disabledAt: disabled ? (user.disabledAt ?? new Date()) : null });
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
    if (await manager.createQueryBuilder(UserEntity, 'u').where('lower(u.email) = lower(:email)', { email }).getExists()) {
      throw new DomainError('EMAIL_TAKEN', 'このメールアドレスは既に登録されています', {
        errors: [{ path: 'email', label: 'メールアドレス', message: 'このメールアドレスは既にアカウントとして登録されています' }],
      });
    }
    const user = await manager.save(
      manager.create(UserEntity, {
        email,
        name: input.name.trim(),
        passwordHash: await hashPassword(randomBytes(32).toString('base64url')),
        role: input.role,
        officeId: input.officeId,
        networkId: null,
        mfaEnabled: false,
      }),
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
    await manager.update(UserEntity, userId, { passwordHash: await hashPassword(password), passwordChangedAt: new Date() });
  }

  /** The office's accounts, managers first (an office page; a follow-up's recipients). */
  async ofOffice(officeId: string, manager: EntityManager = this.dataSource.manager): Promise<Account[]> {
    const users = await manager.find(UserEntity, { where: { officeId }, order: { role: 'ASC', createdAt: 'ASC' } });
    return users.map(toAccount);
  }

  /** The 事務局 accounts of a network (told of a new application). */
  async secretariatOf(networkId: string): Promise<Account[]> {
    const users = await this.dataSource.getRepository(UserEntity).find({ where: { networkId, role: 'secretariat' } });
    return users.map(toAccount);
  }

  async findById(id: string, manager: EntityManager = this.dataSource.manager): Promise<Account | null> {
    const user = await manager.findOneBy(UserEntity, { id });
    return user ? toAccount(user) : null;
  }

  async findByIds(ids: string[]): Promise<Account[]> {
    if (ids.length === 0) return [];
    return (await this.dataSource.getRepository(UserEntity).findBy({ id: In(ids) })).map(toAccount);
  }

  /** The office managers (事業所管理者) of an office: who confirms its disposals. */
  async managersOf(officeId: string): Promise<Account[]> {
    return (await this.dataSource.getRepository(UserEntity).findBy({ officeId, role: 'office_manager' })).map(toAccount);
  }

  /** The account with this e-mail address, whatever its case. */
  async findByEmail(email: string): Promise<Account | null> {
    const user = await this.dataSource
      .getRepository(UserEntity)
      .createQueryBuilder('u')
      .where('lower(u.email) = lower(:email)', { email })
      .getOne();
    return user ? toAccount(user) : null;
  }
}

/** The admin's view of users, with their second factors and state; `q` matches e-mail or name. */
async function listUsers(dataSource: DataSource, { q, id }: { q?: string; id?: string }): Promise<UserSummary[]> {
  const query = dataSource.getRepository(UserEntity).createQueryBuilder('u').orderBy('lower(u.email)').limit(USER_LIST_LIMIT);
  if (id) query.where('u.id = :id', { id });
  if (q) {
    const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query.where(new Brackets((w) => w.where('u.email ILIKE :like', { like }).orWhere('u.name ILIKE :like', { like })));
  }
  const users = await query.getMany();
  const ids = users.map((u) => u.id);
  if (ids.length === 0) return [];
  const [totps, passkeys, codes] = await Promise.all([
    dataSource.getRepository(TotpEntity).findBy({ userId: In(ids) }),
    dataSource.getRepository(PasskeyEntity).findBy({ userId: In(ids) }),
    dataSource.getRepository(RecoveryCodeEntity).findBy({ userId: In(ids), usedAt: IsNull() }),
  ]);
  const count = (rows: Array<{ userId: string }>, id: string) => rows.filter((r) => r.userId === id).length;
  return users.map((u) => ({
    ...toAccount(u),
    mfa: { enabled: u.mfaEnabled, totp: count(totps, u.id) > 0, passkeys: count(passkeys, u.id), recoveryCodesLeft: count(codes, u.id) },
    disabledAt: u.disabledAt,
    lastLoginAt: u.lastLoginAt,
  }));
}

function toAccount(user: UserEntity): Account {
  return { id: user.id, email: user.email, name: user.name, role: user.role, officeId: user.officeId, networkId: user.networkId };
}
