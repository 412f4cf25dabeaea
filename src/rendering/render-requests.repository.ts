import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { RenderRequestEntity } from './render-request.entity';
import { Transactions } from '../common/database/transactions';

/** The render_request table: the only place that reads or writes it. */
@Injectable()
export class RenderRequestsRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
  ) {}

  async create(networkId: string, formId: string, data: Record<string, unknown>, createdBy: string): Promise<RenderRequestEntity> {
    const repo = this.dataSource.getRepository(RenderRequestEntity);
    return repo.save(repo.create({ networkId, formId, data, createdBy, status: 'queued', error: null, pdfSha256: null }));
  }

  /** Renders still waiting for their PDF, oldest first: what the sweeper makes sure is queued. */
  queued(limit: number): Promise<Array<Pick<RenderRequestEntity, 'id' | 'createdAt'>>> {
    return this.dataSource
      .getRepository(RenderRequestEntity)
      .find({ select: { id: true, createdAt: true }, where: { status: 'queued' }, order: { createdAt: 'ASC' }, take: limit });
  }

  findById(id: string): Promise<RenderRequestEntity | null> {
    return this.dataSource.getRepository(RenderRequestEntity).findOneBy({ id });
  }

  /** Stores the PDF and marks the render done in one transaction: `store` saves the bytes and returns their sha256. */
  async finish(id: string, store: (manager: EntityManager) => Promise<string>): Promise<string> {
    return this.transactions.run(async (manager) => {
      const sha256 = await store(manager);
      await manager.update(RenderRequestEntity, id, { status: 'done', pdfSha256: sha256, error: null, finishedAt: new Date() });
      return sha256;
    });
  }

  async fail(id: string, error: string): Promise<void> {
    await this.dataSource.getRepository(RenderRequestEntity).update(id, { status: 'failed', error, finishedAt: new Date() });
  }
}
