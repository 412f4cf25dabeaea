import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { CurrentUser, isOfficeUser } from '../accounts/current-user';
import { OfficeEntity } from '../accounts/office.entity';
import { AuditService } from '../audit/audit.service';
import { RequestOrigin } from '../common/request-origin';
import { DomainError } from '../common/errors/domain-error';
import { JOB_IDS, BATCH_QUEUE } from '../common/queues';
import { isUuid } from '../common/validation';
import { StaffMemberEntity } from '../people/staff-member.entity';
import { PdfStoreService } from '../rendering/pdf-store.service';
import { BatchEntity, BatchPersonEntity } from './batch.entities';
import { ParsedRoster, RosterFileError, RosterRow, parseRoster } from './roster.parser';

export interface BatchOptions {
  kind: 'new' | 'update';
  mode: 'print' | 'esign';
  duplex: boolean;
}

export interface PlannedPerson {
  row: number;
  action: '新規' | '変更' | '削除';
  name: string | null;
  email: string | null;
  jobTitle: string | null;
  problems: Array<{ column: string; message: string }>;
}

export interface BatchPreview {
  encoding: ParsedRoster['encoding'];
  rows: RosterRow[];
  /** What creating the batch would do, person by person (valid rows only, plus removals for an update). */
  plan: PlannedPerson[];
  summary: { rows: number; valid: number; invalid: number; added: number; changed: number; removed: number };
}

/** An uploaded roster; it must also fit, base64-encoded, in the confirmation form (8 MB). */
export const MAX_ROSTER_BYTES = 5 * 1024 * 1024;

/** Roster uploads: a preview that creates nothing, then a batch the worker carries out. */
@Injectable()
export class BatchesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(BATCH_QUEUE) private readonly queue: Queue<{ batchId: string }>,
    private readonly audit: AuditService,
    private readonly pdfs: PdfStoreService,
  ) {}

  async preview(user: CurrentUser, file: Buffer | undefined, filename: string, kind: BatchOptions['kind']): Promise<BatchPreview> {
    const office = await this.office(user);
    const staff = await this.dataSource.getRepository(StaffMemberEntity).find({ where: { officeId: office.id, active: true } });
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
    const office = await this.office(user);
    const staff = await this.dataSource.getRepository(StaffMemberEntity).find({ where: { officeId: office.id, active: true } });
    const roster = await this.parse(file, filename, options.kind === 'new' ? staff.map((s) => s.email ?? '').filter(Boolean) : []);
    const plan = planChanges(roster, staff, options.kind);
    if (plan.length === 0 && roster.invalid.length === 0) throw new DomainError('INVALID_REQUEST', '名簿に処理する行がありません');
    const batch = await this.dataSource.transaction(async (manager) => {
      const batch = await manager.save(
        manager.create(BatchEntity, {
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
        }),
      );
      const byRow = new Map(roster.rows.map((r) => [r.row, r]));
      const people = [
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
        })),
      ];
      await manager.save(
        people.map((p, position) => manager.create(BatchPersonEntity, { ...p, batchId: batch.id, position, documentIds: [] })),
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
    await this.queue.add(
      'batch',
      { batchId: batch.id },
      { jobId: JOB_IDS.batch(batch.id), attempts: 3, backoff: { type: 'exponential', delay: 5000 } },
    );
    return batch;
  }

  async get(user: CurrentUser, id: string, origin: RequestOrigin | null) {
    const batch = isUuid(id) ? await this.dataSource.getRepository(BatchEntity).findOneBy({ id }) : null;
    if (!batch) throw new DomainError('NOT_FOUND', '一括処理が見つかりません');
    if (!isOfficeUser(user) || batch.officeId !== user.officeId) {
      await this.audit.record({ action: 'access_denied', actor: user, target: { type: 'batch', id }, origin });
      throw new DomainError('NOT_FOUND', '一括処理が見つかりません');
    }
    const people = await this.dataSource.getRepository(BatchPersonEntity).find({ where: { batchId: id }, order: { position: 'ASC' } });
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
        pending: people.filter((p) => p.status === 'pending').length,
        rejected: people.filter((p) => p.status === 'rejected').length,
      },
      people,
      pdfUrl: batch.pdfSha256 ? `/api/batches/${batch.id}/pdf` : null,
    };
  }

  async pdf(user: CurrentUser, id: string, origin: RequestOrigin | null): Promise<Buffer> {
    const batch = await this.get(user, id, origin);
    const pdf = batch.pdfSha256 ? await this.pdfs.content(batch.pdfSha256) : null;
    if (!pdf) throw new DomainError('PDF_NOT_READY', 'PDFはまだ作成中です');
    await this.audit.record({ action: 'batch_downloaded', actor: user, target: { type: 'batch', id }, origin });
    return pdf;
  }

  private async office(user: CurrentUser): Promise<OfficeEntity> {
    if (!isOfficeUser(user)) throw new DomainError('FORBIDDEN', '名簿の取り込みは事業所の職員が行います');
    return this.dataSource.getRepository(OfficeEntity).findOneByOrFail({ id: user.officeId });
  }

  private async parse(file: Buffer | undefined, filename: string, existingEmails: string[]): Promise<ParsedRoster> {
    if (!file || file.length === 0)
      throw new DomainError('INVALID_REQUEST', '名簿ファイルを選んでください', {
        errors: [{ path: 'file', label: '名簿', message: '名簿ファイル（CSV または XLSX）を選んでください' }],
      });
    if (file.length > MAX_ROSTER_BYTES) {
      const message = `「${filename}」は大きすぎます（上限 5MB）。ファイルを分けてアップロードしてください。`;
      throw new DomainError('INVALID_REQUEST', message, { errors: [{ path: 'file', label: '名簿', message }] });
    }
    try {
      return await parseRoster(file, filename, { existingEmails });
    } catch (error) {
      if (error instanceof RosterFileError)
        throw new DomainError('INVALID_REQUEST', error.message, { errors: [{ path: 'file', label: '名簿', message: error.message }] });
      throw error;
    }
  }
}

/**
 * What a roster means for the office's staff. A list of new staff: every valid row is 新規. A full
 * roster (update): a new e-mail is 新規, a known one with other details 変更, and staff missing from it 削除.
 */
export function planChanges(roster: ParsedRoster, staff: StaffMemberEntity[], kind: BatchOptions['kind']): PlannedPerson[] {
  const person = (r: RosterRow, action: PlannedPerson['action']): PlannedPerson => ({
    row: r.row,
    action,
    name: r.name,
    email: r.email,
    jobTitle: r.jobTitle,
    problems: [],
  });
  if (kind === 'new') return roster.valid.map((r) => person(r, '新規'));
  const known = new Map(staff.filter((s) => s.email).map((s) => [s.email!.toLowerCase(), s]));
  const listed = new Set<string>();
  const plan: PlannedPerson[] = [];
  for (const r of roster.valid) {
    const email = r.email!.toLowerCase();
    listed.add(email);
    const current = known.get(email);
    if (!current) plan.push(person(r, '新規'));
    else if (
      current.name !== r.name ||
      (r.jobTitle ?? null) !== (current.jobTitle ?? null) ||
      (r.nameKana && r.nameKana !== current.nameKana)
    )
      plan.push(person(r, '変更'));
  }
  // A roster with rejected rows cannot say who has left: those rows might be the missing people.
  if (roster.invalid.length === 0) {
    for (const s of staff) {
      if (!s.email || !listed.has(s.email.toLowerCase()))
        plan.push({ row: 0, action: '削除', name: s.name, email: s.email, jobTitle: s.jobTitle, problems: [] });
    }
  }
  return plan;
}
