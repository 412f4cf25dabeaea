import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { UsersService } from '../accounts/users.service';
import { sha256Hex } from '../common/hash';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { CustodyService } from '../custody/custody.service';
import { Exemplar } from '../custody/custody.types';
import { DocumentsService } from '../documents/documents.service';
import { MailService } from '../mail/mail.service';
import { QueuedMail } from '../mail/mail.types';
import { NetworksService } from '../networks/networks.service';
import { PdfStoreService } from '../rendering/pdf-store.service';
import { SigningMailService, newToken } from './signing-mail.service';
import { SigningRepository } from './signing.repository';
import { Signer, SigningDocument, SigningRequest } from './signing.types';

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
  /** Who witnessed in-person signatures, by user id. */
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
    private readonly networks: NetworksService,
    private readonly documents: DocumentsService,
    private readonly custody: CustodyService,
    private readonly users: UsersService,
    private readonly pdfs: PdfStoreService,
    private readonly mailer: SigningMailService,
    private readonly mail: MailService,
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
    const witnessIds = signers.map((s) => s.witnessUserId).filter((id): id is string => !!id);
    const witnesses = Object.fromEntries((await this.users.findByIds(witnessIds)).map((u) => [u.id, u.name]));
    return { request, document, signers, issued, witnesses, context: await this.mailer.context(document) };
  }

  /** Records the seal once: a concurrent attempt that lost the race changes nothing. */
  async recordSealed(source: SealSource, files: SealedFiles): Promise<{ sha256: string; sealedNow: boolean }> {
    const { request, document } = source;
    const { sha256, outbox, sealedNow } = await this.repository.transaction(async (manager) => {
      const sealedSha = await this.pdfs.save(files.sealed, files.pageCount, manager);
      const seal = { sealedSha256: sealedSha, preSealSha256: files.preSealSha256, sealedAt: files.signingTime };
      if (!(await this.repository.markSealed(manager, request.id, seal))) return { sha256: sealedSha, outbox: [], sealedNow: false };
      const copySha = files.copy ? await this.pdfs.save(files.copy, files.pageCount, manager) : null;
      await this.documents.markSignedElectronically(manager, document.id);
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
   * The patient's side gets the exemplar it is owed (its 原本, or the 写し) by an expiring link, sent to
   * every e-mail address among the patient-side signers; the ledger records it as handed over.
   */
  private async sendToFamily(manager: EntityManager, source: SealSource, exemplars: Exemplar[]): Promise<QueuedMail[]> {
    const { document, signers, context } = source;
    const patientExemplar = exemplars.find((e) => e.holder === 'patient');
    if (!patientExemplar) return [];
    const recipients = new Map<string, string>();
    const { form } = this.networks.getForm(document.networkId, document.formId);
    for (const s of signers) {
      const kind = form.signers.find((r) => r.role === s.role)?.kind;
      if (s.email && (kind === 'patient' || kind === 'family' || kind === 'proxy') && !recipients.has(s.email))
        recipients.set(s.email, s.name);
    }
    const outbox: QueuedMail[] = [];
    const expiresAt = new Date(Date.now() + this.config.downloadLinkDays * 86_400_000);
    const mark = patientExemplar.kind === 'original' ? '原本' : '写し';
    for (const [email, name] of recipients) {
      const token = newToken();
      await this.repository.insertDownloadLink(manager, {
        tokenHash: sha256Hex(token),
        exemplarId: patientExemplar.id,
        recipient: email,
        expiresAt,
      });
      outbox.push(await this.mailer.signedCopy(manager, document, context, { to: email, name, mark, token, expiresAt }));
    }
    if (outbox.length)
      await this.custody.recordBySystem(
        manager,
        patientExemplar,
        'handed_to_family',
        `メールで送付（${[...recipients.keys()].join(', ')}）`,
      );
    return outbox;
  }
}
