import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { DomainError } from '../common/errors/domain-error';
import { looksLikeEmail } from '../common/validation';
import { OfficeEntity } from './office.entity';
import { hashPassword, passwordProblem } from './passwords';
import { Account, Role } from './accounts.types';
import { UserEntity } from './user.entity';

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
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

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
        failedLogins: 0,
        lockedUntil: null,
      }),
    );
  }

  async findById(id: string, manager: EntityManager = this.dataSource.manager): Promise<Account | null> {
    const user = await manager.findOneBy(UserEntity, { id });
    return user ? toAccount(user) : null;
  }

  async findByIds(ids: string[]): Promise<Account[]> {
    if (ids.length === 0) return [];
    return (await this.dataSource.getRepository(UserEntity).findBy({ id: In(ids) })).map(toAccount);
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

function toAccount(user: UserEntity): Account {
  return { id: user.id, email: user.email, name: user.name, role: user.role, officeId: user.officeId, networkId: user.networkId };
}
