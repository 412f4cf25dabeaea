import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb } from 'pdf-lib';
import QRCode from 'qrcode';
import { DataSource, IsNull } from 'typeorm';
import { UserEntity } from '../accounts/user.entity';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { CustodyService } from '../custody/custody.service';
import { formatJst } from '../common/japan-date';
import { ExemplarEntity } from '../custody/exemplar.entity';
import { DocumentsService } from '../documents/documents.service';
import { MailOutboxEntity } from '../mail/mail-outbox.entity';
import { MailService } from '../mail/mail.service';
import { FieldDefinition } from '../networks/catalogue.types';
import { NetworksService } from '../networks/networks.service';
import { FormPdfService } from '../rendering/form-pdf.service';
import { PdfStoreService } from '../rendering/pdf-store.service';
import { todayInJapan } from '../common/japan-date';
import { SignatureMark } from '../templates/template.engine';
import { sealPdf } from './pdf-sealer';
import { SealCertificate, loadSealCertificate } from './seal-certificate';
import { TimestampAuthority } from './timestamp-authority';
import { DownloadLinkEntity, SignerEntity, SigningRequestEntity } from './signing.entities';
import { SigningService } from './signing.service';
import { sha256Hex } from '../common/hash';

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
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly networks: NetworksService,
    private readonly documents: DocumentsService,
    private readonly custody: CustodyService,
    private readonly formPdf: FormPdfService,
    private readonly pdfs: PdfStoreService,
    private readonly mail: MailService,
    private readonly signing: SigningService,
  ) {
    this.timestampAuthority = config.tsaUrl ? new TimestampAuthority(config.tsaUrl) : null;
  }

  async seal(requestId: string): Promise<{ sha256: string; sealedNow: boolean }> {
    const request = await this.dataSource.getRepository(SigningRequestEntity).findOneByOrFail({ id: requestId });
    if (request.sealedSha256) return { sha256: request.sealedSha256, sealedNow: false };
    if (request.status !== 'completed') throw new Error(`request ${requestId} is ${request.status}, not completed`);
    const document = await this.documents.byId(request.documentId);
    const signers = await this.dataSource
      .getRepository(SignerEntity)
      .createQueryBuilder('s')
      .addSelect('s.signatureImage')
      .where('s.requestId = :id', { id: requestId })
      .orderBy('s.position', 'ASC')
      .getMany();

    const signatures: Record<string, SignatureMark> = {};
    for (const s of signers) {
      signatures[s.role] = {
        imageDataUri: s.signatureKind === 'drawn' ? s.signatureImage : null,
        typedName: s.signatureKind === 'typed' ? s.typedName : null,
        name: s.name,
        signedAt: `${formatJst(s.signedAt!)} 電子署名`,
      };
    }
    const versionId = document.exemplars[0]?.versionId;
    const issued = versionId ? await this.documents.versionData(versionId) : document.version.data;
    const data = withSignerDetails(
      this.networks.getForm(document.networkId, document.formId).form.fields,
      issued,
      signers,
      todayInJapan(request.completedAt ?? new Date()),
    );
    const exemplar = {
      documentNumber: document.number,
      qrDataUri: await QRCode.toDataURL(document.number, { margin: 1, scale: 4 }),
      mark: null,
    };
    const form = await this.formPdf.renderForm(document.networkId, document.formId, data, exemplar, signatures);
    const preSealSha256 = sha256Hex(form.pdf);

    const network = this.networks.getNetwork(document.networkId);
    const context = await this.signing.mailContext(this.dataSource.manager, document);
    const witnesses = await this.witnessNames(signers);
    const auditHtml = this.networks.engine.renderShared('audit-trail.hbs', {
      ...context,
      requestedAt: formatJst(request.createdAt),
      completedAt: formatJst(request.completedAt ?? new Date()),
      preSealSha256,
      sealerName: this.certificateFor().name,
      timestamped: this.timestampAuthority !== null,
      verifyUrl: `${this.config.publicUrl}/verify`,
      signers: signers.map((s) => ({
        ...s,
        method:
          s.method === 'in_person'
            ? `${METHOD_LABEL.in_person}${witnesses[s.witnessUserId ?? ''] ? ` 立会: ${witnesses[s.witnessUserId!]}` : ''}`
            : METHOD_LABEL.email,
        signedAt: s.signedAt ? formatJst(s.signedAt) : '',
      })),
    });
    const audit = await this.formPdf.renderHtml(this.networks.engine.wrapDocument([auditHtml], '監査記録'));
    const merged = await mergePdfs([form.pdf, audit.pdf]);
    const signingTime = new Date();
    // With a TSA configured, a timestamping failure throws here: the job fails and is retried, unsealed.
    const sealed = await sealPdf(
      merged,
      this.certificateFor(),
      {
        reason: `${document.formTitle}（書類番号 ${document.number}）の署名を封緘`,
        location: network.name,
        contactInfo: this.config.publicUrl,
        signingTime,
      },
      this.timestampAuthority,
    );
    // Only networks whose rule gives some party a 写し need the stamped copy.
    const copy = document.exemplars.some((e) => e.kind === 'copy') ? await stampCopy(merged) : null;

    const {
      sha256: sealedSha,
      outbox,
      sealedNow,
    } = await this.dataSource.transaction(async (manager) => {
      const sealedSha = await this.pdfs.save(sealed, form.pageCount + audit.pageCount, manager);
      const changed = await manager.update(
        SigningRequestEntity,
        { id: requestId, sealedSha256: IsNull() },
        { sealedSha256: sealedSha, preSealSha256, sealedAt: signingTime },
      );
      if (changed.affected !== 1) return { sha256: sealedSha, outbox: [] as MailOutboxEntity[], sealedNow: false }; // another attempt won
      const copySha = copy ? await this.pdfs.save(copy, form.pageCount + audit.pageCount, manager) : null;
      await this.documents.markSignedElectronically(manager, document.id);
      const exemplars = await manager.find(ExemplarEntity, { where: { documentId: document.id } });
      for (const e of exemplars) {
        await this.custody.setPdf(e.id, e.kind === 'original' ? sealedSha : copySha!, manager);
        if (e.kind === 'original')
          await this.custody.recordBySystem(manager, e, 'signed_electronically', `封緘 ${sealedSha.slice(0, 16)}…`);
      }
      return { sha256: sealedSha, outbox: await this.sendToFamily(manager, document, signers, exemplars), sealedNow: true };
    });
    await this.mail.dispatch(outbox);
    if (sealedNow) this.logger.log(`sealed ${document.number} (${sealedSha})`);
    return { sha256: sealedSha, sealedNow };
  }

  /**
   * The patient's side gets the exemplar it is owed (its 原本, or the 写し) by an expiring link, sent to
   * every e-mail address among the patient-side signers; the ledger records it as handed over.
   */
  private async sendToFamily(
    manager: import('typeorm').EntityManager,
    document: Awaited<ReturnType<DocumentsService['byId']>>,
    signers: SignerEntity[],
    exemplars: ExemplarEntity[],
  ) {
    const patientExemplar = exemplars.find((e) => e.holder === 'patient');
    if (!patientExemplar) return [];
    const recipients = new Map<string, string>();
    const { form } = this.networks.getForm(document.networkId, document.formId);
    for (const s of signers) {
      const kind = form.signers.find((r) => r.role === s.role)?.kind;
      if (s.email && (kind === 'patient' || kind === 'family' || kind === 'proxy') && !recipients.has(s.email))
        recipients.set(s.email, s.name);
    }
    const outbox: MailOutboxEntity[] = [];
    const expiresAt = new Date(Date.now() + this.config.downloadLinkDays * 86_400_000);
    const context = await this.signing.mailContext(manager, document);
    const mark = patientExemplar.kind === 'original' ? '原本' : '写し';
    for (const [email, name] of recipients) {
      const token = randomBytes(24).toString('base64url');
      await manager.save(
        manager.create(DownloadLinkEntity, {
          tokenHash: sha256Hex(token),
          exemplarId: patientExemplar.id,
          recipient: email,
          expiresAt,
          downloads: 0,
        }),
      );
      const message = this.mail.compose(document.networkId, 'signed-copy', {
        ...context,
        recipientName: name,
        mark,
        link: `${this.config.publicUrl}/d/${token}`,
        expiresAt: formatJst(expiresAt),
        verifyUrl: `${this.config.publicUrl}/verify`,
      });
      outbox.push(await this.mail.enqueue(manager, { kind: 'signed-copy', to: email, ...message }));
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

  private async witnessNames(signers: SignerEntity[]): Promise<Record<string, string>> {
    const ids = signers.map((s) => s.witnessUserId).filter((id): id is string => !!id);
    if (!ids.length) return {};
    const users = await this.dataSource.getRepository(UserEntity).findByIds(ids);
    return Object.fromEntries(users.map((u) => [u.id, u.name]));
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

/**
 * The signed form names who actually signed: a signer role and the group of fields for that person share
 * their id by convention (patient, family1, proxy, …), and the signer's name and 続柄 are written there
 * (the person who signs is who the form must name); a blank date becomes the day the last one signed.
 */
export function withSignerDetails(
  fields: FieldDefinition[],
  data: Record<string, unknown>,
  signers: SignerEntity[],
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

export async function mergePdfs(parts: Buffer[]): Promise<Buffer> {
  const merged = await PDFDocument.create();
  for (const part of parts) {
    const source = await PDFDocument.load(part);
    for (const page of await merged.copyPages(source, source.getPageIndices())) merged.addPage(page);
  }
  return Buffer.from(await merged.save());
}

/** A copy (写し) of the signed document: every page stamped, and no seal (a copy is not the original). */
export async function stampCopy(pdf: Buffer): Promise<Buffer> {
  const document = await PDFDocument.load(pdf);
  document.registerFontkit(fontkit);
  // The TrueType Gothic of the forms, subset to the two glyphs, so the copy still lists only CID TrueType fonts.
  const font = await document.embedFont(readFileSync(GOTHIC_FONT), { subset: true });
  for (const page of document.getPages()) {
    const { width, height } = page.getSize();
    page.drawRectangle({ x: width - 92, y: height - 52, width: 70, height: 32, borderColor: rgb(0.75, 0, 0), borderWidth: 1.5 });
    page.drawText('写し', { x: width - 82, y: height - 44, size: 20, font, color: rgb(0.75, 0, 0) });
  }
  return Buffer.from(await document.save());
}

const GOTHIC_FONT = '/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf';
