import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, EntityManager, In } from 'typeorm';
import { DocumentEntity, DocumentVersionEntity } from './document.entity';
import { Document, DocumentStatus, DocumentVersion, LatestDocument, RetentionFacts } from './documents.types';

/** A new document's row: what the caller decides; the number, id and dates come from here. */
export type DocumentRow = Pick<Document, 'networkId' | 'formId' | 'officeId' | 'subjectType' | 'subjectId' | 'status' | 'createdBy'> &
  Partial<Pick<Document, 'issuedAt' | 'correctsDocumentId'>>;

/** Which documents a list may show: one office's, some forms of one network's, or all (admin). */
export type DocumentScope = { officeId: string } | { networkId: string; formIds: string[] } | { all: true };

export interface DocumentSearch {
  status?: string;
  form?: string;
  from?: Date;
  to?: Date;
  text?: { number: string; subjectIds: string[]; formIds: string[] };
}

/** The document and document_version tables: every read and write of them, raw SQL included. */
@Injectable()
export class DocumentsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  find(id: string, manager: EntityManager = this.dataSource.manager): Promise<Document | null> {
    return manager.findOneBy(DocumentEntity, { id });
  }

  /** A document and its first version; the version may point to the one it corrects. */
  async insert(
    manager: EntityManager,
    row: DocumentRow,
    first: { data: Record<string, unknown>; previousVersionId?: string | null },
  ): Promise<{ document: Document; version: DocumentVersion }> {
    const document = await manager.save(manager.create(DocumentEntity, { ...row, number: await this.nextNumber(manager, row.networkId) }));
    const version = await manager.save(
      manager.create(DocumentVersionEntity, {
        documentId: document.id,
        version: 1,
        data: first.data,
        previousVersionId: first.previousVersionId ?? null,
        createdBy: row.createdBy,
      }),
    );
    return { document, version };
  }

  async addVersion(manager: EntityManager, previous: DocumentVersion, data: Record<string, unknown>, createdBy: string): Promise<void> {
    await manager.save(
      manager.create(DocumentVersionEntity, {
        documentId: previous.documentId,
        version: previous.version + 1,
        data,
        previousVersionId: previous.id,
        createdBy,
      }),
    );
  }

  /** Moves a document on from `from` only: false when someone else moved it first. */
  async transition(
    manager: EntityManager,
    id: string,
    from: DocumentStatus | null,
    changes: Partial<Pick<Document, 'status' | 'issuedAt' | 'signedAt' | 'endedOn' | 'erasedAt'>>,
  ): Promise<boolean> {
    const changed = await manager.update(DocumentEntity, from ? { id, status: from } : { id }, changes);
    return changed.affected === 1;
  }

  async currentVersion(documentId: string, manager: EntityManager = this.dataSource.manager): Promise<DocumentVersion> {
    const version = await manager.findOne(DocumentVersionEntity, { where: { documentId }, order: { version: 'DESC' } });
    if (!version) throw new Error(`document ${documentId} has no version`);
    return version;
  }

  /** The latest version of each document, in one query. */
  async currentVersions(documentIds: string[]): Promise<Map<string, DocumentVersion>> {
    if (documentIds.length === 0) return new Map();
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT DISTINCT ON (document_id) id, document_id, version, data, previous_version_id, created_by, created_at, pdf_sha256
         FROM document_version
        WHERE document_id = ANY($1)
        ORDER BY document_id, version DESC`,
      [documentIds],
    );
    return new Map(
      rows.map((r) => [
        r.document_id as string,
        {
          id: r.id as string,
          documentId: r.document_id as string,
          version: r.version as number,
          data: r.data as Record<string, unknown>,
          previousVersionId: r.previous_version_id as string | null,
          createdBy: r.created_by as string | null,
          createdAt: r.created_at as Date,
          pdfSha256: r.pdf_sha256 as string | null,
        },
      ]),
    );
  }

  /**
   * An office's drafts of one form made since a moment, newest first, after waiting for any other
   * transaction adding to them (so two changes at once land on one sheet, not two).
   */
  async openDraftsSince(manager: EntityManager, officeId: string, formId: string, since: Date): Promise<Document[]> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`drafts:${officeId}:${formId}`]);
    return manager
      .getRepository(DocumentEntity)
      .createQueryBuilder('d')
      .where("d.office_id = :officeId AND d.form_id = :formId AND d.status = 'draft' AND d.created_at >= :since", {
        officeId,
        formId,
        since,
      })
      .orderBy('d.created_at', 'DESC')
      .getMany();
  }

  /** The row, locked until the caller's transaction ends: signing, sealing, withdrawal and erasure serialize on it. */
  lock(manager: EntityManager, id: string): Promise<Document | null> {
    return manager.getRepository(DocumentEntity).createQueryBuilder('d').setLock('pessimistic_write').where('d.id = :id', { id }).getOne();
  }

  /** Every document about one subject of an office (a patient's consents and their corrections), newest first. */
  forSubject(officeId: string, subjectType: string, subjectId: string, manager: EntityManager = this.dataSource.manager) {
    return manager.find(DocumentEntity, {
      where: { officeId, subjectType: subjectType as Document['subjectType'], subjectId },
      order: { createdAt: 'DESC' },
    });
  }

  /** The documents that correct this one (each a new document whose first version points back). */
  correctionsOf(manager: EntityManager, id: string): Promise<Document[]> {
    return manager.find(DocumentEntity, { where: { correctsDocumentId: id } });
  }

  /** Every version of these documents, oldest first. */
  versionsOf(documentIds: string[]): Promise<DocumentVersion[]> {
    if (documentIds.length === 0) return Promise.resolve([]);
    return this.dataSource.getRepository(DocumentVersionEntity).find({ where: { documentId: In(documentIds) }, order: { version: 'ASC' } });
  }

  findVersion(id: string): Promise<DocumentVersion | null> {
    return this.dataSource.getRepository(DocumentVersionEntity).findOneBy({ id });
  }

  async setVersionPdf(manager: EntityManager, versionId: string, sha256: string): Promise<void> {
    await manager.update(DocumentVersionEntity, versionId, { pdfSha256: sha256 });
  }

  /** Empties every version's data and forgets its printed PDF; returns the PDFs' hashes (to delete if unused). */
  async eraseVersions(manager: EntityManager, documentIds: string[]): Promise<string[]> {
    if (documentIds.length === 0) return [];
    // UPDATE answers [rows, count] through TypeORM.
    const [rows]: [Array<{ pdf_sha256: string | null }>, number] = await manager.query(
      `WITH old AS (SELECT id, pdf_sha256 FROM document_version WHERE document_id = ANY($1) FOR UPDATE)
       UPDATE document_version v SET data = '{}'::jsonb, pdf_sha256 = NULL FROM old WHERE v.id = old.id
       RETURNING old.pdf_sha256`,
      [documentIds],
    );
    return rows.map((r) => r.pdf_sha256).filter((sha): sha is string => sha !== null);
  }

  /** When a correction of this document was first signed (it then supersedes the original), or null. */
  async correctionSignedAt(documentId: string): Promise<Date | null> {
    const [row]: Array<{ at: Date | null }> = await this.dataSource.query(
      `SELECT min(signed_at) AS at FROM document WHERE corrects_document_id = $1 AND status IN ('signed', 'revoked')`,
      [documentId],
    );
    return row?.at ?? null;
  }

  /** What retention weighs for every document not yet erased: one query for the daily job. */
  async retentionFacts(officeId: string | null = null): Promise<RetentionFacts[]> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT d.id, d.number, d.network_id, d.form_id, d.office_id, d.subject_type, d.subject_id, d.status, d.created_at, d.issued_at,
              to_char(d.ended_on, 'YYYY-MM-DD') AS ended_on,
              (SELECT min(c.signed_at) FROM document c
                WHERE c.corrects_document_id = d.id AND c.status IN ('signed', 'revoked')) AS superseded_at
         FROM document d
        WHERE d.status <> 'erased' AND ($1::uuid IS NULL OR d.office_id = $1)`,
      [officeId],
    );
    return rows.map((r) => ({
      id: r.id as string,
      number: r.number as string,
      networkId: r.network_id as string,
      formId: r.form_id as string,
      officeId: r.office_id as string,
      subjectType: r.subject_type as RetentionFacts['subjectType'],
      subjectId: r.subject_id as string | null,
      status: r.status as DocumentStatus,
      createdAt: r.created_at as Date,
      issuedAt: r.issued_at as Date | null,
      endedOn: r.ended_on as string | null,
      supersededAt: r.superseded_at as Date | null,
    }));
  }

  async versionData(versionId: string): Promise<Record<string, unknown>> {
    return (await this.dataSource.getRepository(DocumentVersionEntity).findOneByOrFail({ id: versionId })).data;
  }

  /** The data of several versions at once (bulk printing). */
  async versionsData(versionIds: string[]): Promise<Map<string, Record<string, unknown>>> {
    if (versionIds.length === 0) return new Map();
    const versions = await this.dataSource.getRepository(DocumentVersionEntity).findBy({ id: In([...new Set(versionIds)]) });
    return new Map(versions.map((v) => [v.id, v.data]));
  }

  findMany(ids: string[]): Promise<Document[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.dataSource.getRepository(DocumentEntity).findBy({ id: In([...new Set(ids)]) });
  }

  /** A page of an office's documents, newest first, and how many match (the office's documents list). */
  search(officeId: string, filter: DocumentSearch, page: { offset: number; limit: number }): Promise<[Document[], number]> {
    const query = this.dataSource.getRepository(DocumentEntity).createQueryBuilder('d').where('d.officeId = :officeId', { officeId });
    if (filter.status) query.andWhere('d.status = :status', { status: filter.status });
    if (filter.form) query.andWhere('d.formId = :form', { form: filter.form });
    if (filter.from) query.andWhere('d.createdAt >= :from', { from: filter.from });
    if (filter.to) query.andWhere('d.createdAt < :to', { to: filter.to });
    // Words match the person it is about or the form's title (each resolved to ids by the caller), or its number.
    if (filter.text !== undefined) {
      query.andWhere(
        new Brackets((any) => {
          any.where("d.number ILIKE :number ESCAPE '\\'", { number: `%${filter.text!.number.replace(/[\\%_]/g, (c) => `\\${c}`)}%` });
          if (filter.text!.subjectIds.length) any.orWhere('d.subjectId IN (:...subjects)', { subjects: filter.text!.subjectIds });
          if (filter.text!.formIds.length) any.orWhere('d.formId IN (:...forms)', { forms: filter.text!.formIds });
        }),
      );
    }
    return query.orderBy('d.createdAt', 'DESC').addOrderBy('d.id', 'DESC').offset(page.offset).limit(page.limit).getManyAndCount();
  }

  /** A page of the documents in scope, newest first, and how many match in all (paged and counted in the database). */
  list(
    scope: DocumentScope,
    filter: { status?: string; form?: string },
    page: { limit: number; offset: number },
  ): Promise<[Document[], number]> {
    const query = this.dataSource
      .getRepository(DocumentEntity)
      .createQueryBuilder('d')
      .orderBy('d.createdAt', 'DESC')
      .addOrderBy('d.id', 'DESC')
      .offset(page.offset)
      .limit(page.limit);
    if ('officeId' in scope) query.andWhere('d.officeId = :office', { office: scope.officeId });
    if ('networkId' in scope) {
      query.andWhere('d.networkId = :network AND d.formId IN (:...forms)', {
        network: scope.networkId,
        forms: scope.formIds.length ? scope.formIds : ['-'],
      });
    }
    if (filter.status) query.andWhere('d.status = :status', { status: filter.status });
    if (filter.form) query.andWhere('d.formId = :form', { form: filter.form });
    return query.getManyAndCount();
  }

  /**
   * The latest document per (office, form, subject) still in use (not withdrawn, revoked or erased); a correction
   * supersedes the original.
   */
  async latest(officeIds: string[], formIds: string[]): Promise<LatestDocument[]> {
    if (officeIds.length === 0 || formIds.length === 0) return [];
    const rows: Array<{
      id: string;
      number: string;
      office_id: string;
      form_id: string;
      subject_id: string | null;
      status: DocumentStatus;
    }> = await this.dataSource.query(
      `SELECT DISTINCT ON (office_id, form_id, subject_id) id, number, office_id, form_id, subject_id, status
           FROM document
          WHERE office_id = ANY($1) AND form_id = ANY($2) AND status NOT IN ('withdrawn', 'revoked', 'erased')
          ORDER BY office_id, form_id, subject_id, created_at DESC`,
      [officeIds, formIds],
    );
    return rows.map((r) => ({
      id: r.id,
      number: r.number,
      officeId: r.office_id,
      formId: r.form_id,
      subjectId: r.subject_id,
      status: r.status,
    }));
  }

  /** A document's number, as printed under its QR code: the network and a serial, e.g. RURUME-000042. */
  private async nextNumber(manager: EntityManager, networkId: string): Promise<string> {
    const [{ n }] = await manager.query(`SELECT nextval('document_number_seq') AS n`);
    return `${networkId.toUpperCase()}-${String(n).padStart(6, '0')}`;
  }
}
