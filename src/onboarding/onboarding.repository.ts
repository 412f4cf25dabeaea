import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { isUuid } from '../common/validation';
import { ApplicationEntity, InvitationEntity } from './onboarding.entities';
import { ApplicationStatus } from './onboarding.types';

export type NewApplication = Omit<
  ApplicationEntity,
  'id' | 'seq' | 'status' | 'rejectReason' | 'officeId' | 'reviewedBy' | 'reviewedByName' | 'reviewedAt' | 'createdAt'
>;

/** Every query of onboarding's tables: applications and invitations. */
@Injectable()
export class OnboardingRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  insertApplication(manager: EntityManager, application: NewApplication): Promise<ApplicationEntity> {
    return manager.save(manager.create(ApplicationEntity, { ...application, status: 'pending' as const }));
  }

  /** An application by id (locked for update inside a transaction when asked); null for an unknown or malformed id. */
  async application(id: string, manager: EntityManager = this.dataSource.manager, lock = false): Promise<ApplicationEntity | null> {
    if (!isUuid(id)) return null;
    const query = manager.getRepository(ApplicationEntity).createQueryBuilder('a').where('a.id = :id', { id });
    if (lock) query.setLock('pessimistic_write');
    return query.getOne();
  }

  applications(filter: { networkId?: string; status?: ApplicationStatus }): Promise<ApplicationEntity[]> {
    return this.dataSource.getRepository(ApplicationEntity).find({
      where: { ...(filter.networkId ? { networkId: filter.networkId } : {}), ...(filter.status ? { status: filter.status } : {}) },
      order: { createdAt: filter.status === 'pending' ? 'ASC' : 'DESC' },
      take: 500,
    });
  }

  /** A pending application of the network for the same office name or manager e-mail (a duplicate). */
  pendingLike(networkId: string, match: { nameKey?: string; email?: string }): Promise<ApplicationEntity | null> {
    const query = this.dataSource
      .getRepository(ApplicationEntity)
      .createQueryBuilder('a')
      .where("a.network_id = :networkId AND a.status = 'pending'", { networkId });
    if (match.nameKey) query.andWhere('a.name_key = :nameKey', { nameKey: match.nameKey });
    if (match.email) query.andWhere('lower(a.manager_email) = lower(:email)', { email: match.email });
    return query.getOne();
  }

  async decide(
    manager: EntityManager,
    id: string,
    decision: Pick<ApplicationEntity, 'status' | 'reviewedBy' | 'reviewedByName'> &
      Partial<Pick<ApplicationEntity, 'officeId' | 'rejectReason'>>,
  ): Promise<void> {
    await manager.update(ApplicationEntity, id, { ...decision, reviewedAt: new Date() });
  }

  insertInvitation(
    manager: EntityManager,
    invitation: Pick<InvitationEntity, 'tokenHash' | 'userId' | 'officeId' | 'email' | 'expiresAt' | 'createdBy'>,
  ): Promise<InvitationEntity> {
    return manager.save(manager.create(InvitationEntity, invitation));
  }

  /** Every unused invitation of the account stops working (a newer one was sent). */
  async revokeInvitations(manager: EntityManager, userId: string): Promise<void> {
    await manager.update(InvitationEntity, { userId, usedAt: IsNull(), revokedAt: IsNull() }, { revokedAt: new Date() });
  }

  async invitationByHash(
    tokenHash: string,
    manager: EntityManager = this.dataSource.manager,
    lock = false,
  ): Promise<InvitationEntity | null> {
    const query = manager.getRepository(InvitationEntity).createQueryBuilder('i').where('i.token_hash = :tokenHash', { tokenHash });
    if (lock) query.setLock('pessimistic_write');
    return query.getOne();
  }

  async markUsed(manager: EntityManager, id: string): Promise<void> {
    await manager.update(InvitationEntity, id, { usedAt: new Date() });
  }

  /** Each account's latest invitation. */
  async latestInvitations(userIds: string[]): Promise<Map<string, InvitationEntity>> {
    if (userIds.length === 0) return new Map();
    const all = await this.dataSource.getRepository(InvitationEntity).find({ where: { userId: In(userIds) }, order: { createdAt: 'ASC' } });
    return new Map(all.map((i) => [i.userId, i]));
  }
}
