import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { CustodyService } from '../custody/custody.service';
import { DocumentsService } from '../documents/documents.service';
import { NetworksService } from '../networks/networks.service';
import { RegistrationsService } from '../registrations/registrations.service';
import { TrainingService } from '../training/training.service';
import {
  CELL_LABELS,
  CELL_STATUSES,
  CellStatus,
  MAX_PAGE_SIZE,
  OfficeSummary,
  Overview,
  Requirement,
  RequirementFilter,
  SecretariatDashboardService,
  cellFor,
} from './secretariat-dashboard.service';

/** A column of the matrix: one required form kind (an office form, every staff member's pledge), or the notices. */
export interface MatrixColumn {
  key: string;
  label: string;
  kind: 'office' | 'staff' | 'notice';
}

export interface MatrixCell {
  status: CellStatus | null;
  label: string;
  date: string | null;
  overdue: boolean;
  documentId: string | null;
}

/** One office's row: a cell per column, and its desk's and training's counts. */
export interface MatrixRow {
  officeId: string;
  officeName: string;
  cells: MatrixCell[];
  /** Required forms not yet submitted in any way (not in the post, not signed electronically, not received). */
  owed: number;
  overdue: number;
  openRegistrations: number;
  awaitingAnswer: number;
  /** Staff with no training recorded (networks that require it); null where none is required. */
  untrained: number | null;
}

export interface SecretariatMatrix {
  columns: MatrixColumn[];
  rows: MatrixRow[];
  /** Offices matching the filter; rows holds one page of them. */
  total: number;
  /** The counts of the offices on the page. */
  offices: OfficeSummary[];
}

/**
 * The 事務局's offices × forms matrix: one row per office, a column per required form kind (each office
 * form; staff pledges as received/total), the latest staff-change notice received (別紙3, 様式3), and the
 * office's open registration lines and untrained staff.
 */
@Injectable()
export class SecretariatMatrixService {
  constructor(
    private readonly requirements: SecretariatDashboardService,
    private readonly documents: DocumentsService,
    private readonly custody: CustodyService,
    private readonly networks: NetworksService,
    private readonly registrations: RegistrationsService,
    private readonly training: TrainingService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The office's latest staff-change notice (別紙3, 様式3) when the matrix counts it as owed: not yet with the
   * 事務局, or overdue in the post; its column's label, and its cell. Null when nothing is owed.
   */
  async owedNotice(office: { id: string; networkId: string }): Promise<{ label: string; cell: MatrixCell } | null> {
    const notice = this.networks.getNetwork(office.networkId).forms.find((f) => f.subject === 'office' && f.purpose === 'notice');
    const cell = (await this.latestNotices([office.id], notice?.id)).get(office.id);
    if (!notice || !cell?.status || !(NOT_SUBMITTED.includes(cell.status) || cell.overdue)) return null;
    return { label: `${notice.number} ${notice.title}`, cell };
  }

  /** The matrix's columns: each office form, every staff member's pledge, the latest staff-change notice. */
  columnsOf(networkId: string): MatrixColumn[] {
    const network = this.networks.getNetwork(networkId);
    const { officeForms, staffForm } = this.requirements.requiredForms(networkId);
    const notice = network.forms.find((f) => f.subject === 'office' && f.purpose === 'notice');
    return [
      ...officeForms.map((f) => ({ key: f.id, label: `${f.number} ${f.title}`, kind: 'office' as const })),
      ...(staffForm ? [{ key: staffForm.id, label: `${staffForm.number} ${staffForm.title}（従事者全員）`, kind: 'staff' as const }] : []),
      ...(notice ? [{ key: notice.id, label: `${notice.number} ${notice.title}（最新）`, kind: 'notice' as const }] : []),
    ];
  }

  /** One page of offices (by name) that match the filter, each with its cells. */
  async matrix(
    networkId: string,
    filter: RequirementFilter = {},
    page: { limit: number; offset: number } = { limit: MAX_PAGE_SIZE, offset: 0 },
  ): Promise<SecretariatMatrix> {
    const { offices, total } = await this.requirements.officePage(networkId, filter, page);
    return this.of(networkId, offices, total);
  }

  /**
   * A page's overview (SecretariatDashboardService.overview) and the grid of its page of offices. Unfiltered,
   * that page is simply the offices by name, so the grid is asked for beside the overview (which evaluates the
   * whole network) instead of after it; if the overview chose other offices, the grid is asked for those.
   */
  async overviewWithGrid(
    networkId: string,
    filter: RequirementFilter,
    rowsPage: { limit: number; offset: number },
    officesPage: { limit: number; offset: number },
  ): Promise<{ read: Overview; grid: SecretariatMatrix }> {
    const overview = this.requirements.overview(networkId, filter, rowsPage, officesPage);
    const guess = isUnfiltered(filter)
      ? this.requirements
          .officeNames(networkId)
          .then((all) => all.slice(officesPage.offset, officesPage.offset + officesPage.limit))
          .then(async (offices) => ({ offices, rows: await this.rowsOf(networkId, offices) }))
      : null;
    // Settled even when its answer is not used, so that its failure is not left unhandled.
    const early = guess?.then(
      (value) => value,
      () => null,
    );
    const read = await overview;
    const guessed = await early;
    const chosen = read.offices.map((o) => o.officeId).join();
    const rows =
      guessed && guessed.offices.map((o) => o.officeId).join() === chosen ? guessed.rows : await this.rowsOf(networkId, read.offices);
    return { read, grid: { columns: this.columnsOf(networkId), total: read.officeTotal, offices: read.offices, rows } };
  }

  /** The matrix's rows for these offices (a page read by SecretariatDashboardService.overview). */
  async of(networkId: string, offices: OfficeSummary[], total: number): Promise<SecretariatMatrix> {
    return { columns: this.columnsOf(networkId), total, offices, rows: await this.rowsOf(networkId, offices) };
  }

  private async rowsOf(networkId: string, offices: Array<Pick<OfficeSummary, 'officeId' | 'officeName'>>): Promise<MatrixRow[]> {
    const columns = this.columnsOf(networkId);
    const notice = columns.find((c) => c.kind === 'notice');
    const officeIds = offices.map((o) => o.officeId);
    const required = Boolean(this.training.ruleOf(networkId)?.required);
    const [rows, notices, counts, untrained] = await Promise.all([
      this.requirements.ofOffices(networkId, officeIds),
      this.latestNotices(officeIds, notice?.key),
      this.registrations.openCounts(networkId, officeIds),
      required && officeIds.length > 0 ? this.training.untrained(networkId, { officeIds }) : Promise.resolve([]),
    ]);
    const byOffice = groupBy(rows, (r) => r.officeId);
    const untrainedBy = groupBy(untrained, (u) => u.officeId);
    return offices.map((office) => {
      const own = byOffice.get(office.officeId) ?? [];
      const cells = columns.map((column) =>
        column.kind === 'office'
          ? officeCell(own.find((r) => r.formId === column.key && r.subject.type === 'office'))
          : column.kind === 'staff'
            ? staffCell(own.filter((r) => r.formId === column.key && r.subject.type === 'staff'))
            : (notices.get(office.officeId) ?? noneCell('まだありません')),
      );
      const count = counts.get(office.officeId);
      // The latest staff-change notice counts as owed like any other form (the 督促 mail lists it too).
      const latestNotice = notice ? notices.get(office.officeId) : undefined;
      return {
        officeId: office.officeId,
        officeName: office.officeName,
        cells,
        owed:
          own.filter((r) => NOT_SUBMITTED.includes(r.status)).length +
          (latestNotice?.status && NOT_SUBMITTED.includes(latestNotice.status) ? 1 : 0),
        overdue: own.filter((r) => r.overdue).length + (latestNotice?.overdue ? 1 : 0),
        openRegistrations: count?.open ?? 0,
        awaitingAnswer: count?.awaitingAnswer ?? 0,
        untrained: required ? (untrainedBy.get(office.officeId)?.length ?? 0) : null,
      };
    });
  }

  /** Each office's latest staff-change notice and where its original is. */
  private async latestNotices(officeIds: string[], formId: string | undefined): Promise<Map<string, MatrixCell>> {
    if (!formId || officeIds.length === 0) return new Map();
    const docs = await this.documents.latestDocuments(officeIds, [formId]);
    const originals = new Map((await this.custody.submittedOriginals(docs.map((d) => d.id))).map((o) => [o.documentId, o]));
    const overdueBefore = Date.now() - this.config.overdueDays * 86_400_000;
    return new Map(
      docs.map((doc) => {
        const cell = cellFor(doc, originals.get(doc.id), overdueBefore);
        return [
          doc.officeId,
          { status: cell.status, label: CELL_LABELS[cell.status], date: cell.date, overdue: cell.overdue, documentId: doc.id },
        ];
      }),
    );
  }
}

/** No filter of any kind: the page of offices is every office of the network, by name. */
function isUnfiltered(filter: RequirementFilter): boolean {
  return Object.values(filter).every((value) => value === undefined || value === '' || value === false);
}

/** Not with the 事務局 in any way yet: not made, not signed, or signed but not sent. */
const NOT_SUBMITTED: CellStatus[] = ['missing', 'draft', 'issued', 'signed'];

function officeCell(row: Requirement | undefined): MatrixCell {
  if (!row) return noneCell('—');
  return { status: row.status, label: CELL_LABELS[row.status], date: row.date, overdue: row.overdue, documentId: row.documentId };
}

/** Every staff member's pledge in one cell: how many are received, and the least advanced state. */
function staffCell(rows: Requirement[]): MatrixCell {
  if (rows.length === 0) return noneCell('従事者なし');
  const least = rows.reduce((a, b) => (CELL_STATUSES.indexOf(b.status) < CELL_STATUSES.indexOf(a.status) ? b : a));
  const received = rows.filter((r) => r.status === 'received').length;
  return {
    status: least.status,
    label: `${rows.length}名中 ${received}名受領`,
    date: null,
    overdue: rows.some((r) => r.overdue),
    documentId: null,
  };
}

function noneCell(label: string): MatrixCell {
  return { status: null, label, date: null, overdue: false, documentId: null };
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}
