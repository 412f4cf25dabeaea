import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/errors/domain-error';
import { sha256Hex } from '../common/hash';
import { formatJst, todayInJapan } from '../common/japan-date';
import { RequestOrigin } from '../common/request-origin';
import { CustodyService } from '../custody/custody.service';
import { DocumentsService, DocumentView } from '../documents/documents.service';
import { NetworksService } from '../networks/networks.service';
import { PdfStoreService } from '../rendering/pdf-store.service';
import { PadesLevel, ReadSignature, archiveFacts, readSignatures } from './pdf-archive';
import { sealTimestamp } from './pdf-sealer';
import { SigningLinksService } from './signing-links.service';
import { FamilyLinksRepository } from './family-links.repository';
import { SealedFilesRepository } from './sealed-files.repository';
import { SigningRepository } from './signing.repository';
import { SigningRequest } from './signing.types';
import { retiredDownloadError } from './signing.validation';
import { isRetired } from '../documents/documents.types';

export interface Verification {
  /** Byte for byte a file this service sealed, and its seal's signature checks out. */
  sealedByService: boolean;
  /** It begins with a file this service sealed, its seal checks out, and something was added after the seal. */
  altered: boolean;
  documentNumber: string | null;
  form: string | null;
  network: string | null;
  sealedAt: string | null;
  /** The RFC 3161 timestamp on the seal, checked against the seal's signature, if there is one. */
  timestamp: { time: string; authority: string } | null;
  /** PAdES level of the file: B-B bare seal, B-T timestamped, B-LT with validation data, B-LTA with a document timestamp. */
  level: PadesLevel | null;
  /** The seal's signature timestamp and each document timestamp, oldest first (ISO 8601 times). */
  timestamps: Array<{ kind: 'signature' | 'document'; time: string; issuer: string }>;
  /** Until when the newest timestamp keeps the file verifiable as it is (its authority's certificate's expiry). */
  verifiableUntil: string | null;
  /** The document now: in use, revoked (consent withdrawn, 撤回), withdrawn (取り下げ), or superseded by a signed correction. */
  state: DocumentState | null;
  /** The day (Japan) that state began: the withdrawal's day for revoked; null while valid. */
  stateSince: string | null;
  message: string;
}

export const DOCUMENT_STATES = ['valid', 'revoked', 'withdrawn', 'superseded'] as const;
export type DocumentState = (typeof DOCUMENT_STATES)[number];

/**
 * Answers "is this a PDF we sealed, unchanged?" and names the document, without any personal data. Only a
 * signature that checks out counts, whatever else the file contains:
 * - it covers the whole file, and the file is a sealed file on record: sealed by this service, unchanged;
 * - it covers a sealed file on record, and bytes were added after it: sealed, then changed;
 * - it was made with a certificate this service seals with, but no longer matches what it covers: sealed,
 *   then changed;
 * - anything else: not sealed by this service.
 */
@Injectable()
export class VerificationService {
  constructor(
    private readonly repository: SigningRepository,
    private readonly familyLinks: FamilyLinksRepository,
    private readonly custody: CustodyService,
    private readonly documents: DocumentsService,
    private readonly networks: NetworksService,
    private readonly pdfs: PdfStoreService,
    private readonly audit: AuditService,
    private readonly links: SigningLinksService,
    private readonly sealedFiles: SealedFilesRepository,
  ) {}

  async verify(pdf: Buffer): Promise<Verification> {
    if (pdf.length < 5 || pdf.subarray(0, 5).toString('latin1') !== '%PDF-') {
      throw new DomainError('INVALID_REQUEST', 'PDFファイルを選んでください', {
        errors: [{ path: 'file', label: 'ファイル', message: 'PDFファイルではありません' }],
      });
    }
    // The longest revision that is a sealed file on record decides; our own later updates (validation data,
    // document timestamps) are part of the file on record.
    const signatures = readSignatures(pdf);
    let match: { request: SigningRequest; end: number } | null = null;
    let ours = false;
    for (const signature of signatures) {
      const ourSeal = signature.kind === 'seal' && (await this.repository.knowsSealCertificate(sha256Hex(signature.certificate!)));
      if (!signature.holds) {
        if (ourSeal || ours) return ALTERED_SEAL;
        continue;
      }
      const request = await this.sealedRequest(sha256Hex(pdf.subarray(0, signature.end)));
      if (request) match = { request, end: signature.end };
      ours ||= ourSeal || request !== null;
    }
    if (match) return match.end === pdf.length ? this.sealed(pdf, match.request, signatures) : ALTERED_SEAL;
    return ours ? UNKNOWN_SEAL : NOT_OURS;
  }

  /** The signing request whose sealed file this is, as sealed or as renewed since. */
  private async sealedRequest(sha256: string): Promise<SigningRequest | null> {
    const request = await this.repository.bySealedSha256(sha256);
    if (request) return request;
    const file = await this.sealedFiles.byHash(sha256);
    return file?.requestId ? this.repository.findRequest(file.requestId) : null;
  }

  private async sealed(pdf: Buffer, request: SigningRequest, signatures: ReadSignature[]): Promise<Verification> {
    const document = await this.documents.byId(request.documentId);
    const timestamp = sealTimestamp(pdf);
    const facts = archiveFacts(pdf, signatures);
    const { state, stateSince } = await this.stateOf(document);
    return {
      sealedByService: true,
      altered: false,
      documentNumber: document.number,
      form: `${document.formNumber} ${document.formTitle}`,
      network: this.networks.getNetwork(document.networkId).name,
      sealedAt: formatJst(request.sealedAt!),
      timestamp: timestamp ? { time: formatJst(timestamp.time, { seconds: true }), authority: timestamp.authority } : null,
      level: facts.level,
      timestamps: facts.timestamps.map((t) => ({ kind: t.kind, time: t.time.toISOString(), issuer: t.issuer })),
      verifiableUntil: facts.verifiableUntil?.toISOString() ?? null,
      state,
      stateSince,
      message: `本サービスが封緘した文書です。封緘後に変更されていません（書類番号 ${document.number}）`,
    };
  }

  /** What became of the document since its seal: ended (revoked, withdrawn, erased after either) or superseded. */
  private async stateOf(document: DocumentView): Promise<{ state: DocumentState; stateSince: string | null }> {
    if (document.status === 'revoked') return { state: 'revoked', stateSince: document.endedOn };
    if (document.status === 'withdrawn' || document.status === 'erased') return { state: 'withdrawn', stateSince: document.endedOn };
    const superseded = await this.documents.correctionSignedAt(document.id);
    if (superseded) return { state: 'superseded', stateSince: todayInJapan(superseded) };
    return { state: 'valid', stateSince: null };
  }

  /**
   * A family member's download link, while it is valid: the exemplar's document and to whom it was sent (whose
   * 暗証番号, if they had one, guards it).
   */
  async familyDownloadLink(token: string): Promise<{ documentId: string; recipient: string; tokenHash: string; exemplarId: string }> {
    const link = typeof token === 'string' && token.length <= 100 ? await this.familyLinks.findDownloadLink(sha256Hex(token)) : null;
    if (!link) throw new DomainError('LINK_INVALID', 'このリンクは使えません');
    if (link.expiresAt.getTime() < Date.now())
      throw new DomainError('LINK_EXPIRED', 'このリンクは有効期限が切れています。依頼元の事業所にお問い合わせください');
    const exemplar = await this.custody.findById(link.exemplarId);
    if (!exemplar) throw new Error(`exemplar ${link.exemplarId} does not exist`);
    return { documentId: exemplar.documentId, recipient: link.recipient, tokenHash: link.tokenHash, exemplarId: exemplar.id };
  }

  /**
   * Checks the 暗証番号 at a download link (the signing page's counter and lock); returns the secret that lets
   * this browser download, or null when the link has no 暗証番号.
   */
  async unlockDownload(token: string, code: string, origin: RequestOrigin | null): Promise<string | null> {
    const link = await this.familyDownloadLink(token);
    if (!(await this.links.familyLinkGuard(link.documentId, link.recipient))) return null;
    return this.links.verifyFamilyAccessCode(link.documentId, link.recipient, code, origin);
  }

  /** A family member's expiring download link to their exemplar of a sealed document, behind their 暗証番号 if they had one. */
  async download(token: string, accessSecret: string | null, origin: RequestOrigin): Promise<{ pdf: Buffer; filename: string }> {
    const link = await this.familyDownloadLink(token);
    await this.links.assertFamilyAccess(link.documentId, link.recipient, accessSecret);
    const exemplar = (await this.custody.findById(link.exemplarId))!;
    // A document that left use is not delivered, except its 撤回受付票, which exists because it did.
    const { status } = await this.documents.byId(exemplar.documentId);
    if (isRetired(status) && (exemplar.sheet !== 'withdrawal-receipt' || status === 'erased')) throw retiredDownloadError(status);
    const pdf = exemplar.pdfSha256 ? await this.pdfs.content(exemplar.pdfSha256) : null;
    if (!pdf) throw new DomainError('PDF_NOT_READY', 'PDFを準備しています。少し待ってからもう一度開いてください');
    await this.familyLinks.countDownload(link.tokenHash);
    // Who: the link (its recipient is on record until the document is erased); the append-only log names no one.
    const detail = { link: link.tokenHash };
    await this.audit.record({ action: 'family_download', target: { type: 'exemplar', id: exemplar.id }, origin, detail });
    return { pdf, filename: `${exemplar.code}.pdf` };
  }
}

const ALTERED = 'このPDFには本サービスの封緘がありますが、封緘後に内容が追加・変更されています。原本としては扱えません';

const UNKNOWN: Omit<Verification, 'message'> = {
  sealedByService: false,
  altered: false,
  documentNumber: null,
  form: null,
  network: null,
  sealedAt: null,
  timestamp: null,
  level: null,
  timestamps: [],
  verifiableUntil: null,
  state: null,
  stateSince: null,
};

const ALTERED_SEAL: Verification = { ...UNKNOWN, altered: true, message: ALTERED };

const UNKNOWN_SEAL: Verification = {
  ...UNKNOWN,
  message: 'このPDFには本サービスの証明書による封緘がありますが、この文書の記録が見つかりません。事務局にお問い合わせください',
};

const NOT_OURS: Verification = {
  ...UNKNOWN,
  message: '本サービスが封緘した文書ではありません（本サービスの封緘が見つからないか、封緘の署名が合いません）',
};
