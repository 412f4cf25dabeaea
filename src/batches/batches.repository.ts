import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, LessThan } from 'typeorm';
import { BatchChunkEntity, BatchEntity, BatchPersonEntity } from './batch.entities';

export type NewBatch = Omit<BatchEntity, 'id' | 'createdAt' | 'pdfSha256' | 'pageCount' | 'error' | 'finishedAt' | 'progressAt'>;
export type NewBatchPerson = Omit<BatchPersonEntity, 'id' | 'batchId' | 'position' | 'documentIds'>;

export interface BatchHistoryRow {
  batch: BatchEntity;
  counts: { added: number; changed: number; removed: number; pending: number; rejected: number };
}

/** The batch tables (batch, batch_person, batch_chunk): every read and write of them, raw SQL included. */
@Injectable()
export class BatchesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  find(id: string): Promise<BatchEntity | null> {
    return this.dataSource.getRepository(BatchEntity).findOneBy({ id });
  }

  get(id: string): Promise<BatchEntity> {
    return this.dataSource.getRepository(BatchEntity).findOneByOrFail({ id });
  }

  /** The batch and every row of its roster, in the caller's transaction. */
  async create(manager: EntityManager, batch: NewBatch, people: NewBatchPerson[]): Promise<BatchEntity> {
    const saved = await manager.save(manager.create(BatchEntity, batch));
    await manager.save(
      people.map((p, position) => manager.create(BatchPersonEntity, { ...p, batchId: saved.id, position, documentIds: [] })),
    );
    return saved;
  }

  async update(
    id: string,
    changes: Partial<NewBatch & Pick<BatchEntity, 'pdfSha256' | 'pageCount' | 'error' | 'finishedAt' | 'progressAt'>>,
    manager?: EntityManager,
  ) {
    await (manager ?? this.dataSource.manager).update(BatchEntity, id, changes);
  }

  /** Batches not finished (queued or running), oldest progress first: the work the sweeper keeps queued. */
  unfinished(limit: number, movedBefore?: Date): Promise<Array<Pick<BatchEntity, 'id' | 'createdAt' | 'progressAt' | 'phase'>>> {
    return this.dataSource.getRepository(BatchEntity).find({
      select: { id: true, createdAt: true, progressAt: true, phase: true },
      where: { status: In(['queued', 'running']), ...(movedBefore ? { progressAt: LessThan(movedBefore) } : {}) },
      order: { progressAt: 'ASC' },
      take: limit,
    });
  }

  /** Locks the batch row for the caller's transaction: two runs of one batch (a job lost and re-queued) take turns. */
  lock(manager: EntityManager, id: string): Promise<BatchEntity> {
    return manager
      .getRepository(BatchEntity)
      .createQueryBuilder('b')
      .setLock('pessimistic_write')
      .where('b.id = :id', { id })
      .getOneOrFail();
  }

  /** Locks a person's row; true while it is still pending (another run may have carried it out meanwhile). */
  async claimPerson(manager: EntityManager, id: string): Promise<boolean> {
    const person = await manager
      .getRepository(BatchPersonEntity)
      .createQueryBuilder('p')
      .setLock('pessimistic_write')
      .where('p.id = :id', { id })
      .getOne();
    return person?.status === 'pending';
  }

  /** A problem that does not stop the batch, added to those already recorded. */
  async addProblem(id: string, problem: string): Promise<void> {
    await this.dataSource.query(`UPDATE batch SET problems = problems || $2::jsonb WHERE id = $1`, [id, JSON.stringify([problem])]);
  }

  /** An office's batches, newest first, each with how many of its people were added, changed, removed or refused. */
  async history(officeId: string, page: { offset: number; limit: number }): Promise<{ batches: BatchHistoryRow[]; total: number }> {
    const [batches, total] = await this.dataSource
      .getRepository(BatchEntity)
      .findAndCount({ where: { officeId }, order: { createdAt: 'DESC', id: 'DESC' }, skip: page.offset, take: page.limit });
    if (batches.length === 0) return { batches: [], total };
    const counts: Array<{ batch_id: string; action: string; status: string; n: number }> = await this.dataSource.query(
      `SELECT batch_id, action, status, count(*)::int AS n FROM batch_person WHERE batch_id = ANY($1) GROUP BY batch_id, action, status`,
      [batches.map((b) => b.id)],
    );
    return {
      total,
      batches: batches.map((batch) => {
        const of = (status: string, action?: string) =>
          counts
            .filter((c) => c.batch_id === batch.id && c.status === status && (!action || c.action === action))
            .reduce((n, c) => n + c.n, 0);
        return {
          batch,
          counts: {
            added: of('done', '新規'),
            changed: of('done', '変更'),
            removed: of('done', '削除'),
            pending: of('pending'),
            rejected: of('rejected'),
          },
        };
      }),
    };
  }

  /** The batch's people in roster order, optionally only those with this status and action. */
  people(batchId: string, filter: Partial<Pick<BatchPersonEntity, 'status' | 'action'>> = {}): Promise<BatchPersonEntity[]> {
    return this.dataSource.getRepository(BatchPersonEntity).find({ where: { batchId, ...filter }, order: { position: 'ASC' } });
  }

  /** A person carried out, in the transaction that did it; a person already done is left as it is. */
  async personDone(manager: EntityManager, id: string, staffMemberId: string | null, documentIds: string[]): Promise<void> {
    await manager.update(BatchPersonEntity, { id, status: 'pending' }, { status: 'done', staffMemberId, documentIds });
  }

  async personRejected(id: string, problems: BatchPersonEntity['problems']): Promise<void> {
    await this.dataSource.getRepository(BatchPersonEntity).update(id, { status: 'rejected', problems });
  }

  /** The printed chunks kept so far, in order. */
  chunks(batchId: string): Promise<BatchChunkEntity[]> {
    return this.dataSource.getRepository(BatchChunkEntity).find({ where: { batchId }, order: { index: 'ASC' } });
  }

  /** Keeps a printed chunk; one kept before (a worker that died after printing it) stays as it was. */
  async saveChunk(manager: EntityManager, chunk: BatchChunkEntity): Promise<void> {
    await manager.createQueryBuilder().insert().into(BatchChunkEntity).values(chunk).orIgnore().execute();
  }
}
