import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, MoreThan } from 'typeorm';
import { VisitDocumentEntity, VisitEntity, VisitSignatureEntity } from './visit.entities';
import { Visit, VisitDocument, VisitSignature } from './visits.types';

/** Visits' tables (visit, visit_document, visit_signature): every read and write of them goes through here. */
@Injectable()
export class VisitsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The staff member's visit still running, if any (the latest). */
  openVisitOf(userId: string, manager: EntityManager = this.dataSource.manager): Promise<Visit | null> {
    return manager.findOne(VisitEntity, { where: { userId, expiresAt: MoreThan(new Date()) }, order: { createdAt: 'DESC' } });
  }

  findVisit(id: string): Promise<Visit | null> {
    return this.dataSource.getRepository(VisitEntity).findOneBy({ id });
  }

  insertVisit(manager: EntityManager, visit: Pick<Visit, 'officeId' | 'userId' | 'expiresAt'>): Promise<Visit> {
    return manager.save(manager.create(VisitEntity, visit));
  }

  /** Takes a document on the visit; taking it twice keeps the first (its version and request as they were then). */
  async addDocument(manager: EntityManager, row: Pick<VisitDocument, 'visitId' | 'documentId' | 'versionId' | 'requestId'>) {
    await manager.createQueryBuilder().insert().into(VisitDocumentEntity).values(row).orIgnore().execute();
    return manager.findOneByOrFail(VisitDocumentEntity, { visitId: row.visitId, documentId: row.documentId });
  }

  documentsOf(visitId: string): Promise<VisitDocument[]> {
    return this.dataSource.getRepository(VisitDocumentEntity).find({ where: { visitId }, order: { takenAt: 'ASC' } });
  }

  findDocument(id: string, visitId: string): Promise<VisitDocument | null> {
    return this.dataSource.getRepository(VisitDocumentEntity).findOneBy({ id, visitId });
  }

  recordSignature(
    manager: EntityManager | null,
    row: Pick<
      VisitSignature,
      'visitId' | 'visitDocumentId' | 'signerId' | 'signedOnDeviceAt' | 'status' | 'refusalCode' | 'refusalMessage'
    >,
  ): Promise<VisitSignature> {
    const m = manager ?? this.dataSource.manager;
    return m.save(m.create(VisitSignatureEntity, row));
  }

  /** The office's latest visits (newest first), with their documents and what the devices sent. */
  async latestOf(officeId: string, limit: number) {
    const visits = await this.dataSource
      .getRepository(VisitEntity)
      .find({ where: { officeId }, order: { createdAt: 'DESC' }, take: limit });
    const ids = visits.map((v) => v.id);
    const documents = ids.length ? await this.dataSource.getRepository(VisitDocumentEntity).find({ where: { visitId: In(ids) } }) : [];
    const signatures = ids.length
      ? await this.dataSource.getRepository(VisitSignatureEntity).find({ where: { visitId: In(ids) }, order: { receivedAt: 'ASC' } })
      : [];
    return { visits, documents, signatures };
  }
}
