import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { ApiKeyEntity } from './api-key.entity';

/** Whose keys: an office's (its manager's) or, with no office, a 事務局's network. */
export interface KeyOwnerScope {
  networkId: string;
  officeId: string | null;
}

/** API keys: their rows, read and written only here. */
@Injectable()
export class ApiKeysRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  countLive(tx: EntityManager, { networkId, officeId }: KeyOwnerScope): Promise<number> {
    return tx.countBy(ApiKeyEntity, { networkId, officeId: officeId ?? IsNull(), revokedAt: IsNull() });
  }

  insert(tx: EntityManager, row: Partial<ApiKeyEntity>): Promise<ApiKeyEntity> {
    return tx.save(tx.create(ApiKeyEntity, row));
  }

  /** The owner's live keys, newest first. */
  listLive({ networkId, officeId }: KeyOwnerScope, limit: number): Promise<ApiKeyEntity[]> {
    return this.dataSource.getRepository(ApiKeyEntity).find({
      where: { networkId, officeId: officeId ?? IsNull(), revokedAt: IsNull() },
      order: { createdAt: 'DESC' },
      take: limit,
    });
  }

  findLive(tx: EntityManager, id: string, { networkId, officeId }: KeyOwnerScope): Promise<ApiKeyEntity | null> {
    return tx.findOneBy(ApiKeyEntity, { id, networkId, officeId: officeId ?? IsNull(), revokedAt: IsNull() });
  }

  revoke(tx: EntityManager, id: string): Promise<unknown> {
    return tx.update(ApiKeyEntity, id, { revokedAt: new Date() });
  }

  findLiveByHash(keyHash: string): Promise<ApiKeyEntity | null> {
    return this.dataSource.getRepository(ApiKeyEntity).findOneBy({ keyHash, revokedAt: IsNull() });
  }

  touch(id: string): Promise<unknown> {
    return this.dataSource.getRepository(ApiKeyEntity).update(id, { lastUsedAt: new Date() });
  }
}
