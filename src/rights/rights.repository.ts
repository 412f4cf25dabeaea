import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import {
  ConsentWithdrawalEntity,
  ErasureEntity,
  LegalHoldEntity,
  RetentionDueEntity,
  RightsCorrectionEntity,
  RightsRequestEntity,
} from './rights.entities';
import { ConsentWithdrawal, Erasure, LegalHold, RetentionDue, RightsRequest, RightsStatus } from './rights.types';

export type NewRightsRequest = Pick<
  RightsRequest,
  'officeId' | 'patientId' | 'kind' | 'receivedAt' | 'receivedVia' | 'detail' | 'dueAt' | 'createdBy'
>;
export type NewWithdrawal = Omit<ConsentWithdrawal, 'id' | 'recordedAt' | 'receiptSealedAt'>;

/** The rights feature's tables: withdrawals, rights requests and their corrections, legal holds, retention, erasures. */
@Injectable()
export class RightsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  // --- withdrawals (撤回)

  insertWithdrawal(manager: EntityManager, withdrawal: NewWithdrawal): Promise<ConsentWithdrawal> {
    return manager.save(manager.create(ConsentWithdrawalEntity, withdrawal));
  }

  withdrawal(id: string): Promise<ConsentWithdrawal | null> {
    return this.dataSource.getRepository(ConsentWithdrawalEntity).findOneBy({ id });
  }

  withdrawalOf(documentId: string): Promise<ConsentWithdrawal | null> {
    return this.dataSource.getRepository(ConsentWithdrawalEntity).findOneBy({ documentId });
  }

  withdrawalsOf(documentIds: string[]): Promise<ConsentWithdrawal[]> {
    if (documentIds.length === 0) return Promise.resolve([]);
    return this.dataSource
      .getRepository(ConsentWithdrawalEntity)
      .find({ where: { documentId: In(documentIds) }, order: { recordedAt: 'ASC' } });
  }

  /** The withdrawal row, locked: its receipt is made once. */
  lockWithdrawal(manager: EntityManager, id: string): Promise<ConsentWithdrawal | null> {
    return manager
      .getRepository(ConsentWithdrawalEntity)
      .createQueryBuilder('w')
      .setLock('pessimistic_write')
      .where('w.id = :id', { id })
      .getOne();
  }

  async markReceiptSealed(manager: EntityManager, id: string): Promise<void> {
    await manager.update(ConsentWithdrawalEntity, id, { receiptSealedAt: new Date() });
  }

  /** The documents were erased before their receipt was made: no receipt will be (the sweep stops looking). */
  async closeReceipts(manager: EntityManager, documentIds: string[]): Promise<void> {
    if (documentIds.length === 0) return;
    await manager.update(
      ConsentWithdrawalEntity,
      { documentId: In(documentIds), receiptSealedAt: IsNull() },
      { receiptSealedAt: new Date() },
    );
  }

  /** Withdrawals recorded a while ago whose receipt is still not sealed (their job was lost). */
  /** Open requests due before `today` not yet announced as overdue, marked announced (at most 100 a sweep). */
  async claimOverdue(manager: EntityManager, today: string): Promise<RightsRequest[]> {
    const due = await manager
      .getRepository(RightsRequestEntity)
      .createQueryBuilder('r')
      .setLock('pessimistic_write', undefined, ['r'])
      .setOnLocked('skip_locked')
      .where("r.status = 'open' AND r.dueAt < :today AND r.overdue_announced_at IS NULL", { today })
      .limit(100)
      .getMany();
    if (due.length) await manager.update(RightsRequestEntity, { id: In(due.map((r) => r.id)) }, { overdueAnnouncedAt: new Date() });
    return due;
  }

  unsealedReceipts(before: Date): Promise<ConsentWithdrawal[]> {
    return this.dataSource
      .getRepository(ConsentWithdrawalEntity)
      .createQueryBuilder('w')
      .where('w.receiptSealedAt IS NULL AND w.recordedAt < :before', { before })
      .take(100)
      .getMany();
  }

  // --- rights requests

  insertRequest(manager: EntityManager, request: NewRightsRequest): Promise<RightsRequest> {
    return manager.save(manager.create(RightsRequestEntity, { ...request, status: 'open' as const }));
  }

  findRequest(id: string): Promise<RightsRequest | null> {
    return this.dataSource.getRepository(RightsRequestEntity).findOneBy({ id });
  }

  lockRequest(manager: EntityManager, id: string): Promise<RightsRequest | null> {
    return manager
      .getRepository(RightsRequestEntity)
      .createQueryBuilder('r')
      .setLock('pessimistic_write')
      .where('r.id = :id', { id })
      .getOne();
  }

  requestsOfOffice(officeId: string, status?: RightsStatus): Promise<RightsRequest[]> {
    return this.dataSource.getRepository(RightsRequestEntity).find({
      where: status ? { officeId, status } : { officeId },
      order: { dueAt: 'ASC', createdAt: 'ASC' },
    });
  }

  requestsOfPatient(patientId: string, manager: EntityManager = this.dataSource.manager): Promise<RightsRequest[]> {
    return manager.find(RightsRequestEntity, { where: { patientId }, order: { receivedAt: 'DESC', createdAt: 'DESC' } });
  }

  async answer(
    manager: EntityManager,
    id: string,
    answer: Pick<RightsRequest, 'status' | 'answerNote' | 'answeredBy' | 'answeredByName'>,
  ): Promise<boolean> {
    const changed = await manager.update(RightsRequestEntity, { id, status: 'open' }, { ...answer, answeredAt: new Date() });
    return changed.affected === 1;
  }

  /** Links a correction to its request (a draft revised twice for the same request is linked once). */
  async addCorrection(manager: EntityManager, requestId: string, documentId: string): Promise<void> {
    await manager.createQueryBuilder().insert().into(RightsCorrectionEntity).values({ requestId, documentId }).orIgnore().execute();
  }

  correctionsOf(requestIds: string[]): Promise<Array<{ requestId: string; documentId: string }>> {
    if (requestIds.length === 0) return Promise.resolve([]);
    return this.dataSource
      .getRepository(RightsCorrectionEntity)
      .find({ where: { requestId: In(requestIds) }, order: { createdAt: 'ASC' } });
  }

  // --- legal holds (法的保存)

  activeHold(patientId: string, manager: EntityManager = this.dataSource.manager): Promise<LegalHold | null> {
    return manager.findOneBy(LegalHoldEntity, { patientId, releasedAt: IsNull() });
  }

  activeHolds(patientIds: string[]): Promise<LegalHold[]> {
    if (patientIds.length === 0) return Promise.resolve([]);
    return this.dataSource.getRepository(LegalHoldEntity).findBy({ patientId: In(patientIds), releasedAt: IsNull() });
  }

  placeHold(manager: EntityManager, hold: Pick<LegalHold, 'officeId' | 'patientId' | 'reason' | 'placedBy'>): Promise<LegalHold> {
    return manager.save(manager.create(LegalHoldEntity, hold));
  }

  async releaseHold(manager: EntityManager, patientId: string, by: string): Promise<boolean> {
    const changed = await manager.update(LegalHoldEntity, { patientId, releasedAt: IsNull() }, { releasedAt: new Date(), releasedBy: by });
    return (changed.affected ?? 0) > 0;
  }

  // --- retention

  /** Replaces the list of what is past retention with the job's latest finding, in the caller's transaction. */
  async replaceRetentionDue(
    manager: EntityManager,
    due: Array<Pick<RetentionDue, 'documentId' | 'officeId' | 'dueAt'>>,
  ): Promise<{ added: RetentionDue[] }> {
    const before = await manager.find(RetentionDueEntity, { lock: { mode: 'pessimistic_write' } });
    const known = new Set(before.map((r) => r.documentId));
    const keep = new Set(due.map((d) => d.documentId));
    const gone = before.filter((r) => !keep.has(r.documentId)).map((r) => r.documentId);
    if (gone.length) await manager.delete(RetentionDueEntity, { documentId: In(gone) });
    const added = due.filter((d) => !known.has(d.documentId));
    const saved = added.length ? await manager.save(added.map((d) => manager.create(RetentionDueEntity, d))) : [];
    return { added: saved };
  }

  retentionDueOf(officeId: string): Promise<RetentionDue[]> {
    return this.dataSource.getRepository(RetentionDueEntity).find({ where: { officeId }, order: { dueAt: 'ASC' } });
  }

  async forgetRetentionDue(manager: EntityManager, documentIds: string[]): Promise<void> {
    if (documentIds.length) await manager.delete(RetentionDueEntity, { documentId: In(documentIds) });
  }

  // --- erasure (消去)

  insertErasure(manager: EntityManager, erasure: Omit<Erasure, 'id' | 'confirmedAt'>): Promise<Erasure> {
    return manager.save(manager.create(ErasureEntity, erasure));
  }

  erasuresOf(officeId: string, patientId?: string): Promise<Erasure[]> {
    return this.dataSource
      .getRepository(ErasureEntity)
      .find({ where: patientId ? { officeId, patientId } : { officeId }, order: { confirmedAt: 'DESC' }, take: 200 });
  }

  /**
   * Erasure: what was written about the erased documents' withdrawals is emptied; for a patient's erasure
   * also their requests' texts and the reasons of past holds.
   */
  async eraseFreeText(manager: EntityManager, documentIds: string[], patientId: string | null): Promise<void> {
    if (documentIds.length) await manager.update(ConsentWithdrawalEntity, { documentId: In(documentIds) }, { note: null });
    if (!patientId) return;
    await manager.update(RightsRequestEntity, { patientId }, { detail: null, answerNote: null });
    await manager.update(LegalHoldEntity, { patientId }, { reason: null });
  }
}
