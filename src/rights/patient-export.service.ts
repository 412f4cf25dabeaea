import { Injectable } from '@nestjs/common';
import { OfficesService } from '../accounts/offices.service';
import { CurrentUser } from '../common/auth/current-user';
import { AuditService } from '../audit/audit.service';
import { toExcelCsv } from '../common/csv';
import { DomainError } from '../common/errors/domain-error';
import { formatJst, toSeireki, todayInJapan } from '../common/japan-date';
import { RequestOrigin } from '../common/request-origin';
import { CustodyService } from '../custody/custody.service';
import { custodyEventLabel } from '../custody/custody.types';
import { DocumentPrintingService } from '../documents/document-printing.service';
import { DocumentView, DocumentsService } from '../documents/documents.service';
import { DOCUMENT_STATUS_LABELS, DocumentVersion } from '../documents/documents.types';
import { HOLDER_LABELS } from '../networks/catalogue.types';
import { NetworksService } from '../networks/networks.service';
import { PatientWithFamily } from '../people/people.types';
import { PdfStoreService } from '../rendering/pdf-store.service';
import { SigningService } from '../signing/signing.service';
import { CoverLine, drawCover } from './export-cover';
import { RightsAccessPolicy } from './rights-access.policy';
import { RightsRepository } from './rights.repository';

/** What the access log (the §33 record of provision) lists: every view and download of the patient's records. */
const ACCESS_ACTIONS: Record<string, string> = {
  patient_viewed: '患者情報の閲覧',
  document_viewed: '書類の閲覧',
  exemplar_downloaded: 'PDFのダウンロード',
  family_download: '患者・家族によるダウンロード',
  patient_exported: '開示資料の出力',
};

interface ZipEntry {
  name: string;
  content: Buffer;
}

/**
 * 開示: everything the service holds on a patient, as one ZIP — each document and version as PDF (the
 * sealed file where sealed), the 撤回受付票, patient.json (patient, family, documents' data, requests),
 * access-log.csv (who viewed or downloaded what, when, from where), each exemplar's custody history, and a
 * Japanese cover (index.pdf) listing it all. A PDF the worker has not printed yet is queued, and the export
 * answers 409 until it is there. The export is itself audit-logged.
 */
@Injectable()
export class PatientExportService {
  constructor(
    private readonly access: RightsAccessPolicy,
    private readonly repository: RightsRepository,
    private readonly documents: DocumentsService,
    private readonly printing: DocumentPrintingService,
    private readonly custody: CustodyService,
    private readonly signing: SigningService,
    private readonly networks: NetworksService,
    private readonly offices: OfficesService,
    private readonly pdfs: PdfStoreService,
    private readonly audit: AuditService,
  ) {}

  /** Whether the export can be made now; the PDFs it still lacks are queued for the worker (the page polls this). */
  async prepare(user: CurrentUser, patientId: string, origin: RequestOrigin | null): Promise<{ ready: boolean; pending: number }> {
    const { live, versions, withdrawals } = await this.gather(await this.access.patient(user, patientId, origin));
    const pending = await this.queueMissing(
      live,
      versions,
      withdrawals.map((w) => w.documentId),
    );
    return { ready: pending === 0, pending };
  }

  async export(user: CurrentUser, patientId: string, origin: RequestOrigin | null): Promise<{ filename: string; zip: Buffer }> {
    const patient = await this.access.patient(user, patientId, origin);
    const { docs, live, versions, withdrawals } = await this.gather(patient);
    const pending = await this.queueMissing(
      live,
      versions,
      withdrawals.map((w) => w.documentId),
    );
    if (pending)
      throw new DomainError('PDF_NOT_READY', `開示資料のPDF（${pending}件）を準備しています。少し待ってからもう一度お試しください`);
    const { entries: pdfEntries, cover: pdfLines } = await this.documentPdfs(live, versions);
    const { entries: custodyEntries, cover: custodyLines } = await this.custodyFiles(docs);
    const access = await this.accessLog(patient, docs);
    const json = await this.patientJson(patient, docs, versions, withdrawals);
    const exportedAt = new Date();
    const office = await this.offices.get(patient.officeId);
    const cover = await drawCover('保有個人データの開示資料', [
      { text: `患者: ${patient.name}　様` },
      { text: `事業所: ${office.name}（${this.networks.getNetwork(office.networkId).name}）` },
      { text: `作成日: ${toSeireki(todayInJapan(exportedAt))}　作成者: ${user.name}` },
      { text: 'この資料は、本サービスが保有するこの患者の個人データのすべてです（個人情報保護法第33条による開示）。' },
      { heading: 'このZIPファイルの内容' },
      { file: 'index.pdf', about: 'この目録' },
      { file: 'patient.json', about: '患者と家族の登録内容、各書類の記入内容（全版）、同意の撤回、権利に関する請求（JSON形式）' },
      { file: 'access-log.csv', about: `閲覧・ダウンロードの記録（誰が・いつ・どこから）${access.rows}件（第三者提供の記録を含む）` },
      { heading: '書類のPDF' },
      ...(pdfLines.length ? pdfLines : [{ text: '書類はありません' }]),
      { heading: '原本・写しの保管の履歴' },
      ...(custodyLines.length ? custodyLines : [{ text: '原本・写しはありません' }]),
    ]);
    const zip = await this.zip(
      [
        { name: 'index.pdf', content: cover },
        { name: 'patient.json', content: Buffer.from(JSON.stringify(json, null, 2), 'utf8') },
        { name: 'access-log.csv', content: Buffer.from(access.csv, 'utf8') },
        ...pdfEntries,
        ...custodyEntries,
      ],
      exportedAt,
    );
    const detail = { files: 3 + pdfEntries.length + custodyEntries.length, documents: live.length };
    await this.audit.record({ action: 'patient_exported', actor: user, target: { type: 'patient', id: patient.id }, origin, detail });
    return { filename: `disclosure-${todayInJapan(exportedAt)}.zip`, zip };
  }

  private async gather(patient: PatientWithFamily) {
    if (patient.erasedAt) throw new DomainError('INVALID_STATE', 'この患者の情報は消去されています。開示する個人データはありません');
    const docs = await this.documents.forPatient(patient.officeId, patient.id);
    const live = docs.filter((d) => d.status !== 'erased');
    const versions = await this.documents.versionsOf(live.map((d) => d.id));
    const withdrawals = await this.repository.withdrawalsOf(docs.map((d) => d.id));
    return { docs, live, versions, withdrawals };
  }

  /** The PDF that stands for a version: the exemplar it was issued as (sealed where sealed), else its own print. */
  private pdfOf(doc: DocumentView, version: DocumentVersion) {
    const issued = doc.exemplars.filter((e) => e.sheet === 'form' && e.versionId === version.id).sort((a, b) => rank(a) - rank(b))[0];
    return { issued, sha: issued ? issued.pdfSha256 : (version.pdfSha256 ?? null) };
  }

  /** Queues what the worker has not printed yet; returns how many PDFs (and 撤回受付票 still being sealed) are missing. */
  private async queueMissing(docs: DocumentView[], versions: DocumentVersion[], withdrawn: string[]): Promise<number> {
    const exemplars: string[] = [];
    const bare: string[] = [];
    let receipts = 0;
    for (const doc of docs) {
      for (const version of versions.filter((v) => v.documentId === doc.id)) {
        const { issued, sha } = this.pdfOf(doc, version);
        if (!sha) (issued ? exemplars : bare).push(issued ? issued.id : version.id);
      }
      const receipt = doc.exemplars.some((e) => e.sheet === 'withdrawal-receipt' && e.pdfSha256);
      if (withdrawn.includes(doc.id) && !receipt) receipts++; // the worker seals it on its own
    }
    await this.printing.queuePrint(exemplars);
    await this.printing.queueVersionPrint(bare);
    return exemplars.length + bare.length + receipts;
  }

  /** Each version's PDF and each 撤回受付票, with the cover's line for it. */
  private async documentPdfs(docs: DocumentView[], versions: DocumentVersion[]) {
    const entries: ZipEntry[] = [];
    const cover: CoverLine[] = [];
    const add = async (name: string, sha: string, about: string) => {
      const pdf = await this.pdfs.content(sha);
      if (!pdf) throw new DomainError('PDF_NOT_READY', '開示資料のPDFを準備しています。少し待ってからもう一度お試しください');
      entries.push({ name, content: pdf });
      cover.push({ file: name, about });
    };
    for (const doc of docs) {
      for (const version of versions.filter((v) => v.documentId === doc.id)) {
        const { issued, sha } = this.pdfOf(doc, version);
        const what = issued ? `${issued.mark}${issued.state === 'signed_electronically' ? '・電子署名で封緘' : ''}` : '未発行の版';
        const status = DOCUMENT_STATUS_LABELS[doc.status] ?? doc.status;
        await add(
          `documents/${doc.number}/v${version.version}.pdf`,
          sha!,
          `${doc.formNumber} ${doc.formTitle}　第${version.version}版（${what}）　状態: ${status}`,
        );
      }
      const receipt = doc.exemplars.find((e) => e.sheet === 'withdrawal-receipt' && e.kind === 'original' && e.pdfSha256);
      if (receipt)
        await add(
          `documents/${doc.number}/withdrawal-receipt.pdf`,
          receipt.pdfSha256!,
          `${doc.number} の同意の撤回受付票（電子署名で封緘）`,
        );
    }
    return { entries, cover };
  }

  /** One CSV per exemplar: its custody events, their hashes, and whether the chain is intact. */
  private async custodyFiles(docs: DocumentView[]) {
    const exemplars = docs.flatMap((d) => d.exemplars.map((e) => ({ ...e, doc: d })));
    const ledgers = await this.custody.ledgers(exemplars.map((e) => e.id));
    const entries: ZipEntry[] = [];
    const cover: CoverLine[] = [];
    for (const e of exemplars) {
      const { events, chain } = ledgers.get(e.id)!;
      const name = `custody/${e.code}.csv`;
      const rows = events.map((ev) => [
        ev.seq,
        formatJst(ev.occurredAt),
        custodyEventLabel(ev), // a sheet the service e-mailed reads メールで送付
        ev.actorName,
        ev.note,
        ev.prevHash,
        ev.hash,
      ]);
      entries.push({
        name,
        content: Buffer.from(toExcelCsv([['順番', '日時', '出来事', '記録者', '備考', '直前のハッシュ', 'ハッシュ'], ...rows]), 'utf8'),
      });
      const sheet = e.sheet === 'withdrawal-receipt' ? '撤回受付票 ' : '';
      const check = chain.valid ? '改ざんなし' : `改ざんの疑い（${chain.brokenAtSeq}件目）`;
      cover.push({ file: name, about: `${sheet}${e.mark}（${HOLDER_LABELS[e.holder]}が保管）　${events.length}件の記録・${check}` });
    }
    return { entries, cover };
  }

  private async accessLog(patient: PatientWithFamily, docs: DocumentView[]): Promise<{ csv: string; rows: number }> {
    const names = new Map<string, string>([[patient.id, '患者情報']]);
    for (const d of docs) {
      names.set(d.id, d.number);
      for (const e of d.exemplars) names.set(e.id, e.code);
    }
    const targets = [
      { type: 'patient', id: patient.id },
      ...docs.map((d) => ({ type: 'document', id: d.id })),
      ...docs.flatMap((d) => d.exemplars.map((e) => ({ type: 'exemplar', id: e.id }))),
    ];
    const events = await this.audit.forTargets(targets, Object.keys(ACCESS_ACTIONS));
    const rows: Array<Array<string | number | null | undefined>> = [];
    for (const e of events) {
      const link = typeof e.detail?.link === 'string' ? e.detail.link : null;
      const recipient = link ? await this.signing.downloadRecipient(link) : null;
      const who = e.userEmail ?? (e.action === 'family_download' ? `患者・家族（メールのリンク${recipient ? `: ${recipient}` : ''}）` : '');
      rows.push([
        formatJst(e.at, { seconds: true }),
        ACCESS_ACTIONS[e.action],
        who,
        names.get(e.targetId ?? '') ?? e.targetId,
        e.ip,
        e.userAgent,
      ]);
    }
    return { csv: toExcelCsv([['日時（日本時間）', '操作', '利用者', '対象', '接続元', '端末'], ...rows]), rows: rows.length };
  }

  private async patientJson(
    patient: PatientWithFamily,
    docs: DocumentView[],
    versions: DocumentVersion[],
    withdrawals: Awaited<ReturnType<RightsRepository['withdrawalsOf']>>,
  ) {
    const requests = await this.repository.requestsOfPatient(patient.id);
    return {
      exportedAt: new Date().toISOString(),
      patient: {
        name: patient.name,
        nameKana: patient.nameKana,
        birthDate: patient.birthDate,
        address: patient.address,
        phone: patient.phone,
        registeredAt: patient.createdAt,
        useSuspendedAt: patient.suspendedAt,
      },
      family: patient.family.map((f) => ({ name: f.name, relation: f.relation, email: f.email, phone: f.phone, address: f.address })),
      documents: docs.map((d) => ({
        number: d.number,
        form: { id: d.formId, number: d.formNumber, title: d.formTitle },
        status: d.status,
        createdAt: d.createdAt,
        issuedAt: d.issuedAt,
        signedAt: d.signedAt,
        endedOn: d.endedOn,
        correctsDocument: docs.find((c) => c.id === d.correctsDocumentId)?.number ?? null,
        versions: versions
          .filter((v) => v.documentId === d.id)
          .map((v) => ({ version: v.version, createdAt: v.createdAt, data: v.data, file: `documents/${d.number}/v${v.version}.pdf` })),
        exemplars: d.exemplars.map((e) => ({
          code: e.code,
          sheet: e.sheet,
          kind: e.kind,
          holder: e.holder,
          state: e.state,
          history: `custody/${e.code}.csv`,
        })),
      })),
      withdrawals: withdrawals.map((w) => ({
        document: docs.find((d) => d.id === w.documentId)?.number,
        receivedVia: w.receivedVia,
        receivedAt: w.receivedAt,
        note: w.note,
        recordedBy: w.recordedByName,
        recordedAt: w.recordedAt,
      })),
      rightsRequests: requests.map((r) => ({
        kind: r.kind,
        receivedAt: r.receivedAt,
        receivedVia: r.receivedVia,
        detail: r.detail,
        dueAt: r.dueAt,
        status: r.status,
        answer: r.answerNote,
        answeredBy: r.answeredByName,
        answeredAt: r.answeredAt,
      })),
    };
  }

  private async zip(entries: ZipEntry[], date: Date): Promise<Buffer> {
    // Loaded on first use: archiver and its streams are a fifth of a second of every process's start.
    const { ZipArchive } = await import('archiver');
    const archive = new ZipArchive({ zlib: { level: 6 } });
    const chunks: Buffer[] = [];
    archive.on('data', (chunk: Buffer) => chunks.push(chunk));
    const ended = new Promise<void>((resolve, reject) => {
      archive.on('end', resolve);
      archive.on('error', reject);
    });
    for (const entry of entries) archive.append(entry.content, { name: entry.name, date });
    await archive.finalize();
    await ended;
    return Buffer.concat(chunks);
  }
}

/** Which exemplar stands for a version in a disclosure: an original before a copy, the office's first. */
function rank(e: { kind: string; holder: string }): number {
  return (e.kind === 'original' ? 0 : 2) + (e.holder === 'office' ? 0 : 1);
}
