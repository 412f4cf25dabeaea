import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, EntityManager, In, IsNull } from 'typeorm';
import { PasskeyEntity, RecoveryCodeEntity, TotpEntity } from './mfa.entities';
import { UserEntity } from './user.entity';

export type UserChanges = Partial<Pick<UserEntity, 'passwordHash' | 'passwordChangedAt' | 'mfaEnabled' | 'disabledAt' | 'lastLoginAt'>>;
export type NewUserRow = Pick<UserEntity, 'email' | 'name' | 'passwordHash' | 'role' | 'officeId' | 'networkId' | 'mfaEnabled'>;

/** A user as the admin's list shows them, with how many of each factor they hold. */
export interface UserWithFactors {
  user: UserEntity;
  totp: boolean;
  passkeys: number;
  recoveryCodesLeft: number;
}

/** Users: read and written only here; other features ask the accounts services. */
@Injectable()
export class UsersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findById(id: string, manager: EntityManager = this.dataSource.manager): Promise<UserEntity | null> {
    return manager.findOneBy(UserEntity, { id });
  }

  findByIds(ids: string[]): Promise<UserEntity[]> {
    return this.dataSource.getRepository(UserEntity).findBy({ id: In(ids) });
  }

  /** E-mail addresses are compared as people type them: case aside. */
  findByEmail(email: string, options: { withPasswordHash?: boolean } = {}): Promise<UserEntity | null> {
    const query = this.dataSource.getRepository(UserEntity).createQueryBuilder('u').where('lower(u.email) = lower(:email)', { email });
    if (options.withPasswordHash) query.addSelect('u.passwordHash');
    return query.getOne();
  }

  emailTaken(email: string, manager: EntityManager = this.dataSource.manager): Promise<boolean> {
    return manager.createQueryBuilder(UserEntity, 'u').where('lower(u.email) = lower(:email)', { email }).getExists();
  }

  insert(row: NewUserRow, manager: EntityManager = this.dataSource.manager): Promise<UserEntity> {
    return manager.save(manager.create(UserEntity, { ...row, disabledAt: null }));
  }

  async update(manager: EntityManager, id: string, changes: UserChanges): Promise<void> {
    await manager.update(UserEntity, id, changes);
  }

  /** Managers first, then by when they joined. */
  ofOffice(officeId: string, manager: EntityManager = this.dataSource.manager): Promise<UserEntity[]> {
    return manager.find(UserEntity, { where: { officeId }, order: { role: 'ASC', createdAt: 'ASC' } });
  }

  secretariatOf(networkId: string): Promise<UserEntity[]> {
    return this.dataSource.getRepository(UserEntity).find({ where: { networkId, role: 'secretariat' } });
  }

  managersOfOffices(officeIds: string[]): Promise<UserEntity[]> {
    return this.dataSource.getRepository(UserEntity).findBy({ officeId: In(officeIds), role: 'office_manager' });
  }

  managersOf(officeId: string): Promise<UserEntity[]> {
    return this.dataSource.getRepository(UserEntity).findBy({ officeId, role: 'office_manager' });
  }

  /** The admin's list: at most `limit`, by e-mail; `q` matches e-mail or name. */
  async listWithFactors({ q, id, limit }: { q?: string; id?: string; limit: number }): Promise<UserWithFactors[]> {
    const query = this.dataSource.getRepository(UserEntity).createQueryBuilder('u').orderBy('lower(u.email)').limit(limit);
    if (id) query.where('u.id = :id', { id });
    if (q) {
      const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query.where(new Brackets((w) => w.where('u.email ILIKE :like', { like }).orWhere('u.name ILIKE :like', { like })));
    }
    const users = await query.getMany();
    const ids = users.map((u) => u.id);
    if (ids.length === 0) return [];
    const [totps, passkeys, codes] = await Promise.all([
      this.dataSource.getRepository(TotpEntity).findBy({ userId: In(ids) }),
      this.dataSource.getRepository(PasskeyEntity).findBy({ userId: In(ids) }),
      this.dataSource.getRepository(RecoveryCodeEntity).findBy({ userId: In(ids), usedAt: IsNull() }),
    ]);
    const count = (rows: Array<{ userId: string }>, id: string) => rows.filter((r) => r.userId === id).length;
    return users.map((user) => ({
      user,
      totp: count(totps, user.id) > 0,
      passkeys: count(passkeys, user.id),
      recoveryCodesLeft: count(codes, user.id),
    }));
  }
}
