import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/errors/domain-error';
import { sha256Hex } from '../common/hash';
import { formatJst } from '../common/japan-date';
import { RequestOrigin } from '../common/request-origin';
import { CustodyService } from '../custody/custody.service';
import { DocumentsService } from '../documents/documents.service';
import { NetworksService } from '../networks/networks.service';
import { PdfStoreService } from '../rendering/pdf-store.service';
import { checkSignature, pdfSignatures, sealTimestamp } from './pdf-sealer';
import { SigningLinksService } from './signing-links.service';
import { FamilyLinksRepository } from './family-links.repository';
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
  message: string;
}

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
  ) {}

  async verify(pdf: Buffer): Promise<Verification> {
    if (pdf.length < 5 || pdf.subarray(0, 5).toString('latin1') !== '%PDF-') {
      throw new DomainError('INVALID_REQUEST', 'PDFファイルを選んでください', {
        errors: [{ path: 'file', label: 'ファイル', message: 'PDFファイルではありません' }],
      });
    }
    let verdict: Verification = NOT_OURS;
    for (const signature of pdfSignatures(pdf)) {
      const check = checkSignature(pdf, signature);
      if (!check) continue;
      const request = check.holds ? await this.repository.bySealedSha256(sha256Hex(pdf.subarray(0, signature.end))) : null;
      if (request) return signature.end === pdf.length ? this.sealed(pdf, request) : ALTERED_SEAL;
      if (!(await this.repository.knowsSealCertificate(sha256Hex(check.certificate)))) continue;
      if (!check.holds) return ALTERED_SEAL;
      verdict = UNKNOWN_SEAL;
    }
    return verdict;
  }

  private async sealed(pdf: Buffer, request: SigningRequest): Promise<Verification> {
    const document = await this.documents.byId(request.documentId);
    const timestamp = sealTimestamp(pdf);
    return {
      sealedByService: true,
      altered: false,
      documentNumber: document.number,
      form: `${document.formNumber} ${document.formTitle}`,
      network: this.networks.getNetwork(document.networkId).name,
      sealedAt: formatJst(request.sealedAt!),
      timestamp: timestamp ? { time: formatJst(timestamp.time, { seconds: true }), authority: timestamp.authority } : null,
      message: `本サービスが封緘した文書です。封緘後に変更されていません（書類番号 ${document.number}）`,
    };
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
