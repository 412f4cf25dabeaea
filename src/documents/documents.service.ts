import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { DataSource, EntityManager } from 'typeorm';
import { OfficeEntity } from '../accounts/office.entity';
import { CurrentUser, isOfficeUser } from '../accounts/current-user';
import { refuseCrossTenant } from '../accounts/tenancy';
import { AuditService } from '../audit/audit.service';
import { RequestOrigin } from '../common/request-origin';
import { DomainError } from '../common/errors/domain-error';
import { JOB_IDS, DOCUMENTS_QUEUE } from '../common/queues';
import { CustodyService } from '../custody/custody.service';
import { ExemplarEntity } from '../custody/exemplar.entity';
import { FormDefinition } from '../networks/catalogue.types';
import { buildDraft, DraftSources } from '../networks/prefill';
import { NetworksService } from '../networks/networks.service';
import { isUuid } from '../common/validation';
import { FamilyContactEntity, PatientEntity } from '../people/patient.entity';
import { StaffMemberEntity } from '../people/staff-member.entity';
import { PdfStoreService } from '../rendering/pdf-store.service';
import { DocumentEntity, DocumentVersionEntity } from './document.entity';

export interface NewDocument {
  form: string;
  subjectId?: string | null;
  data?: Record<string, unknown>;
}

export interface PrintExemplarJob {
  exemplarId: string;
}

export type DocumentSummary = Pick<DocumentEntity, 'id' | 'number' | 'networkId' | 'formId' | 'officeId' | 'status'> & {
  formTitle: string;
  formNumber: string;
  version: { data: Record<string, unknown> };
};

export interface DocumentView extends DocumentEntity {
  formTitle: string;
  formNumber: string;
  version: DocumentVersionEntity;
  exemplars: Array<ExemplarEntity & { mark: string }>;
}

@Injectable()
export class DocumentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(DOCUMENTS_QUEUE) private readonly queue: Queue<PrintExemplarJob>,
    private readonly networks: NetworksService,
    private readonly custody: CustodyService,
    private readonly audit: AuditService,
    private readonly pdfs: PdfStoreService,
  ) {}

  /** The network of an office user's office. */
  async networkOf(user: CurrentUser): Promise<string> {
    if (!isOfficeUser(user)) throw new DomainError('FORBIDDEN', '事業所の職員だけが使えます');
    return (await this.dataSource.getRepository(OfficeEntity).findOneByOrFail({ id: user.officeId })).networkId;
  }

  /** What a new document of this form starts with: the office's, staff member's or patient's details. */
  async draftData(
    user: CurrentUser,
    formId: string,
    subjectId: string | null,
    origin: RequestOrigin | null,
  ): Promise<Record<string, unknown>> {
    if (!isOfficeUser(user)) throw new DomainError('FORBIDDEN', '書類は事業所の職員が作成します');
    const office = await this.dataSource.getRepository(OfficeEntity).findOneByOrFail({ id: user.officeId });
    const { form } = this.networks.getForm(office.networkId, formId);
    return buildDraft(form, await this.draftSources(user, office, form, subjectId, origin));
  }

  /**
   * Creates a document and issues it inside the caller's transaction (bulk generation: a person's staff
   * record, pledge and exemplars commit together or not at all). Printing is left to the caller.
   */
  async createIssuedIn(
    manager: EntityManager,
    user: CurrentUser,
    office: Pick<OfficeEntity, 'id' | 'networkId'>,
    formId: string,
    subjectId: string | null,
    input: Record<string, unknown>,
  ): Promise<{ document: DocumentEntity; exemplars: ExemplarEntity[] }> {
    const { form } = this.networks.getForm(office.networkId, formId);
    const data = this.networks.validate(office.networkId, form.id, input);
    const document = await manager.save(
      manager.create(DocumentEntity, {
        number: await nextNumber(manager, office.networkId),
        networkId: office.networkId,
        formId: form.id,
        officeId: office.id,
        subjectType: form.subject,
        subjectId,
        status: 'issued',
        issuedAt: new Date(),
        createdBy: user.id,
      }),
    );
    const version = await manager.save(
      manager.create(DocumentVersionEntity, { documentId: document.id, version: 1, data, previousVersionId: null, createdBy: user.id }),
    );
    const exemplars = await this.custody.createExemplars(
      manager,
      {
        documentId: document.id,
        versionId: version.id,
        number: document.number,
        networkId: office.networkId,
        officeId: office.id,
        formId: form.id,
        rule: form.custody,
      },
      user,
    );
    return { document, exemplars };
  }

  /** Queues the printing of exemplars (e.g. after a bulk batch, for offices that download them one by one). */
  async queuePrint(exemplarIds: string[]): Promise<void> {
    await this.queue.addBulk(
      exemplarIds.map((id) => ({ name: 'print-exemplar', data: { exemplarId: id }, opts: { jobId: JOB_IDS.printExemplar(id) } })),
    );
  }

  /** A draft for one subject; the office's, staff member's or patient's details prefill the form. */
  async create(user: CurrentUser, input: NewDocument, origin: RequestOrigin | null): Promise<DocumentView> {
    if (!isOfficeUser(user)) throw new DomainError('FORBIDDEN', '書類は事業所の職員が作成します');
    const office = await this.dataSource.getRepository(OfficeEntity).findOneByOrFail({ id: user.officeId });
    const { form } = this.networks.getForm(office.networkId, String(input.form));
    const subjectType = form.subject;
    const sources = await this.draftSources(user, office, form, input.subjectId ?? null, origin);
    const data = this.networks.validate(office.networkId, form.id, { ...buildDraft(form, sources), ...(input.data ?? {}) });

    const document = await this.dataSource.transaction(async (manager) => {
      const doc = await manager.save(
        manager.create(DocumentEntity, {
          number: await nextNumber(manager, office.networkId),
          networkId: office.networkId,
          formId: form.id,
          officeId: office.id,
          subjectType,
          subjectId: subjectType === 'staff' || subjectType === 'patient' ? input.subjectId! : null,
          status: 'draft',
          createdBy: user.id,
        }),
      );
      await manager.save(
        manager.create(DocumentVersionEntity, { documentId: doc.id, version: 1, data, previousVersionId: null, createdBy: user.id }),
      );
      await this.audit.record(
        {
          action: 'document_created',
          actor: user,
          target: { type: 'document', id: doc.id },
          origin,
          detail: { number: doc.number, form: form.id },
        },
        manager,
      );
      return doc;
    });
    return this.view(document);
  }

  /**
   * Issues a draft: the network's custody rule creates its exemplars (originals, copies), and each is
   * queued for printing with its own 原本/写し mark and QR code.
   */
  async issue(user: CurrentUser, id: string, origin: RequestOrigin | null): Promise<DocumentView> {
    const doc = await this.visible(user, id, origin, { write: true });
    if (doc.status !== 'draft')
      throw new DomainError('INVALID_STATE', `${doc.number} は「${doc.status}」のため発行できません（発行できるのは下書きだけです）`);
    const { form } = this.networks.getForm(doc.networkId, doc.formId);
    const version = await this.currentVersion(doc.id);
    const exemplars = await this.dataSource.transaction(async (manager) => {
      const changed = await manager.update(DocumentEntity, { id: doc.id, status: 'draft' }, { status: 'issued', issuedAt: new Date() });
      if (changed.affected !== 1) throw new DomainError('INVALID_STATE', `${doc.number} は既に発行されています`);
      const created = await this.custody.createExemplars(
        manager,
        {
          documentId: doc.id,
          versionId: version.id,
          number: doc.number,
          networkId: doc.networkId,
          officeId: doc.officeId,
          formId: doc.formId,
          rule: form.custody,
        },
        user,
      );
      await this.audit.record(
        {
          action: 'document_issued',
          actor: user,
          target: { type: 'document', id: doc.id },
          origin,
          detail: { exemplars: created.map((e) => e.code) },
        },
        manager,
      );
      return created;
    });
    await this.queuePrint(exemplars.map((e) => e.id));
    return this.view({ ...doc, status: 'issued' });
  }

  /**
   * New data for a document. A draft gets a new version; an issued or signed document never changes:
   * the correction becomes a new draft document whose first version points to the old one.
   */
  async revise(user: CurrentUser, id: string, input: Record<string, unknown>, origin: RequestOrigin | null): Promise<DocumentView> {
    const doc = await this.visible(user, id, origin, { write: true });
    const data = this.networks.validate(doc.networkId, doc.formId, input);
    const previous = await this.currentVersion(doc.id);
    if (doc.status === 'draft') {
      await this.dataSource.transaction(async (manager) => {
        await manager.save(
          manager.create(DocumentVersionEntity, {
            documentId: doc.id,
            version: previous.version + 1,
            data,
            previousVersionId: previous.id,
            createdBy: user.id,
          }),
        );
        await this.audit.record({ action: 'document_revised', actor: user, target: { type: 'document', id: doc.id }, origin }, manager);
      });
      return this.view(doc);
    }
    if (doc.status === 'withdrawn') throw new DomainError('INVALID_STATE', `${doc.number} は取り下げ済みです`);
    const correction = await this.dataSource.transaction(async (manager) => {
      const created = await manager.save(
        manager.create(DocumentEntity, {
          number: await nextNumber(manager, doc.networkId),
          networkId: doc.networkId,
          formId: doc.formId,
          officeId: doc.officeId,
          subjectType: doc.subjectType,
          subjectId: doc.subjectId,
          status: 'draft',
          correctsDocumentId: doc.id,
          createdBy: user.id,
        }),
      );
      await manager.save(
        manager.create(DocumentVersionEntity, {
          documentId: created.id,
          version: 1,
          data,
          previousVersionId: previous.id,
          createdBy: user.id,
        }),
      );
      await this.audit.record(
        {
          action: 'document_corrected',
          actor: user,
          target: { type: 'document', id: doc.id },
          origin,
          detail: { correction: created.number },
        },
        manager,
      );
      return created;
    });
    return this.view(correction);
  }

  /** The signed paper is back at the office: every original is recorded as signed. */
  async recordPaperSignature(user: CurrentUser, id: string, origin: RequestOrigin | null): Promise<DocumentView> {
    const doc = await this.visible(user, id, origin, { write: true });
    if (doc.status !== 'issued') throw new DomainError('INVALID_STATE', `${doc.number} は発行中ではないため署名を記録できません`);
    await this.dataSource.transaction(async (manager) => {
      const changed = await manager.update(DocumentEntity, { id: doc.id, status: 'issued' }, { status: 'signed', signedAt: new Date() });
      if (changed.affected !== 1) throw new DomainError('INVALID_STATE', `${doc.number} の状態が変わりました。もう一度お試しください`);
      const originals = await manager.find(ExemplarEntity, { where: { documentId: doc.id, kind: 'original' } });
      for (const original of originals) await this.custody.record(user, original.code, 'signed', { origin }, manager);
    });
    return this.view({ ...doc, status: 'signed' });
  }

  async withdraw(user: CurrentUser, id: string, origin: RequestOrigin | null): Promise<DocumentView> {
    const doc = await this.visible(user, id, origin, { write: true });
    if (doc.status !== 'draft' && doc.status !== 'issued')
      throw new DomainError('INVALID_STATE', `${doc.number} は取り下げできません（${doc.status}）`);
    await this.dataSource.transaction(async (manager) => {
      await manager.update(DocumentEntity, doc.id, { status: 'withdrawn' });
      await this.audit.record({ action: 'document_withdrawn', actor: user, target: { type: 'document', id: doc.id }, origin }, manager);
    });
    return this.view({ ...doc, status: 'withdrawn' });
  }

  /** A document the user's office may act on (send for signing, sign in person); anything else is 404. */
  async writable(user: CurrentUser, id: string, origin: RequestOrigin | null): Promise<DocumentView> {
    return this.view(await this.visible(user, id, origin, { write: true }));
  }

  /** What a signing page needs, in one query: the document and the data of its latest version. */
  async summary(id: string): Promise<DocumentSummary> {
    const [row] = await this.dataSource.query(
      `SELECT d.id, d.number, d.network_id, d.form_id, d.office_id, d.status, v.data
         FROM document d
         JOIN LATERAL (SELECT data FROM document_version WHERE document_id = d.id ORDER BY version DESC LIMIT 1) v ON true
        WHERE d.id = $1`,
      [id],
    );
    if (!row) throw new DomainError('NOT_FOUND', '書類が見つかりません');
    const { form } = this.networks.getForm(row.network_id, row.form_id);
    return {
      id: row.id,
      number: row.number,
      networkId: row.network_id,
      formId: row.form_id,
      officeId: row.office_id,
      status: row.status,
      formTitle: form.title,
      formNumber: form.number,
      version: { data: row.data },
    };
  }

  /** For signing and sealing, which act on behalf of the service rather than a logged-in user. */
  async byId(id: string): Promise<DocumentView> {
    return this.view(await this.dataSource.getRepository(DocumentEntity).findOneByOrFail({ id }));
  }

  /** The last signer signed and the PDF is sealed: the document is signed, for good. */
  async markSignedElectronically(manager: EntityManager, id: string): Promise<void> {
    await manager.update(DocumentEntity, { id, status: 'issued' }, { status: 'signed', signedAt: new Date() });
  }

  async get(user: CurrentUser, id: string, origin: RequestOrigin | null): Promise<DocumentView> {
    const doc = await this.visible(user, id, origin);
    if (doc.subjectType === 'patient')
      await this.audit.record({ action: 'document_viewed', actor: user, target: { type: 'document', id: doc.id }, origin });
    return this.view(doc);
  }

  async list(user: CurrentUser, filter: { status?: string; form?: string } = {}): Promise<DocumentView[]> {
    const query = this.dataSource.getRepository(DocumentEntity).createQueryBuilder('d').orderBy('d.createdAt', 'DESC').limit(500);
    if (isOfficeUser(user)) query.andWhere('d.officeId = :office', { office: user.officeId });
    else if (user.role === 'secretariat') {
      const submitted = this.networks
        .getNetwork(user.networkId!)
        .forms.filter((f) => f.custody.originals.includes('secretariat'))
        .map((f) => f.id);
      query.andWhere('d.networkId = :network AND d.formId IN (:...forms)', {
        network: user.networkId,
        forms: submitted.length ? submitted : ['-'],
      });
    }
    if (filter.status) query.andWhere('d.status = :status', { status: filter.status });
    if (filter.form) query.andWhere('d.formId = :form', { form: filter.form });
    const docs = await query.getMany();
    return Promise.all(docs.map((d) => this.view(d)));
  }

  /** The printable PDF of one exemplar (with its mark and QR code), once the worker has printed it. */
  async exemplarPdf(user: CurrentUser, code: string, origin: RequestOrigin | null): Promise<{ exemplar: ExemplarEntity; pdf: Buffer }> {
    const exemplar = await this.custody.findByCode(code);
    if (!exemplar) throw new DomainError('NOT_FOUND', `書類番号「${code}」は見つかりません`);
    const doc = await this.visible(user, exemplar.documentId, origin);
    const pdf = exemplar.pdfSha256 ? await this.pdfs.content(exemplar.pdfSha256) : null;
    if (!pdf) {
      await this.queuePrint([exemplar.id]); // a no-op if it is already queued
      throw new DomainError('PDF_NOT_READY', 'PDFはまだ作成中です。少し待ってからもう一度お試しください');
    }
    await this.audit.record({
      action: 'exemplar_downloaded',
      actor: user,
      target: { type: 'exemplar', id: exemplar.id },
      origin,
      detail: { code: exemplar.code, subject: doc.subjectType },
    });
    return { exemplar, pdf };
  }

  /** For the print processor: the data of the version an exemplar was issued from. */
  async versionData(versionId: string): Promise<Record<string, unknown>> {
    return (await this.dataSource.getRepository(DocumentVersionEntity).findOneByOrFail({ id: versionId })).data;
  }

  /** Loads a document the user may see (or change); anything else is a 404 like a missing one. */
  private async visible(
    user: CurrentUser,
    id: string,
    origin: RequestOrigin | null,
    options: { write?: boolean } = {},
  ): Promise<DocumentEntity> {
    const doc = isUuid(id) ? await this.dataSource.getRepository(DocumentEntity).findOneBy({ id }) : null;
    if (!doc) throw new DomainError('NOT_FOUND', '書類が見つかりません');
    const ownOffice = isOfficeUser(user) && doc.officeId === user.officeId;
    const secretariatSees =
      user.role === 'secretariat' &&
      doc.networkId === user.networkId &&
      this.networks.getForm(doc.networkId, doc.formId).form.custody.originals.includes('secretariat');
    const allowed = options.write ? ownOffice || user.role === 'admin' : ownOffice || secretariatSees || user.role === 'admin';
    if (!allowed) return refuseCrossTenant(this.audit, user, { type: 'document', id }, origin);
    return doc;
  }

  private async currentVersion(documentId: string, manager: EntityManager = this.dataSource.manager): Promise<DocumentVersionEntity> {
    const version = await manager.findOne(DocumentVersionEntity, { where: { documentId }, order: { version: 'DESC' } });
    if (!version) throw new Error(`document ${documentId} has no version`);
    return version;
  }

  private async view(doc: DocumentEntity): Promise<DocumentView> {
    const { form } = this.networks.getForm(doc.networkId, doc.formId);
    const exemplars = await this.custody.forDocuments([doc.id]);
    return {
      ...doc,
      formTitle: form.title,
      formNumber: form.number,
      version: await this.currentVersion(doc.id),
      exemplars: exemplars.map((e) => ({ ...e, mark: this.custody.markFor(e) })),
    };
  }

  /** What the catalogue's prefill mapping may read for this form: the office, and the staff member or patient it is about. */
  private async draftSources(
    user: CurrentUser,
    office: OfficeEntity,
    form: Pick<FormDefinition, 'subject'>,
    subjectId: string | null,
    origin: RequestOrigin | null,
  ): Promise<DraftSources> {
    const manager = await this.dataSource
      .getRepository(StaffMemberEntity)
      .findOne({ where: { officeId: office.id, isManager: true, active: true }, order: { createdAt: 'ASC' } });
    const sources: DraftSources = {
      office: { name: office.name, address: office.address, postalCode: office.postalCode, phone: office.phone },
      manager: { name: manager?.name ?? (user.role === 'office_manager' ? user.name : null) },
      user: { name: user.name },
      issueDate: null,
    };
    if (form.subject !== 'staff' && form.subject !== 'patient') return sources;
    if (!subjectId || !isUuid(subjectId)) {
      const label = form.subject === 'staff' ? '従事者' : '患者';
      throw new DomainError('INVALID_REQUEST', `${label}を選んでください`, {
        errors: [{ path: 'subjectId', label, message: '対象を選んでください' }],
      });
    }
    if (form.subject === 'staff') {
      const staff = await this.dataSource.getRepository(StaffMemberEntity).findOneBy({ id: subjectId });
      if (!staff) throw new DomainError('NOT_FOUND', '従事者が見つかりません');
      if (staff.officeId !== office.id) return refuseCrossTenant(this.audit, user, { type: 'staff_member', id: subjectId }, origin);
      return { ...sources, staff };
    }
    const patient = await this.dataSource.getRepository(PatientEntity).findOneBy({ id: subjectId });
    if (!patient) throw new DomainError('NOT_FOUND', '患者が見つかりません');
    if (patient.officeId !== office.id) return refuseCrossTenant(this.audit, user, { type: 'patient', id: subjectId }, origin);
    const family = await this.dataSource
      .getRepository(FamilyContactEntity)
      .find({ where: { patientId: patient.id }, order: { createdAt: 'ASC' } });
    return { ...sources, patient, family };
  }
}

/** A document's number, as printed under its QR code: the network and a serial, e.g. RURUME-000042. */
async function nextNumber(manager: EntityManager, networkId: string): Promise<string> {
  const [{ n }] = await manager.query(`SELECT nextval('document_number_seq') AS n`);
  return `${networkId.toUpperCase()}-${String(n).padStart(6, '0')}`;
}
