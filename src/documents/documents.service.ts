import { IntegrationEvents } from '../integrations/integration-events.service';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Office } from '../accounts/accounts.types';
import { CurrentUser } from '../common/auth/current-user';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/errors/domain-error';
import { RequestOrigin } from '../common/request-origin';
import { CustodyService } from '../custody/custody.service';
import { Exemplar } from '../custody/custody.types';
import { NetworksService } from '../networks/networks.service';
import { PdfStoreService } from '../rendering/pdf-store.service';
import { RegistrationsService } from '../registrations/registrations.service';
import { DocumentAccessPolicy } from './document-access.policy';
import { DocumentDraftsService } from './document-drafts.service';
import { DocumentPrintingService } from './document-printing.service';
import { DocumentSearch, DocumentsRepository } from './documents.repository';
import { Document, DocumentVersion, DocumentView, LatestDocument, NewDocument, RetentionFacts, isRetired } from './documents.types';
import { Transactions } from '../common/database/transactions';

const RETIRED_WORDS: Record<string, string> = { withdrawn: '取り下げ済み', revoked: '撤回済み', erased: '消去済み' };

export type { DocumentSummary, DocumentView, NewDocument, PrintExemplarJob } from './documents.types';
export { isRetired } from './documents.types';

/**
 * A document's life: drafted (prefilled), issued (its custody rule creates the originals and copies, each
 * printed), signed on paper or electronically, corrected by a new document. Leaving use (withdrawn,
 * revoked, erased) is DocumentRetirementService's. And what pages and other features read of it.
 */
@Injectable()
export class DocumentsService {
  constructor(
    private readonly documents: DocumentsRepository,
    private readonly access: DocumentAccessPolicy,
    private readonly drafts: DocumentDraftsService,
    private readonly printing: DocumentPrintingService,
    private readonly networks: NetworksService,
    private readonly custody: CustodyService,
    private readonly audit: AuditService,
    private readonly pdfs: PdfStoreService,
    private readonly registrations: RegistrationsService,
    private readonly transactions: Transactions,
    private readonly events: IntegrationEvents,
  ) {}

  /** A draft for one subject; the office's, staff member's or patient's details prefill the form. */
  async create(user: CurrentUser, input: NewDocument, origin: RequestOrigin | null): Promise<DocumentView> {
    const { office, form, data: draft } = await this.drafts.draft(user, String(input.form), input.subjectId ?? null, origin);
    const data = this.networks.validate(office.networkId, form.id, { ...draft, ...(input.data ?? {}) });
    const about = form.subject === 'staff' || form.subject === 'patient';
    const document = await this.transactions.run(async (manager) => {
      const { document: doc } = await this.documents.insert(
        manager,
        {
          ...this.rowFor({ networkId: office.networkId, officeId: office.id }, form.id, user),
          subjectType: form.subject,
          subjectId: about ? input.subjectId! : null,
          status: 'draft',
        },
        { data },
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
   * Creates a document and issues it inside the caller's transaction (bulk generation: a person's staff
   * record, pledge and exemplars commit together or not at all). Printing is left to the caller.
   */
  async createIssuedIn(
    manager: EntityManager,
    user: CurrentUser,
    office: Pick<Office, 'id' | 'networkId'>,
    formId: string,
    subjectId: string | null,
    input: Record<string, unknown>,
  ): Promise<{ document: Document; exemplars: Exemplar[] }> {
    const { form } = this.networks.getForm(office.networkId, formId);
    const data = this.networks.validate(office.networkId, form.id, input);
    const { document, version } = await this.documents.insert(
      manager,
      {
        ...this.rowFor({ networkId: office.networkId, officeId: office.id }, form.id, user),
        subjectType: form.subject,
        subjectId,
        status: 'issued',
        issuedAt: new Date(),
      },
      { data },
    );
    const exemplars = await this.createExemplars(manager, document, version, user);
    await this.submitted(manager, document, version);
    return { document, exemplars };
  }

  /**
   * Issues a draft: the network's custody rule creates its exemplars (originals, copies), and each is
   * queued for printing with its own 原本/写し mark and QR code.
   */
  async issue(user: CurrentUser, id: string, origin: RequestOrigin | null): Promise<DocumentView> {
    const doc = await this.access.visible(user, id, origin, { write: true });
    if (doc.status !== 'draft')
      throw new DomainError('INVALID_STATE', `${doc.number} は「${doc.status}」のため発行できません（発行できるのは下書きだけです）`);
    const version = await this.documents.currentVersion(doc.id);
    const exemplars = await this.transactions.run(async (manager) => {
      if (!(await this.documents.transition(manager, doc.id, 'draft', { status: 'issued', issuedAt: new Date() })))
        throw new DomainError('INVALID_STATE', `${doc.number} は既に発行されています`);
      const created = await this.createExemplars(manager, doc, version, user);
      await this.custody.requestPrints(
        created.map((e) => e.id),
        manager,
      );
      await this.submitted(manager, doc, version);
      const detail = { exemplars: created.map((e) => e.code) };
      await this.audit.record(
        { action: 'document_issued', actor: user, target: { type: 'document', id: doc.id }, origin, detail },
        manager,
      );
      await this.events.emit(manager, {
        type: 'document.issued',
        officeId: doc.officeId,
        networkId: doc.networkId,
        data: {
          documentId: doc.id,
          number: doc.number,
          form: doc.formId,
          officeId: doc.officeId,
          status: 'issued',
          exemplars: created.map((e) => e.code),
        },
      });
      return created;
    });
    await this.printing.queuePrint(exemplars.map((e) => e.id));
    return this.view({ ...doc, status: 'issued' });
  }

  /**
   * New data for a document. A draft gets a new version; an issued or signed document never changes:
   * the correction becomes a new draft document whose first version points to the old one.
   */
  async revise(
    user: CurrentUser,
    id: string,
    input: Record<string, unknown>,
    origin: RequestOrigin | null,
    /** Work that commits with the revision (a rights request links its correction), given the revised document's id. */
    alongside?: (manager: EntityManager, documentId: string) => Promise<void>,
  ): Promise<DocumentView> {
    const doc = await this.access.visible(user, id, origin, { write: true });
    const data = this.networks.validate(doc.networkId, doc.formId, input);
    const previous = await this.documents.currentVersion(doc.id);
    const target = { type: 'document', id: doc.id };
    if (doc.status === 'draft') {
      await this.transactions.run(async (manager) => {
        await this.documents.addVersion(manager, previous, data, user.id);
        await this.audit.record({ action: 'document_revised', actor: user, target, origin }, manager);
        await alongside?.(manager, doc.id);
      });
      return this.view(doc);
    }
    if (isRetired(doc.status)) throw new DomainError('INVALID_STATE', `${doc.number} は${RETIRED_WORDS[doc.status]}のため訂正できません`);
    const correction = await this.transactions.run(async (manager) => {
      const { document: created } = await this.documents.insert(
        manager,
        {
          ...this.rowFor(doc, doc.formId, user),
          subjectType: doc.subjectType,
          subjectId: doc.subjectId,
          status: 'draft',
          correctsDocumentId: doc.id,
        },
        { data, previousVersionId: previous.id },
      );
      const detail = { correction: created.number };
      await this.audit.record({ action: 'document_corrected', actor: user, target, origin, detail }, manager);
      await alongside?.(manager, created.id);
      return created;
    });
    return this.view(correction);
  }

  /** The signed paper is back at the office: every original is recorded as signed. */
  async recordPaperSignature(user: CurrentUser, id: string, origin: RequestOrigin | null): Promise<DocumentView> {
    const doc = await this.access.visible(user, id, origin, { write: true });
    if (doc.status !== 'issued') throw new DomainError('INVALID_STATE', `${doc.number} は発行中ではないため署名を記録できません`);
    await this.transactions.run(async (manager) => {
      if (!(await this.documents.transition(manager, doc.id, 'issued', { status: 'signed', signedAt: new Date() })))
        throw new DomainError('INVALID_STATE', `${doc.number} の状態が変わりました。もう一度お試しください`);
      for (const original of await this.custody.originalsOf(doc.id, manager))
        await this.custody.record(user, original.code, 'signed', { origin }, manager);
    });
    return this.view({ ...doc, status: 'signed' });
  }

  /**
   * The last signer signed and the PDF is sealed: the document is signed, for good. False (nothing changed)
   * when it left use meanwhile (withdrawn, erased): the caller must then not seal nor deliver it.
   */
  async markSignedElectronically(manager: EntityManager, id: string): Promise<boolean> {
    return this.documents.transition(manager, id, 'issued', { status: 'signed', signedAt: new Date() });
  }

  async get(user: CurrentUser, id: string, origin: RequestOrigin | null): Promise<DocumentView> {
    const doc = await this.access.visible(user, id, origin);
    if (doc.subjectType === 'patient')
      await this.audit.record({ action: 'document_viewed', actor: user, target: { type: 'document', id: doc.id }, origin });
    return this.view(doc);
  }

  /** A document the user's office may act on (send for signing, sign in person); anything else is 404. */
  async writable(user: CurrentUser, id: string, origin: RequestOrigin | null): Promise<DocumentView> {
    return this.view(await this.access.visible(user, id, origin, { write: true }));
  }

  /** For signing and sealing, which act on behalf of the service rather than a logged-in user. */
  async byId(id: string): Promise<DocumentView> {
    const doc = await this.documents.find(id);
    if (!doc) throw new Error(`document ${id} does not exist`);
    return this.view(doc);
  }

  /** A document's row read in the caller's transaction (no second connection while it holds one). */
  async rowIn(manager: EntityManager, id: string): Promise<Document> {
    const doc = await this.documents.find(id, manager);
    if (!doc) throw new Error(`document ${id} does not exist`);
    return doc;
  }

  /** A page of the documents the user may see (an office's own, a 事務局's network's submitted forms), newest first. */
  async list(user: CurrentUser, filter: { status?: string; form?: string }, page: { limit: number; offset: number }) {
    const [docs, total] = await this.documents.list(this.access.scopeOf(user), filter, page);
    return { documents: await this.views(docs), total };
  }

  /** A page of the office's documents (search and filters: see DocumentSearch), newest first, and how many match. */
  async search(user: CurrentUser, filter: DocumentSearch, page: { offset: number; limit: number }) {
    if (!user.officeId) return { documents: [] as DocumentView[], total: 0 };
    const [docs, total] = await this.documents.search(user.officeId, filter, page);
    return { documents: await this.views(docs), total };
  }

  /** The printable PDF of one exemplar (with its mark and QR code), once the worker has printed it. */
  async exemplarPdf(user: CurrentUser, code: string, origin: RequestOrigin | null): Promise<{ exemplar: Exemplar; pdf: Buffer }> {
    const exemplar = await this.custody.findByCode(code);
    if (!exemplar) throw new DomainError('NOT_FOUND', `書類番号「${code}」は見つかりません`);
    const doc = await this.access.visible(user, exemplar.documentId, origin);
    if (exemplar.state === 'destroyed')
      throw new DomainError('DOCUMENT_RETIRED', `${exemplar.code} は廃棄（消去）されたため、PDFはありません`);
    const pdf = exemplar.pdfSha256 ? await this.pdfs.content(exemplar.pdfSha256) : null;
    if (!pdf) {
      // Asked for again (a failed print is retried); a no-op for the queue if it is already there.
      await this.custody.requestPrints([exemplar.id]);
      await this.printing.queuePrint([exemplar.id]);
      throw new DomainError('PDF_NOT_READY', 'PDFはまだ作成中です。少し待ってからもう一度お試しください');
    }
    const detail = { code: exemplar.code, subject: doc.subjectType };
    await this.audit.record({ action: 'exemplar_downloaded', actor: user, target: { type: 'exemplar', id: exemplar.id }, origin, detail });
    return { exemplar, pdf };
  }

  /** The data of the version an exemplar was issued from. */
  versionData(versionId: string): Promise<Record<string, unknown>> {
    return this.documents.versionData(versionId);
  }

  /** The data of several versions at once, by version id (bulk printing). */
  versionsData(versionIds: string[]): Promise<Map<string, Record<string, unknown>>> {
    return this.documents.versionsData(versionIds);
  }

  /** A patient's documents (with their exemplars) in their office, newest first; the caller checked who may see them. */
  async forPatient(officeId: string, patientId: string, manager?: EntityManager): Promise<DocumentView[]> {
    return this.views(await this.documents.forSubject(officeId, 'patient', patientId, manager));
  }

  /** Every version of these documents, oldest first (a disclosure lists them all). */
  versionsOf(documentIds: string[]): Promise<DocumentVersion[]> {
    return this.documents.versionsOf(documentIds);
  }

  /** What the daily retention job weighs, for every document not yet erased (of one office, or all). */
  /** When a signed correction superseded this document, or null. */
  correctionSignedAt(documentId: string): Promise<Date | null> {
    return this.documents.correctionSignedAt(documentId);
  }

  retentionFacts(officeId?: string): Promise<RetentionFacts[]> {
    return this.documents.retentionFacts(officeId ?? null);
  }

  /** The latest document (in use) per office, form and subject: one query for a whole dashboard. */
  latestDocuments(officeIds: string[], formIds: string[]): Promise<LatestDocument[]> {
    return this.documents.latest(officeIds, formIds);
  }

  /** Who and where a new document comes from; the caller adds its subject and status. */
  private rowFor(at: { networkId: string; officeId: string }, formId: string, user: CurrentUser) {
    return { networkId: at.networkId, officeId: at.officeId, formId, createdBy: user.id };
  }

  /** An issued staff-change notice puts each person it lists on the 事務局's registration desk. */
  private async submitted(manager: EntityManager, doc: Document, version: DocumentVersion): Promise<void> {
    const { form } = this.networks.getForm(doc.networkId, doc.formId);
    if (form.purpose !== 'notice') return;
    const notice = { networkId: doc.networkId, officeId: doc.officeId, formId: doc.formId, documentId: doc.id, data: version.data };
    await this.registrations.noticeIssued(manager, notice);
  }

  private createExemplars(manager: EntityManager, doc: Document, version: DocumentVersion, user: CurrentUser): Promise<Exemplar[]> {
    const { form } = this.networks.getForm(doc.networkId, doc.formId);
    const issued = { documentId: doc.id, versionId: version.id, number: doc.number, networkId: doc.networkId, officeId: doc.officeId };
    return this.custody.createExemplars(manager, { ...issued, formId: doc.formId, rule: form.custody }, user);
  }

  private async view(doc: Document): Promise<DocumentView> {
    return (await this.views([doc]))[0];
  }

  /** Documents as pages show them: two queries for the whole list (their latest versions, their exemplars). */
  private async views(docs: Document[]): Promise<DocumentView[]> {
    const ids = docs.map((d) => d.id);
    const [versions, exemplars] = await Promise.all([this.documents.currentVersions(ids), this.custody.forDocuments(ids)]);
    return docs.map((doc) => {
      const { form } = this.networks.getForm(doc.networkId, doc.formId);
      const version = versions.get(doc.id);
      if (!version) throw new Error(`document ${doc.id} has no version`);
      const own = exemplars.filter((e) => e.documentId === doc.id).map((e) => ({ ...e, mark: this.custody.markFor(e) }));
      return { ...doc, formTitle: form.title, formNumber: form.number, version, exemplars: own };
    });
  }
}
