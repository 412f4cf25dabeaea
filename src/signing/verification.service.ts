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
import { sealTimestamp } from './pdf-sealer';
import { SigningRepository } from './signing.repository';

export interface Verification {
  /** Byte for byte the file this service sealed. */
  sealedByService: boolean;
  /** It carries this service's seal, but its bytes differ from what was sealed. */
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
 * Answers "is this a PDF we sealed, unchanged?" by its sha256 against the sealed files on record, and
 * names the document, without any personal data.
 */
@Injectable()
export class VerificationService {
  constructor(
    private readonly repository: SigningRepository,
    private readonly custody: CustodyService,
    private readonly documents: DocumentsService,
    private readonly networks: NetworksService,
    private readonly pdfs: PdfStoreService,
    private readonly audit: AuditService,
  ) {}

  async verify(pdf: Buffer): Promise<Verification> {
    if (pdf.length < 5 || pdf.subarray(0, 5).toString('latin1') !== '%PDF-') {
      throw new DomainError('INVALID_REQUEST', 'PDFファイルを選んでください', {
        errors: [{ path: 'file', label: 'ファイル', message: 'PDFファイルではありません' }],
      });
    }
    const hash = sha256Hex(pdf);
    const request = await this.repository.bySealedSha256(hash);
    if (request) {
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
    const claims = pdf.includes('renkei-forms');
    return {
      sealedByService: false,
      altered: claims,
      documentNumber: null,
      form: null,
      network: null,
      sealedAt: null,
      timestamp: null,
      message: claims
        ? 'このPDFには本サービスの封緘がありますが、封緘後に内容が変更されています。原本としては扱えません'
        : '本サービスが封緘した文書ではありません（または変更されています）',
    };
  }

  /** A family member's expiring download link to their exemplar of a sealed document. */
  async download(token: string, origin: RequestOrigin): Promise<{ pdf: Buffer; filename: string }> {
    const link = await this.repository.findDownloadLink(sha256Hex(token));
    if (!link) throw new DomainError('LINK_INVALID', 'このリンクは使えません');
    if (link.expiresAt.getTime() < Date.now())
      throw new DomainError('LINK_EXPIRED', 'このリンクは有効期限が切れています。依頼元の事業所にお問い合わせください');
    const exemplar = await this.custody.exemplar(link.exemplarId);
    if (!exemplar) throw new Error(`exemplar ${link.exemplarId} does not exist`);
    const pdf = exemplar.pdfSha256 ? await this.pdfs.content(exemplar.pdfSha256) : null;
    if (!pdf) throw new DomainError('PDF_NOT_READY', 'PDFを準備しています。少し待ってからもう一度開いてください');
    await this.repository.countDownload(link.tokenHash);
    await this.audit.record({ action: 'family_download', email: link.recipient, target: { type: 'exemplar', id: exemplar.id }, origin });
    return { pdf, filename: `${exemplar.code}.pdf` };
  }
}
