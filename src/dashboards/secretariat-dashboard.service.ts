import { Inject, Injectable } from '@nestjs/common';
import { todayInJapan } from '../common/japan-date';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { SubmittedOriginal } from '../custody/custody.types';
import { LatestDocument } from '../documents/documents.types';
import { NetworksService } from '../networks/networks.service';
import { DashboardsRepository, RequirementQuery, RequirementRow } from './dashboards.repository';
import { CELL_STATUSES, CellStatus } from './dashboards.types';
import { MAX_LIST_PAGE_SIZE } from '../common/validation/paging';

export { CELL_LABELS, CELL_STATUSES } from './dashboards.types';
export type { CellStatus } from './dashboards.types';

/** One thing the secretariat expects from an office: a form about the office, or one staff member's pledge. */
export interface Requirement {
  officeId: string;
  officeName: string;
  formId: string;
  formLabel: string;
  subject: { type: 'office' | 'staff'; id: string | null; name: string };
  status: CellStatus;
  /** Mailed or received date, as YYYY-MM-DD in Japan. */
  date: string | null;
  overdue: boolean;
  documentId: string | null;
  documentNumber: string | null;
  exemplarCode: string | null;
}

export interface RequirementFilter {
  officeId?: string;
  /** Part of an office's name, or its id. */
  officeText?: string;
  status?: string;
  overdueOnly?: boolean;
  /** One form (a column of the matrix). */
  formId?: string;
}

/** Per office: how many requirements are in each state. */
export interface OfficeSummary {
  officeId: string;
  officeName: string;
  total: number;
  received: number;
  overdue: number;
  counts: Record<CellStatus, number>;
}

/** A page's first read: the counts, a page of offices, a page of requirements. */
export interface Overview {
  summary: NetworkSummary;
  offices: OfficeSummary[];
  officeTotal: number;
  rows: Requirement[];
  total: number;
}

/** The whole network at a glance: how many offices owe something, and how many requirements are in each state. */
export interface NetworkSummary {
  offices: number;
  officesOwing: number;
  officesOverdue: number;
  total: number;
  overdue: number;
  counts: Record<CellStatus, number>;
}

/** The most rows or offices one page (or one API answer) carries. */
export const MAX_PAGE_SIZE = MAX_LIST_PAGE_SIZE;

/**
 * The secretariat's matrix: offices of one network × the forms the network requires them to submit, with
 * where each original is. Computed, filtered, paged and counted in PostgreSQL (see DashboardsRepository).
 */
@Injectable()
export class SecretariatDashboardService {
  constructor(
    private readonly repository: DashboardsRepository,
    private readonly networks: NetworksService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Every requirement (of one office, usually): for small sets only; pages and exports use page() and each(). */
  async requirements(networkId: string, filter: RequirementFilter = {}): Promise<Requirement[]> {
    const rows: Requirement[] = [];
    for await (const batch of this.each(networkId, filter)) rows.push(...batch);
    return rows;
  }

  /** A page's first read, one evaluation of the requirements: the counts, a page of offices, a page of requirements. */
  async overview(
    networkId: string,
    filter: RequirementFilter,
    rows: { limit: number; offset: number },
    offices: { limit: number; offset: number },
  ): Promise<Overview> {
    const labels = this.labels(networkId);
    const read = await this.repository.overview(this.query(networkId, filter), rows, offices);
    return {
      summary: read.tally,
      offices: read.offices.map((o) => ({ ...o, received: o.counts.received })),
      officeTotal: read.officeTotal,
      rows: read.rows.map((r) => requirementOf(r, labels)),
      total: read.total,
    };
  }

  /** Every matching requirement, in order, a batch at a time (exports). */
  async *each(networkId: string, filter: RequirementFilter = {}): AsyncGenerator<Requirement[]> {
    const labels = this.labels(networkId);
    for await (const batch of this.repository.eachRequirement(this.query(networkId, filter)))
      yield batch.map((r) => requirementOf(r, labels));
  }

  /** Requirements of these offices only (a page of the matrix). */
  async ofOffices(networkId: string, officeIds: string[]): Promise<Requirement[]> {
    if (officeIds.length === 0) return [];
    const labels = this.labels(networkId);
    const rows = [];
    for await (const batch of this.repository.eachRequirement({ ...this.query(networkId, {}), officeIds })) rows.push(...batch);
    return rows.map((r) => requirementOf(r, labels));
  }

  /** A page of offices (by name) that have a requirement matching the filter, each with its counts. */
  async officePage(
    networkId: string,
    filter: RequirementFilter,
    page: { limit: number; offset: number },
  ): Promise<{ offices: OfficeSummary[]; total: number }> {
    const { offices, total } = await this.repository.officePage(this.query(networkId, filter), page);
    return { total, offices: offices.map((o) => ({ ...o, received: o.counts.received })) };
  }

  /** The network's offices by name (a filter's choice). */
  officeNames(networkId: string): Promise<Array<{ officeId: string; officeName: string }>> {
    return this.repository.officeNames(networkId);
  }

  /** The forms the network expects: each office's (its application and pledge), and each staff member's pledge. */
  requiredForms(networkId: string) {
    const network = this.networks.getNetwork(networkId);
    // A notice is sent per change, so nobody can owe one.
    const submitted = network.forms.filter((f) => f.custody.originals.includes('secretariat') && f.purpose !== 'notice');
    const officeForms = submitted.filter((f) => f.subject === 'office' || f.subject === 'none');
    const staffForm = submitted.find((f) => f.subject === 'staff' && f.purpose === 'pledge');
    return { officeForms, staffForm };
  }

  private labels(networkId: string): Map<string, string> {
    const { officeForms, staffForm } = this.requiredForms(networkId);
    return new Map([...officeForms, ...(staffForm ? [staffForm] : [])].map((f) => [f.id, `${f.number} ${f.title}`]));
  }

  private query(networkId: string, filter: RequirementFilter): RequirementQuery {
    const { officeForms, staffForm } = this.requiredForms(networkId);
    return {
      networkId,
      forms: { officeForms: officeForms.map((f) => f.id), staffForm: staffForm?.id ?? null },
      overdueBefore: new Date(Date.now() - this.config.overdueDays * 86_400_000),
      officeIds: filter.officeId ? [filter.officeId] : undefined,
      officeText: filter.officeText || undefined,
      status: (CELL_STATUSES as readonly string[]).includes(filter.status ?? '') ? (filter.status as CellStatus) : undefined,
      overdueOnly: filter.overdueOnly,
      formId: filter.formId || undefined,
    };
  }
}

function requirementOf(r: RequirementRow, labels: Map<string, string>): Requirement {
  const date = r.status === 'received' ? r.receivedAt : r.status === 'in_transit' ? r.mailedAt : null;
  return {
    officeId: r.officeId,
    officeName: r.officeName,
    formId: r.formId,
    formLabel: labels.get(r.formId) ?? r.formId,
    subject: { type: r.subjectType, id: r.subjectId, name: r.subjectName },
    status: r.status,
    date: date ? todayInJapan(date) : null,
    overdue: r.overdue,
    documentId: r.documentId,
    documentNumber: r.documentNumber,
    exemplarCode: r.exemplarCode,
  };
}

/** Where one required form stands: its latest document's state, or its original's journey to the 事務局. */
export function cellFor(
  doc: LatestDocument | undefined,
  original: SubmittedOriginal | undefined,
  overdueBefore: number,
): Pick<Requirement, 'status' | 'date' | 'overdue' | 'documentId' | 'documentNumber' | 'exemplarCode'> {
  if (!doc) return { status: 'missing', date: null, overdue: false, documentId: null, documentNumber: null, exemplarCode: null };
  const status: CellStatus =
    original?.state === 'received'
      ? 'received'
      : original?.state === 'mailed'
        ? 'in_transit'
        : original?.state === 'signed_electronically'
          ? 'signed_electronically'
          : doc.status === 'signed'
            ? 'signed'
            : doc.status === 'draft'
              ? 'draft'
              : 'issued';
  const date = status === 'received' ? original!.receivedAt : status === 'in_transit' ? original!.mailedAt : null;
  return {
    status,
    date: date ? todayInJapan(date) : null,
    overdue: status === 'in_transit' && !!original?.mailedAt && original.mailedAt.getTime() < overdueBefore,
    documentId: doc.id,
    documentNumber: doc.number,
    exemplarCode: original?.code ?? null,
  };
}
