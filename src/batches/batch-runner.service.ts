import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Office } from '../accounts/accounts.types';
import { CurrentUser } from '../common/auth/current-user';
import { OfficesService } from '../accounts/offices.service';
import { UsersService } from '../accounts/users.service';
import { DomainError, FieldError, InvalidFormDataError } from '../common/errors/domain-error';
import { toSeireki, todayInJapan } from '../common/japan-date';
import { isTransientError } from '../common/transient-error';
import { CustodyService } from '../custody/custody.service';
import { DocumentDraftsService, officeSources } from '../documents/document-drafts.service';
import { DocumentsService } from '../documents/documents.service';
import { FormDefinition } from '../networks/catalogue.types';
import { NetworksService } from '../networks/networks.service';
import { buildDraft, DraftSources } from '../networks/prefill';
import { PeopleService } from '../people/people.service';
import { BrowserPool } from '../rendering/browser.pool';
import { BROWSER_POOL } from '../rendering/form-pdf.service';
import { PdfStoreService } from '../rendering/pdf-store.service';
import { SigningService } from '../signing/signing.service';
import { BatchEntity, BatchPersonEntity } from './batch.entities';
import { BatchesRepository } from './batches.repository';
import { BulkPrinter, chunksOf, PrintItem } from './bulk-printer';
import { Transactions } from '../common/database/transactions';

type Report = (phase: string, done: number, total: number) => Promise<void>;

/**
 * Carries out a batch in steps that each commit on their own, so a worker killed at any point resumes
 * where it stopped, with no person missing or duplicated:
 *   people  — per person, in one transaction: staff record, pledge(s) with their exemplars, row marked done;
 *   notices — the staff-change notice(s) listing everyone added, changed or removed;
 *   print   — chunks of forms, each one page.pdf(), kept as they finish; then merged into one PDF;
 *   or esign — a signing link to each new person instead of printing their pledge.
 */
@Injectable()
export class BatchRunnerService {
  private readonly logger = new Logger(BatchRunnerService.name);
  private readonly printer: BulkPrinter;

  constructor(
    private readonly batches: BatchesRepository,
    private readonly people: PeopleService,
    private readonly offices: OfficesService,
    private readonly users: UsersService,
    @Inject(BROWSER_POOL) pool: BrowserPool,
    private readonly networks: NetworksService,
    private readonly documents: DocumentsService,
    private readonly drafts: DocumentDraftsService,
    private readonly custody: CustodyService,
    private readonly pdfs: PdfStoreService,
    private readonly signing: SigningService,
    private readonly transactions: Transactions,
  ) {
    this.printer = new BulkPrinter(networks, pool);
  }

  /**
   * Does what is left of the batch; a batch already done (or failed) is left alone, so a repeated job is a
   * no-op. Progress is written to PostgreSQL only: nothing here waits on Redis, so a Redis outage mid-batch
   * neither stops nor loses it.
   */
  async run(batchId: string): Promise<void> {
    const batch = await this.batches.get(batchId);
    if (batch.status === 'done' || batch.status === 'failed') return;
    await this.batches.update(batch.id, { status: 'running', progressAt: new Date() });
    const office = await this.offices.get(batch.officeId);
    const creator = await this.users.findById(batch.createdBy!);
    if (!creator) throw new Error(`batch ${batch.id}: the user who created it no longer exists`);
    const report: Report = (phase, done, total) =>
      this.batches.update(batch.id, { phase, progressDone: done, progressTotal: total, progressAt: new Date() });

    await this.addPeople(batch, office, creator, report);
    await this.notices(batch, office, creator);
    if (batch.mode === 'esign') await this.sendSigningLinks(batch, office, creator, report);
    await this.print(batch, office, report);
    await this.batches.update(batch.id, { status: 'done', phase: 'done', finishedAt: new Date(), progressAt: new Date() });
  }

  /**
   * The job's last attempt failed. A batch is failed for good only for an error of its own: when the database
   * or Redis was away it stays unfinished, and the sweeper queues it again.
   */
  async fail(batchId: string, error: Error): Promise<boolean> {
    if (isTransientError(error)) return false;
    await this.batches.update(batchId, { status: 'failed', error: error.message, finishedAt: new Date() });
    return true;
  }

  private async addPeople(batch: BatchEntity, office: Office, creator: CurrentUser, report: Report): Promise<void> {
    const planned = (await this.batches.people(batch.id)).filter((p) => p.status !== 'rejected');
    let done = planned.filter((p) => p.status === 'done').length;
    const forms = this.networks.getNetwork(office.networkId).forms;
    const pledges = {
      staff: forms.find((f) => f.subject === 'staff' && f.purpose === 'pledge'),
      office: forms.find((f) => f.subject === 'office' && f.purpose === 'pledge' && f.signers.some((s) => s.kind === 'manager')),
    };
    for (const person of planned.filter((p) => p.status === 'pending')) {
      try {
        await this.transactions.run(async (tx) => {
          // Another run of this batch (its job lost with Redis and queued again) may have done this person.
          if (!(await this.batches.claimPerson(tx, person.id))) return;
          const { staffId, documentIds } = await this.carryOut(tx, person, office, creator, pledges);
          await this.batches.personDone(tx, person.id, staffId, documentIds);
        });
      } catch (error) {
        // The office's data cannot fill this person's forms, or the roster's row breaks a staff rule: the row
        // is reported, the others go on.
        const problems = rowProblems(error);
        if (!problems) throw error;
        await this.batches.personRejected(person.id, problems);
      }
      await report('people', ++done, planned.length);
    }
  }

  /** One person, in the caller's transaction: 新規 joins with their pledge(s), 変更 is updated, 削除 leaves. */
  private async carryOut(
    tx: EntityManager,
    person: BatchPersonEntity,
    office: Office,
    creator: CurrentUser,
    pledges: { staff?: FormDefinition; office?: FormDefinition },
  ): Promise<{ staffId: string; documentIds: string[] }> {
    if (person.action !== '新規') {
      const staffId = person.staffMemberId ?? (await this.people.findActiveStaffByEmail(tx, office.id, person.email ?? ''))?.id;
      if (!staffId) throw new Error(`batch ${person.batchId}: no active staff member for row ${person.row}`);
      if (person.action === '削除') await this.people.markStaffLeft(tx, staffId, new Date());
      else {
        const kana = person.nameKana ? { nameKana: person.nameKana } : {};
        await this.people.updateStaff(tx, staffId, { name: person.name!, jobTitle: person.jobTitle, ...kana });
      }
      return { staffId, documentIds: [] };
    }
    const staff = await this.people.createStaff(tx, office.id, {
      name: person.name!,
      nameKana: person.nameKana,
      jobTitle: person.jobTitle,
      email: person.email,
      isManager: person.manager,
    });
    const managerName = (await this.drafts.managerOf(office.id, creator, tx))?.name ?? null;
    const sources: DraftSources = { ...officeSources(office, managerName, creator), issueDate: person.startDate ?? todayInJapan(), staff };
    const documentIds: string[] = [];
    const issue = async (form: FormDefinition, subjectId: string | null, data: Record<string, unknown>) =>
      documentIds.push((await this.documents.createIssuedIn(tx, creator, office, form.id, subjectId, data)).document.id);
    if (pledges.staff) await issue(pledges.staff, staff.id, buildDraft(pledges.staff, sources));
    if (pledges.office && person.manager)
      await issue(pledges.office, null, buildDraft(pledges.office, { ...sources, manager: { name: staff.name } }));
    return { staffId: staff.id, documentIds };
  }

  private async notices(batch: BatchEntity, office: Office, creator: CurrentUser): Promise<void> {
    const form = this.networks.getNetwork(office.networkId).forms.find((f) => f.subject === 'office' && f.purpose === 'notice');
    const made = (b: BatchEntity) => b.notices.length > 0 || b.problems.some((p) => p.startsWith('従事者の変更届'));
    if (!form || made(await this.batches.get(batch.id))) return;
    const people = await this.batches.people(batch.id, { status: 'done' });
    if (people.length === 0) return;
    const perNotice = form.fields.find((f) => f.type === 'list')?.maxItems ?? people.length;
    const manager = await this.drafts.managerOf(office.id, creator);
    try {
      await this.transactions.run(async (tx) => {
        if (made(await this.batches.lock(tx, batch.id))) return; // another run of this batch made them first
        const notices: Array<{ documentId: string; number: string }> = [];
        for (let i = 0; i < people.length; i += perNotice) {
          const data = buildDraft(form, {
            ...officeSources(office, manager?.name ?? creator.name, creator),
            issueDate: todayInJapan(),
            changes: people.slice(i, i + perNotice),
          });
          const { document } = await this.documents.createIssuedIn(tx, creator, office, form.id, null, data);
          notices.push({ documentId: document.id, number: document.number });
        }
        await this.batches.update(batch.id, { notices }, tx);
      });
    } catch (error) {
      if (!(error instanceof InvalidFormDataError)) throw error;
      const missing = error.errors.map((e) => `${e.label}: ${e.message}`).join('、');
      const problem = `従事者の変更届（${form.number}）を作れませんでした: ${missing}。事業所の情報を登録してから作成してください`;
      await this.batches.addProblem(batch.id, problem);
    }
  }

  private async sendSigningLinks(batch: BatchEntity, office: Office, creator: CurrentUser, report: Report): Promise<void> {
    const pledge = this.networks.getNetwork(office.networkId).forms.find((f) => f.subject === 'staff' && f.purpose === 'pledge');
    const role = pledge?.signers.find((s) => s.kind === 'staff');
    const people = await this.batches.people(batch.id, { status: 'done', action: '新規' });
    let done = 0;
    for (const person of people) {
      const pledgeId = person.documentIds[0];
      if (role && pledgeId && person.email && (await this.signing.forDocument(creator, pledgeId, null)).length === 0) {
        const signer = { role: role.role, name: person.name!, email: person.email, method: 'email' as const };
        await this.signing.create(creator, pledgeId, { signers: [signer] }, null);
      }
      await report('esign', ++done, people.length);
    }
  }

  /** The print: a cover, then each person's original(s), then the notice(s). */
  private async print(batch: BatchEntity, office: Office, report: Report): Promise<void> {
    const fresh = await this.batches.get(batch.id);
    if (fresh.pdfSha256) return;
    const people = await this.batches.people(batch.id, { status: 'done' });
    const pledgeDocs = batch.mode === 'print' ? people.flatMap((p) => p.documentIds) : [];
    const items = await this.itemsFor([...pledgeDocs, ...fresh.notices.map((n) => n.documentId)]);
    if (items.length === 0) return;
    const cover = {
      title: '誓約書等 一括印刷',
      lines: [
        `${this.networks.getNetwork(office.networkId).name}　${office.name}`,
        `作成日 ${toSeireki(todayInJapan())}　${coverCounts(people)}`,
        ...coverInstructions(batch.mode, fresh.notices.length),
      ],
      people: people.map((p) => ({
        name: p.name ?? '',
        detail: `${p.action}${p.jobTitle ? `・${p.jobTitle}` : ''}${p.action === '新規' ? (batch.mode === 'print' ? '・誓約書' : '・誓約書は電子署名') : ''}`,
      })),
    };
    const kept = new Set((await this.batches.chunks(batch.id)).map((c) => c.index));
    const total = chunksOf(items).length;
    let finished = kept.size;
    await report('print', finished, total);
    await this.printer.printChunks(items, {
      duplex: batch.duplex,
      cover,
      skip: kept,
      onChunk: async ({ index, pdf, pageCount }) => {
        await this.transactions.run(async (tx) => {
          const pdfSha256 = await this.pdfs.save(pdf, pageCount, tx);
          await this.batches.saveChunk(tx, { batchId: batch.id, index, pdfSha256, pageCount });
        });
        await report('print', ++finished, total);
      },
    });
    const stored = await this.batches.chunks(batch.id);
    const pdf = await this.printer.merge(await Promise.all(stored.map(async (c) => (await this.pdfs.content(c.pdfSha256))!)));
    const pageCount = stored.reduce((sum, c) => sum + c.pageCount, 0);
    await this.transactions.run(async (tx) => {
      const pdfSha256 = await this.pdfs.save(pdf, pageCount, tx);
      await this.batches.update(batch.id, { pdfSha256, pageCount }, tx);
    });
    this.logger.log(`batch ${batch.id}: ${pageCount} pages in ${stored.length} chunk(s)`);
  }

  /** The originals to print for these documents, in order, with their data, code and mark. */
  private async itemsFor(documentIds: string[]): Promise<PrintItem[]> {
    const originals = (await this.custody.forDocuments(documentIds)).filter((e) => e.kind === 'original');
    const versionIds = [...new Set(originals.map((e) => e.versionId))];
    const data = new Map(await Promise.all(versionIds.map(async (id) => [id, await this.documents.versionData(id)] as const)));
    const order = new Map(documentIds.map((id, i) => [id, i]));
    return originals
      .sort((a, b) => order.get(a.documentId)! - order.get(b.documentId)! || a.code.localeCompare(b.code))
      .map((e) => ({
        networkId: e.networkId,
        formId: e.formId,
        data: data.get(e.versionId)!,
        exemplar: { code: e.code, mark: this.custody.markFor(e) },
      }));
  }
}

/** A person's problems when their forms or staff record are refused for their data; null for any other error. */
function rowProblems(error: unknown): BatchPersonEntity['problems'] | null {
  const errors: FieldError[] | undefined =
    error instanceof InvalidFormDataError
      ? error.errors
      : error instanceof DomainError && error.code === 'INVALID_REQUEST'
        ? (error.details?.errors as FieldError[] | undefined)
        : undefined;
  return errors ? errors.map((e) => ({ column: e.label, message: e.message })) : null;
}

/** The cover's count of people, by what the batch did to each: 追加, 変更, 削除 (never "作成" for a removal). */
export function coverCounts(people: Array<{ action: string }>): string {
  const parts = (['新規', '変更', '削除'] as const)
    .map((action) => [action, people.filter((p) => p.action === action).length] as const)
    .filter(([, n]) => n > 0)
    .map(([action, n]) => `${action === '新規' ? '追加' : action} ${n}名`);
  return `対象 ${people.length}名（${parts.join('・') || 'なし'}）`;
}

/**
 * What to do with the printed sheets. Printed pledges are signed, stamped and mailed; with e-signing, the pledges
 * are signed online (nothing to stamp or mail) and only the staff-change notices, if any, go by post.
 */
export function coverInstructions(mode: 'print' | 'esign', notices: number): string[] {
  const post = '署名・押印のうえ、原本を所定の提出先へお送りください。書類下部のQRコードで受領を記録します。';
  if (mode === 'print') return [`各書類に${post}`];
  return [
    '誓約書は、各従事者へメールで電子署名を依頼しました（誓約書の印刷・押印・郵送は不要です）。',
    ...(notices > 0 ? [`同封の従事者の変更届に${post}`] : []),
  ];
}
