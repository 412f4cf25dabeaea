import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DownloadLinkEntity, SignerEntity, SigningRequestEntity, WithdrawalLinkEntity } from './signing.entities';
import { PinSigner } from './signing.types';

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

/** The signer whose 暗証番号 guards a family link, with their request and role (the office is told of a lock). */
export type FamilyPinSigner = PinSigner & { requestId: string; roleLabel: string };

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

  /**
   * The signer of the document's completed request who was given a 暗証番号 and was sent mail at `email`: the
   * 暗証番号 that guards the family links sent there (their copy, their withdrawal). Null when none had one.
   */
  async pinSignerFor(documentId: string, email: string): Promise<FamilyPinSigner | null> {
    const signer = await this.dataSource
      .getRepository(SignerEntity)
      .createQueryBuilder('s')
      .addSelect(['s.accessCodeHash', 's.accessSessionHash'])
      .innerJoin(SigningRequestEntity, 'r', 'r.id = s.requestId')
      .where("r.documentId = :documentId AND r.status = 'completed'", { documentId })
      .andWhere('lower(s.email) = lower(:email) AND s.accessCodeHash IS NOT NULL', { email })
      .orderBy('s.position', 'ASC')
      .getOne();
    if (!signer) return null;
    const { id, accessCodeHash, accessFailures, accessSessionHash, requestId, roleLabel } = signer;
    return { id, accessCodeHash, accessFailures, accessSessionHash, requestId, roleLabel };
  }
}
