import { Inject, Injectable, Logger } from '@nestjs/common';
import { sha256Hex } from '../common/hash';
import { formatJst, todayInJapan } from '../common/japan-date';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { FieldDefinition } from '../networks/catalogue.types';
import { NetworksService } from '../networks/networks.service';
import { FormPdfService } from '../rendering/form-pdf.service';
import { SignatureMark } from '../templates/template.engine';
import { extendToLta, renewArchiveTimestamp } from './pdf-archive';
import { SealInfo, sealPdf } from './pdf-sealer';
import { SealCertificate, loadSealCertificate } from './seal-certificate';
import { mergePdfs, stampCopy } from './seal-pdf';
import { SealRecordsService, SealSource } from './seal-records.service';
import { TimestampAuthority } from './timestamp-authority';
import { Signer } from './signing.types';
import { qrSvgDataUri } from '../common/qr-code';

const METHOD_LABEL = { email: 'メールのリンク', in_person: '対面（事業所の端末）' };

/**
 * Finishes a completed request, once: the form with every signature in its place, an audit-trail page,
 * the service's PAdES seal; then every party owed an exemplar gets it (originals: the sealed file itself;
 * copies: stamped 写し), and the custody ledger records it.
 */
@Injectable()
export class SealService {
  private readonly logger = new Logger(SealService.name);
  private certificate: SealCertificate | null = null;
  private readonly timestampAuthority: TimestampAuthority | null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly networks: NetworksService,
    private readonly formPdf: FormPdfService,
    private readonly records: SealRecordsService,
  ) {
    this.timestampAuthority = config.tsaUrl ? new TimestampAuthority(config.tsaUrl) : null;
  }

  async seal(requestId: string): Promise<{ sha256: string | null; sealedNow: boolean }> {
    const request = await this.records.request(requestId);
    if (request.sealedSha256) return { sha256: request.sealedSha256, sealedNow: false };
    if (request.status === 'cancelled') return { sha256: null, sealedNow: false }; // its document left use first
    if (request.status !== 'completed') throw new Error(`request ${requestId} is ${request.status}, not completed`);
    const source = await this.records.sourceOf(request);
    const { document, signers } = source;
    if (document.status !== 'issued') {
      // Withdrawn (or erased) after the last signature: never sealed nor delivered (checked again when recorded).
      await this.records.abandon(request.id);
      this.logger.warn(`not sealing ${document.number}: it is ${document.status}`);
      return { sha256: null, sealedNow: false };
    }

    const signatures: Record<string, SignatureMark> = {};
    for (const s of signers) {
      signatures[s.role] = {
        imageDataUri: s.signatureKind === 'drawn' ? s.signatureImage : null,
        typedName: s.signatureKind === 'typed' ? s.typedName : null,
        name: s.name,
        signedAt: `${formatJst(s.signedAt!)} 電子署名`,
      };
    }
    const data = withSignerDetails(
      this.networks.getForm(document.networkId, document.formId).form.fields,
      source.issued,
      signers,
      todayInJapan(request.completedAt ?? new Date()),
    );
    const exemplar = {
      documentNumber: document.number,
      qrDataUri: await qrSvgDataUri(document.number),
      mark: null,
    };
    const form = await this.formPdf.renderForm(document.networkId, document.formId, data, exemplar, signatures);
    const preSealSha256 = sha256Hex(form.pdf);
    const audit = await this.formPdf.renderHtml(this.networks.engine.wrapDocument([this.auditTrail(source, preSealSha256)], '監査記録'));
    const merged = await mergePdfs([form.pdf, audit.pdf]);
    const signingTime = new Date();
    // With a TSA configured, a timestamping or validation-data failure throws here: the job fails and is retried, unsealed.
    const sealed = await this.sealed(merged, this.certificateFor(), {
      reason: `${document.formTitle}（書類番号 ${document.number}）の署名を封緘`,
      location: this.networks.getNetwork(document.networkId).name,
      contactInfo: this.config.publicUrl,
      signingTime,
    });
    // Only networks whose rule gives some party a 写し need the stamped copy.
    const copy = document.exemplars.some((e) => e.kind === 'copy') ? await stampCopy(merged) : null;

    const result = await this.records.recordSealed(source, {
      sealed,
      copy,
      pageCount: form.pageCount + audit.pageCount,
      preSealSha256,
      signingTime,
      certificateSha256: sha256Hex(this.certificateFor().certificates[0]),
    });
    if (result.sealedNow) this.logger.log(`sealed ${document.number} (${result.sha256})`);
    return result;
  }

  /**
   * A sheet of the service's own (e.g. a 撤回受付票) printed and sealed like a signed document: the same
   * renderer, certificate, PAdES seal and timestamp. With `copy`, also its stamped 写し.
   */
  async sealSheet(
    html: string,
    meta: { networkId: string; reason: string; copy: boolean },
  ): Promise<{ sealed: Buffer; copy: Buffer | null; pageCount: number; preSealSha256: string; signingTime: Date }> {
    const rendered = await this.formPdf.renderHtml(html);
    const signingTime = new Date();
    const sealed = await this.sealed(rendered.pdf, this.certificateFor(), {
      reason: meta.reason,
      location: this.networks.getNetwork(meta.networkId).name,
      contactInfo: this.config.publicUrl,
      signingTime,
    });
    const copy = meta.copy ? await stampCopy(rendered.pdf) : null;
    return { sealed, copy, pageCount: rendered.pageCount, preSealSha256: sha256Hex(rendered.pdf), signingTime };
  }

  /**
   * The PAdES seal: with a timestamping authority, B-LTA (signature timestamp, then validation data and a
   * document timestamp by incremental updates); without one (trials), B-B.
   */
  private async sealed(pdf: Buffer, certificate: SealCertificate, info: SealInfo): Promise<Buffer> {
    const sealed = await sealPdf(pdf, certificate, info, this.timestampAuthority);
    return this.timestampAuthority ? extendToLta(sealed, this.timestampAuthority) : sealed;
  }

  /** A sealed file whose newest document timestamp is renewed: fresh validation data and a new document timestamp. */
  async renewArchive(pdf: Buffer): Promise<Buffer> {
    if (!this.timestampAuthority) throw new Error('renewing an archive timestamp needs TSA_URL');
    return renewArchiveTimestamp(pdf, this.timestampAuthority);
  }

  get archiving(): boolean {
    return this.timestampAuthority !== null;
  }

  /** The audit-trail page: who signed, how, when, witnessed by whom, and the hash of what was sealed. */
  private auditTrail({ request, signers, witnesses, context }: SealSource, preSealSha256: string): string {
    return this.networks.engine.renderShared('audit-trail.hbs', {
      ...context,
      requestedAt: formatJst(request.createdAt),
      completedAt: formatJst(request.completedAt ?? new Date()),
      preSealSha256,
      sealerName: this.certificateFor().name,
      timestamped: this.timestampAuthority !== null,
      verifyUrl: `${this.config.publicUrl}/verify`,
      signers: signers.map((s) => ({
        ...s,
        method: s.signedOfflineAt
          ? `訪問先でオフライン署名（担当: ${witnesses[s.witnessUserId ?? ''] ?? '不明'}）`
          : s.method === 'in_person'
            ? `${METHOD_LABEL.in_person}${witnesses[s.witnessUserId ?? ''] ? ` 立会: ${witnesses[s.witnessUserId!]}` : ''}${switched(s, witnesses)}`
            : METHOD_LABEL.email,
        signedAt: s.signedAt ? formatJst(s.signedOfflineAt ?? s.signedAt) : '',
        offline: s.signedOfflineAt ? { signedOnDevice: formatJst(s.signedOfflineAt), receivedAt: formatJst(s.signedAt!) } : null,
      })),
    });
  }

  private certificateFor(): SealCertificate {
    this.certificate ??= loadSealCertificate({
      p12Path: this.config.sealP12Path,
      passphrase: this.config.sealP12Password,
      devPath: this.config.devSealPath,
      production: !this.config.allowDevSeal,
    });
    return this.certificate;
  }
}

/** An e-mail signer switched by staff to sign in person: when, and by whom (printed on the audit page). */
function switched(s: Pick<Signer, 'switchedToInPersonAt' | 'switchedBy'>, users: Record<string, string>): string {
  if (!s.switchedToInPersonAt) return '';
  return `（メールから対面に切替: ${formatJst(s.switchedToInPersonAt)}${users[s.switchedBy ?? ''] ? ` ${users[s.switchedBy!]}` : ''}）`;
}

/**
 * The signed form names who actually signed: a signer role and the group of fields for that person share
 * their id by convention (patient, family1, proxy, …), and the signer's name and 続柄 are written there
 * (the person who signs is who the form must name); a blank date becomes the day the last one signed.
 */
export function withSignerDetails(
  fields: FieldDefinition[],
  data: Record<string, unknown>,
  signers: Array<Pick<Signer, 'role' | 'name' | 'relation' | 'proxyReason'>>,
  completedOn: string,
): Record<string, unknown> {
  const filled = { ...data };
  for (const signer of signers) {
    const group = fields.find((f) => f.key === signer.role && f.type === 'group');
    if (!group) continue;
    const person = { ...((filled[signer.role] as Record<string, unknown> | undefined) ?? {}) };
    const declares = (key: string) => group.fields?.some((f) => f.key === key) ?? false;
    if (declares('name')) person.name = signer.name;
    if (declares('relation') && signer.relation) person.relation = signer.relation;
    if (declares('reason') && signer.proxyReason && !person.reason) person.reason = signer.proxyReason;
    filled[signer.role] = person;
  }
  if (fields.some((f) => f.key === 'date' && f.type === 'date') && !filled.date) filled.date = completedOn;
  return filled;
}
