import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Office } from '../accounts/accounts.types';
import { CurrentUser, isOfficeUser } from '../common/auth/current-user';
import { OfficesService } from '../accounts/offices.service';
import { AuditService } from '../audit/audit.service';
import { RequestOrigin } from '../common/request-origin';
import { DomainError } from '../common/errors/domain-error';
import { DueJob, SweepReport, addSoon, requeue, unqueued } from '../common/job-delivery';
import { JOB_IDS, BATCH_QUEUE } from '../common/queues';
import { isUuid } from '../common/validation';
import { PeopleService } from '../people/people.service';
import { PdfStoreService } from '../rendering/pdf-store.service';
import { BatchEntity } from './batch.entities';
import { BatchOptions } from './batch-options';
import { PlannedPerson, planChanges } from './batch-plan';
import { BatchesRepository, NewBatchPerson } from './batches.repository';
import { ParsedRoster, RosterFileError, RosterRow } from './roster.parser';
import { readRosterOffThread } from './roster.worker';
import { Transactions } from '../common/database/transactions';

export interface BatchPreview {
  encoding: ParsedRoster['encoding'];
  rows: RosterRow[];
  /** What creating the batch would do, person by person (valid rows only, plus removals for an update). */
  plan: PlannedPerson[];
  summary: { rows: number; valid: number; invalid: number; added: number; changed: number; removed: number };
}

/** An uploaded roster; it must also fit, base64-encoded, in the confirmation form (8 MB). */

export const MANAGERS_ONLY = '名簿の取り込み（従事者の追加・変更・削除）は事業所管理者が行います。管理者に依頼してください';

/** Roster uploads: a preview that creates nothing, then a batch the worker carries out. */
@Injectable()
export class BatchesService {
  constructor(
    private readonly batches: BatchesRepository,
    @InjectQueue(BATCH_QUEUE) private readonly queue: Queue<{ batchId: string }>,
    private readonly offices: OfficesService,
    private readonly people: PeopleService,
    private readonly audit: AuditService,
    private readonly pdfs: PdfStoreService,
    private readonly transactions: Transactions,
  ) {}

  async preview(user: CurrentUser, file: Buffer | undefined, filename: string, kind: BatchOptions['kind']): Promise<BatchPreview> {
    const office = await this.managersOffice(user);
    const staff = await this.people.listStaff(office.id);
    const roster = await this.parse(file, filename, kind === 'new' ? staff.map((s) => s.email ?? '').filter(Boolean) : []);
    const plan = planChanges(roster, staff, kind);
    return {
      encoding: roster.encoding,
      rows: roster.rows,
      plan,
      summary: {
        rows: roster.rows.length,
        valid: roster.valid.length,
        invalid: roster.invalid.length,
        added: plan.filter((p) => p.action === '新規').length,
        changed: plan.filter((p) => p.action === '変更').length,
        removed: plan.filter((p) => p.action === '削除').length,
      },
    };
  }

  /** Records the batch and every row (rejected rows with their problems: none silently vanishes), then queues it. */
  async create(
    user: CurrentUser,
    file: Buffer | undefined,
    filename: string,
    options: BatchOptions,
    origin: RequestOrigin | null,
  ): Promise<BatchEntity> {
    const office = await this.managersOffice(user);
    const staff = await this.people.listStaff(office.id);
    const roster = await this.parse(file, filename, options.kind === 'new' ? staff.map((s) => s.email ?? '').filter(Boolean) : []);
    const plan = planChanges(roster, staff, options.kind);
    if (plan.length === 0 && roster.invalid.length === 0) throw new DomainError('INVALID_REQUEST', '名簿に処理する行がありません');
    const byRow = new Map(roster.rows.map((r) => [r.row, r]));
    const people: NewBatchPerson[] = [
      ...plan.map((p) => {
        const row = byRow.get(p.row);
        return {
          row: p.row,
          action: p.action,
          name: p.name,
          nameKana: row?.nameKana ?? null,
          jobTitle: p.jobTitle,
          email: p.email,
          gender: row?.gender ?? null,
          startDate: row?.startDate ?? null,
          manager: row?.manager ?? false,
          status: 'pending' as const,
          problems: [],
          staffMemberId: p.staffId,
        };
      }),
      ...roster.invalid.map((r) => ({
        row: r.row,
        action: '新規' as const,
        name: r.name,
        nameKana: r.nameKana,
        jobTitle: r.jobTitle,
        email: r.email,
        gender: r.gender,
        startDate: r.startDate,
        manager: r.manager,
        status: 'rejected' as const,
        problems: r.problems,
        staffMemberId: null,
      })),
    ];
    const batch = await this.transactions.run(async (manager) => {
      const batch = await this.batches.create(
        manager,
        {
          officeId: office.id,
          networkId: office.networkId,
          createdBy: user.id,
          kind: options.kind,
          mode: options.mode,
          duplex: options.duplex,
          filename: filename.slice(0, 200),
          encoding: roster.encoding,
          status: 'queued',
          phase: 'queued',
          progressDone: 0,
          progressTotal: plan.length,
          notices: [],
          problems: [],
        },
        people,
      );
      await this.audit.record(
        {
          action: 'batch_created',
          actor: user,
          target: { type: 'batch', id: batch.id },
          origin,
          detail: { rows: roster.rows.length, planned: plan.length, rejected: roster.invalid.length },
        },
        manager,
      );
      return batch;
    });
    await addSoon(this.queue, [batchJob(batch)]);
    return batch;
  }

  /** Every batch not finished (queued, or running: perhaps its job was lost), as the job that resumes it. */
  async dueJobs(limit = 100): Promise<DueJob[]> {
    return (await this.batches.unfinished(limit)).map(batchJob);
  }

  /** Worker side (the sweeper): queues each unfinished batch that Redis does not hold; the run resumes where it stopped. */
  async sweep(): Promise<SweepReport> {
    return { batches: (await requeue(this.queue, await this.dueJobs())).length };
  }

  /** For /health: work due since before `since` that Redis does not hold (the sweeper has not caught it). */
  async backlog(since: Date): Promise<DueJob[]> {
    return unqueued(
      this.queue,
      (await this.dueJobs(50)).filter((job) => job.dueAt < since),
    );
  }

  /** Unfinished batches that have not moved since `before` (for /health). */
  async stuck(before: Date): Promise<Array<{ id: string; phase: string; progressAt: Date }>> {
    return this.batches.unfinished(20, before);
  }

  async get(user: CurrentUser, id: string, origin: RequestOrigin | null) {
    const batch = isUuid(id) ? await this.batches.find(id) : null;
    if (!batch) throw new DomainError('NOT_FOUND', '一括処理が見つかりません');
    if (!isOfficeUser(user) || batch.officeId !== user.officeId) {
      await this.audit.record({ action: 'access_denied', actor: user, target: { type: 'batch', id }, origin });
      throw new DomainError('NOT_FOUND', '一括処理が見つかりません');
    }
    const people = await this.batches.people(id);
    return {
      ...batch,
      percent:
        batch.status === 'done'
          ? 100
          : batch.progressTotal
            ? Math.min(99, Math.floor((100 * batch.progressDone) / batch.progressTotal))
            : 0,
      counts: {
        done: people.filter((p) => p.status === 'done').length,
        added: people.filter((p) => p.status === 'done' && p.action === '新規').length,
        changed: people.filter((p) => p.status === 'done' && p.action === '変更').length,
        removed: people.filter((p) => p.status === 'done' && p.action === '削除').length,
        pending: people.filter((p) => p.status === 'pending').length,
        rejected: people.filter((p) => p.status === 'rejected').length,
      },
      people,
      pdfUrl: batch.pdfSha256 ? `/api/batches/${batch.id}/pdf` : null,
    };
  }

  /** The office's batches (its history of roster uploads), newest first, with their counts. */
  async history(user: CurrentUser, page: { offset: number; limit: number }) {
    if (!isOfficeUser(user) || !user.officeId) throw new DomainError('FORBIDDEN', 'この操作の権限がありません');
    return this.batches.history(user.officeId, page);
  }

  async pdf(user: CurrentUser, id: string, origin: RequestOrigin | null): Promise<Buffer> {
    const batch = await this.get(user, id, origin);
    const pdf = batch.pdfSha256 ? await this.pdfs.content(batch.pdfSha256) : null;
    if (!pdf) throw new DomainError('PDF_NOT_READY', 'PDFはまだ作成中です');
    await this.audit.record({ action: 'batch_downloaded', actor: user, target: { type: 'batch', id }, origin });
    return pdf;
  }

  /** A roster adds, changes and removes the office's staff: its manager's decision, not every clerk's. */
  private async managersOffice(user: CurrentUser): Promise<Office> {
    if (user.role !== 'office_manager' || !user.officeId) throw new DomainError('FORBIDDEN', MANAGERS_ONLY);
    return this.offices.get(user.officeId);
  }

  private async parse(file: Buffer | undefined, filename: string, existingEmails: string[]): Promise<ParsedRoster> {
    if (!file || file.length === 0)
      throw new DomainError('INVALID_REQUEST', '名簿ファイルを選んでください', {
        errors: [{ path: 'file', label: '名簿', message: '名簿ファイル（CSV または XLSX）を選んでください' }],
      });
    try {
      return await readRosterOffThread(file, filename, { existingEmails });
    } catch (error) {
      if (error instanceof RosterFileError)
        throw new DomainError('INVALID_REQUEST', error.message, { errors: [{ path: 'file', label: '名簿', message: error.message }] });
      throw error;
    }
  }
}

function batchJob(batch: Pick<BatchEntity, 'id' | 'createdAt'>): DueJob {
  return {
    name: 'batch',
    jobId: JOB_IDS.batch(batch.id),
    data: { batchId: batch.id },
    // The run resumes where it stopped, so retries are cheap; an outage longer than these is the sweeper's.
    opts: { attempts: 5, backoff: { type: 'exponential', delay: 5000 } },
    dueAt: batch.createdAt,
  };
}
