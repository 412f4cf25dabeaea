import { SigningEvents } from './signing-events';
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { UsersService } from '../accounts/users.service';
import { sha256Hex } from '../common/hash';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { CustodyService } from '../custody/custody.service';
import { Exemplar } from '../custody/custody.types';
import { DocumentRetirementService } from '../documents/document-retirement.service';
import { DocumentsService } from '../documents/documents.service';
import { MailService } from '../mail/mail.service';
import { QueuedMail } from '../mail/mail.types';
import { NetworksService } from '../networks/networks.service';
import { PdfStoreService } from '../rendering/pdf-store.service';
import { archiveFacts, readSignatures } from './pdf-archive';
import { SealedFilesRepository } from './sealed-files.repository';
import { SigningMailService, newToken } from './signing-mail.service';
import { FamilyLinksRepository } from './family-links.repository';
import { SigningRepository } from './signing.repository';
import { Signer, SigningDocument, SigningRequest } from './signing.types';
import { Transactions } from '../common/database/transactions';

/** The document being sealed, with its exemplars: the version they were issued from, and whether a 写し is owed. */
export interface DocumentToSeal extends SigningDocument {
  exemplars: Array<{ versionId: string; kind: 'original' | 'copy' }>;
}

/** Everything the sealed PDF is made of. */
export interface SealSource {
  request: SigningRequest;
  document: DocumentToSeal;
  signers: Array<Signer & { signatureImage: string | null }>;
  /** The data of the version the exemplars were issued from. */
  issued: Record<string, unknown>;
  /** Who witnessed in-person signatures (and who switched an e-mail signer to in person), by user id. */
  witnesses: Record<string, string>;
  /** What the audit-trail page and the messages say of the document. */
  context: Record<string, unknown>;
}

/** The sealed file, its 写し when one is owed, and what the seal recorded. */
export interface SealedFiles {
  sealed: Buffer;
  copy: Buffer | null;
  pageCount: number;
  preSealSha256: string;
  signingTime: Date;
  /** sha256 of the sealing certificate (DER). */
  certificateSha256: string;
}

/**
 * What sealing reads and records: the request and its signatures, then, once the PDF is sealed, the file,
 * the exemplars (originals: the sealed file; copies: the 写し), the custody ledger, and the patient's
 * side's download links.
 */
@Injectable()
export class SealRecordsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: SigningRepository,
    private readonly familyLinks: FamilyLinksRepository,
    private readonly networks: NetworksService,
    private readonly documents: DocumentsService,
    private readonly retirement: DocumentRetirementService,
    private readonly custody: CustodyService,
    private readonly users: UsersService,
    private readonly pdfs: PdfStoreService,
    private readonly mailer: SigningMailService,
    private readonly mail: MailService,
    private readonly sealedFiles: SealedFilesRepository,
    private readonly transactions: Transactions,
    private readonly events: SigningEvents,
  ) {}

  async request(requestId: string): Promise<SigningRequest> {
    const request = await this.repository.findRequest(requestId);
    if (!request) throw new Error(`signing request ${requestId} does not exist`);
    return request;
  }

  async sourceOf(request: SigningRequest): Promise<SealSource> {
    const document = await this.documents.byId(request.documentId);
    const signers = await this.repository.signaturesOf(request.id);
    const versionId = document.exemplars[0]?.versionId;
    const issued = versionId ? await this.documents.versionData(versionId) : document.version.data;
    const witnessIds = signers.flatMap((s) => [s.witnessUserId, s.switchedBy]).filter((id): id is string => !!id);
    const witnesses = Object.fromEntries((await this.users.findByIds(witnessIds)).map((u) => [u.id, u.name]));
    return { request, document, signers, issued, witnesses, context: await this.mailer.context(document) };
  }

  /**
   * A completed request whose document left use (withdrawn, erased) before its seal: it is never sealed nor
   * delivered; the request is closed as cancelled.
   */
  async abandon(requestId: string): Promise<void> {
    await this.transactions.run((manager) => this.repository.abandon(manager, requestId));
  }

  /**
   * Records the seal once: a concurrent attempt that lost the race changes nothing. The document's state is
   * checked again under its lock: one withdrawn meanwhile is neither sealed nor delivered.
   */
  async recordSealed(source: SealSource, files: SealedFiles): Promise<{ sha256: string | null; sealedNow: boolean }> {
    const { request, document } = source;
    const { sha256, outbox, sealedNow } = await this.transactions.run(async (manager) => {
      const current = await this.retirement.lock(manager, document.id);
      if (current?.status !== 'issued') {
        await this.repository.abandon(manager, request.id);
        return { sha256: null, outbox: [], sealedNow: false };
      }
      const sealedSha = await this.pdfs.save(files.sealed, files.pageCount, manager);
      const seal = {
        sealedSha256: sealedSha,
        preSealSha256: files.preSealSha256,
        sealedAt: files.signingTime,
        sealCertificateSha256: files.certificateSha256,
      };
      if (!(await this.repository.markSealed(manager, request.id, seal))) return { sha256: sealedSha, outbox: [], sealedNow: false };
      const copySha = files.copy ? await this.pdfs.save(files.copy, files.pageCount, manager) : null;
      await this.recordSealedFile(manager, files.sealed, { sha256: sealedSha, documentId: document.id, requestId: request.id });
      await this.documents.markSignedElectronically(manager, document.id);
      await this.events.emit(manager, 'document.sealed', document, request.id, {
        status: 'signed',
        sealedSha256: sealedSha,
        sealedAt: files.signingTime.toISOString(),
      });
      const exemplars = await this.custody.exemplarsOf(document.id, manager);
      for (const e of exemplars) {
        await this.custody.setPdf(e.id, e.kind === 'original' ? sealedSha : copySha!, manager);
        if (e.kind === 'original')
          await this.custody.recordBySystem(manager, e, 'signed_electronically', `封緘 ${sealedSha.slice(0, 16)}…`);
      }
      return { sha256: sealedSha, outbox: await this.sendToFamily(manager, source, exemplars), sealedNow: true };
    });
    await this.mail.dispatch(outbox);
    return { sha256, sealedNow };
  }

  /**
   * A sealed file on record (/verify knows it by its hash) with the date until which its newest document
   * timestamp keeps it verifiable, for renewal; a file without one (sealed without a TSA) is never due.
   */
  async recordSealedFile(
    manager: EntityManager,
    pdf: Buffer,
    file: { sha256: string; documentId: string; requestId: string | null },
  ): Promise<void> {
    const facts = archiveFacts(pdf, readSignatures(pdf));
    const documentTimestamped = facts.timestamps.some((t) => t.kind === 'document');
    await this.sealedFiles.record(manager, { ...file, verifiableUntil: documentTimestamped ? facts.verifiableUntil : null });
  }

  /**
   * The patient's side gets the exemplar it is owed (its 原本, or the 写し) by an expiring link, sent to
   * every e-mail address among the patient-side signers; the ledger records it as handed over. A consent's
   * copy e-mail also carries the link by which the family may later withdraw it.
   */
  private async sendToFamily(manager: EntityManager, source: SealSource, exemplars: Exemplar[]): Promise<QueuedMail[]> {
    const { document, signers, context } = source;
    const { form } = this.networks.getForm(document.networkId, document.formId);
    const patientExemplar = exemplars.find((e) => e.holder === 'patient');
    if (!patientExemplar) return [];
    return this.deliverToPatientSide(manager, document, patientExemplar, this.patientSide(document, signers), async (to, expiresAt) => {
      const withdrawal = form.purpose === 'consent' ? newToken() : null;
      if (withdrawal)
        await this.familyLinks.insertWithdrawalLink(manager, {
          tokenHash: sha256Hex(withdrawal),
          documentId: document.id,
          recipient: to,
          expiresAt,
        });
      return {
        kind: 'signed-copy',
        context: { ...context, withdrawLink: withdrawal ? `${this.config.publicUrl}/withdraw/${withdrawal}` : null },
      };
    });
  }

  /** The e-mail addresses of the patient's side (patient, family, proxy) among the signers, with their names. */
  patientSide(document: Pick<SigningDocument, 'networkId' | 'formId'>, signers: Signer[]): Map<string, string> {
    const { form } = this.networks.getForm(document.networkId, document.formId);
    const recipients = new Map<string, string>();
    for (const s of signers) {
      const kind = form.signers.find((r) => r.role === s.role)?.kind;
      if (s.email && (kind === 'patient' || kind === 'family' || kind === 'proxy') && !recipients.has(s.email))
        recipients.set(s.email, s.name);
    }
    return recipients;
  }

  /** The patient's side of a sealed document, by e-mail: who signed it for the patient (the parties to a consent). */
  async patientSideOf(document: Pick<SigningDocument, 'id' | 'networkId' | 'formId'>): Promise<Map<string, string>> {
    return this.patientSide(document, await this.repository.signersOfCompleted(document.id));
  }

  /**
   * Sends the patient's exemplar of a sealed sheet (the form, or its 撤回受付票) to each recipient by an
   * expiring download link, inside the caller's transaction; records it as handed to the family.
   */
  async deliverToPatientSide(
    manager: EntityManager,
    document: SigningDocument,
    exemplar: Exemplar,
    recipients: Map<string, string>,
    message: (to: string, expiresAt: Date) => Promise<{ kind: 'signed-copy' | 'withdrawal-receipt'; context: Record<string, unknown> }>,
  ): Promise<QueuedMail[]> {
    const outbox: QueuedMail[] = [];
    const expiresAt = new Date(Date.now() + this.config.downloadLinkDays * 86_400_000);
    const mark = exemplar.kind === 'original' ? '原本' : '写し';
    for (const [email, name] of recipients) {
      const token = newToken();
      await this.familyLinks.insertDownloadLink(manager, {
        tokenHash: sha256Hex(token),
        exemplarId: exemplar.id,
        recipient: email,
        expiresAt,
      });
      const { kind, context } = await message(email, expiresAt);
      outbox.push(await this.mailer.patientCopy(manager, document, kind, context, { to: email, name, mark, token, expiresAt }));
    }
    // The ledger keeps no personal data: how many were sent, not to whom (the links and the outbox say so, until erased).
    if (outbox.length) await this.custody.recordBySystem(manager, exemplar, 'handed_to_family', `メールで送付（${outbox.length}件）`);
    return outbox;
  }
}
