import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, IsNull, Not } from 'typeorm';
import { CustodyEventEntity } from './custody-event.entity';
import { CustodyEventType, Exemplar } from './custody.types';
import { ExemplarEntity } from './exemplar.entity';

export type NewExemplar = Omit<ExemplarEntity, 'id' | 'createdAt'>;
export type NewCustodyEvent = Omit<CustodyEventEntity, 'id'>;

/** Exemplars and their ledgers' events: read and written only here (CustodyRepository holds the raw SQL). */
@Injectable()
export class ExemplarsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  insert(manager: EntityManager, row: NewExemplar): Promise<ExemplarEntity> {
    return manager.save(manager.create(ExemplarEntity, row));
  }

  findById(id: string, manager: EntityManager = this.dataSource.manager): Promise<Exemplar | null> {
    return manager.findOneBy(ExemplarEntity, { id });
  }

  findByCode(code: string): Promise<Exemplar | null> {
    return this.dataSource.getRepository(ExemplarEntity).findOneBy({ code });
  }

  /** The exemplar's row, locked until the caller's transaction ends: events on one exemplar are recorded one at a time. */
  lock(manager: EntityManager, id: string): Promise<ExemplarEntity> {
    return manager
      .getRepository(ExemplarEntity)
      .createQueryBuilder('x')
      .setLock('pessimistic_write')
      .where('x.id = :id', { id })
      .getOneOrFail();
  }

  /** By code; only the originals when asked. */
  ofDocuments(
    documentIds: string[],
    options: { originalsOnly?: boolean } = {},
    manager: EntityManager = this.dataSource.manager,
  ): Promise<Exemplar[]> {
    return manager.find(ExemplarEntity, {
      where: { documentId: In(documentIds), ...(options.originalsOnly ? { kind: 'original' as const } : {}) },
      order: { code: 'ASC' },
    });
  }

  /** Every exemplar that holds this file and is not destroyed, by code. */
  holdingPdf(manager: EntityManager, sha256: string): Promise<Exemplar[]> {
    return manager.find(ExemplarEntity, { where: { pdfSha256: sha256, state: Not('destroyed') }, order: { code: 'ASC' } });
  }

  async update(
    manager: EntityManager,
    id: string,
    changes: Partial<Pick<ExemplarEntity, 'pdfSha256' | 'printError' | 'printRequestedAt' | 'state'>>,
  ): Promise<void> {
    await manager.update(ExemplarEntity, id, changes);
  }

  /** Sets a first PDF only: false when the exemplar has one already (e.g. its seal landed while it printed). */
  async setFirstPdf(manager: EntityManager, id: string, pdfSha256: string): Promise<boolean> {
    const result = await manager.update(ExemplarEntity, { id, pdfSha256: IsNull() }, { pdfSha256, printError: null });
    return (result.affected ?? 0) > 0;
  }

  /** Only those without a PDF yet; a failed one is tried again. */
  async requestPrints(manager: EntityManager, ids: string[]): Promise<void> {
    await manager.update(ExemplarEntity, { id: In(ids), pdfSha256: IsNull() }, { printRequestedAt: new Date(), printError: null });
  }

  /** Asked for and neither made nor refused, oldest first; a destroyed exemplar is never printed. */
  printsDue(limit: number): Promise<Array<Pick<Exemplar, 'id' | 'printRequestedAt'>>> {
    return this.dataSource.getRepository(ExemplarEntity).find({
      select: { id: true, printRequestedAt: true },
      where: { printRequestedAt: Not(IsNull()), pdfSha256: IsNull(), printError: IsNull(), state: Not('destroyed') },
      order: { printRequestedAt: 'ASC' },
      take: limit,
    });
  }

  /** The ledgers of these exemplars, each in its order. */
  events(exemplarIds: string[]): Promise<CustodyEventEntity[]> {
    return this.dataSource.getRepository(CustodyEventEntity).find({ where: { exemplarId: In(exemplarIds) }, order: { seq: 'ASC' } });
  }

  /** The exemplar's newest event, or its newest of one type. */
  lastEvent(manager: EntityManager, exemplarId: string, type?: CustodyEventType): Promise<CustodyEventEntity | null> {
    return manager.findOne(CustodyEventEntity, { where: { exemplarId, ...(type ? { type } : {}) }, order: { seq: 'DESC' } });
  }

  insertEvent(manager: EntityManager, row: NewCustodyEvent): Promise<CustodyEventEntity> {
    return manager.save(manager.create(CustodyEventEntity, row));
  }
}
