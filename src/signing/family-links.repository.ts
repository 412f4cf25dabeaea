import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DownloadLinkEntity, WithdrawalLinkEntity } from './signing.entities';

export interface NewDownloadLink {
  tokenHash: string;
  exemplarId: string;
  recipient: string;
  expiresAt: Date;
}

export interface WithdrawalLink {
  documentId: string;
  recipient: string;
  expiresAt: Date;
}

/** The links a family keeps after signing: downloading their exemplar, and asking to withdraw the consent. */
@Injectable()
export class FamilyLinksRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insertDownloadLink(manager: EntityManager, link: NewDownloadLink): Promise<void> {
    await manager.save(manager.create(DownloadLinkEntity, { ...link, downloads: 0 }));
  }

  findDownloadLink(tokenHash: string): Promise<NewDownloadLink | null> {
    return this.dataSource.getRepository(DownloadLinkEntity).findOneBy({ tokenHash });
  }

  async countDownload(tokenHash: string): Promise<void> {
    await this.dataSource.getRepository(DownloadLinkEntity).increment({ tokenHash }, 'downloads', 1);
  }

  async insertWithdrawalLink(manager: EntityManager, link: WithdrawalLink & { tokenHash: string }): Promise<void> {
    await manager.save(manager.create(WithdrawalLinkEntity, link));
  }

  findWithdrawalLink(tokenHash: string): Promise<WithdrawalLink | null> {
    return this.dataSource
      .getRepository(WithdrawalLinkEntity)
      .findOne({ select: { documentId: true, recipient: true, expiresAt: true }, where: { tokenHash } });
  }
}
