import { Inject, Injectable } from '@nestjs/common';
import { OfficesService } from '../accounts/offices.service';
import { todayInJapan } from '../common/japan-date';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { CustodyService } from '../custody/custody.service';
import { SubmittedOriginal } from '../custody/custody.types';
import { DocumentsService } from '../documents/documents.service';
import { LatestDocument } from '../documents/documents.types';
import { NetworksService } from '../networks/networks.service';
import { PeopleService } from '../people/people.service';

export const CELL_STATUSES = ['missing', 'draft', 'issued', 'signed', 'signed_electronically', 'in_transit', 'received'] as const;
export type CellStatus = (typeof CELL_STATUSES)[number];

export const CELL_LABELS: Record<CellStatus, string> = {
  missing: '未提出',
  draft: '作成中',
  issued: '発行済（未署名）',
  signed: '署名済（未発送）',
  signed_electronically: '電子署名済',
  in_transit: '原本郵送中',
  received: '受領済',
};

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
  status?: string;
  overdueOnly?: boolean;
}

/**
 * The secretariat's matrix: offices of one network × the forms the network requires them to submit, with
 * where each original is. One read per feature for the whole page: offices, staff, documents, originals.
 */
@Injectable()
export class SecretariatDashboardService {
  constructor(
    private readonly offices: OfficesService,
    private readonly people: PeopleService,
    private readonly documents: DocumentsService,
    private readonly custody: CustodyService,
    private readonly networks: NetworksService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async requirements(networkId: string, filter: RequirementFilter = {}): Promise<Requirement[]> {
    const network = this.networks.getNetwork(networkId);
    // What every office owes once (its application and pledge) and every staff member once (a pledge); a
    // notice is sent per change, so nobody can owe one.
    const submitted = network.forms.filter((f) => f.custody.originals.includes('secretariat') && f.purpose !== 'notice');
    const officeForms = submitted.filter((f) => f.subject === 'office' || f.subject === 'none');
    const staffForm = submitted.find((f) => f.subject === 'staff' && f.purpose === 'pledge');

    const offices = await this.offices.inNetwork(networkId, { officeId: filter.officeId });
    const officeIds = offices.map((o) => o.id);
    if (officeIds.length === 0) return [];
    const staff = staffForm ? await this.people.activeStaffOf(officeIds) : [];
    const docs = await this.documents.latestDocuments(
      officeIds,
      submitted.map((f) => f.id),
    );
    const originals = new Map((await this.custody.submittedOriginals(docs.map((d) => d.id))).map((o) => [o.documentId, o]));
    const docOf = new Map(docs.map((d) => [`${d.officeId}/${d.formId}/${d.subjectId ?? ''}`, d]));
    const overdueBefore = Date.now() - this.config.overdueDays * 86_400_000;
    const cell = (officeId: string, formId: string, subjectId: string | null) => {
      const doc = docOf.get(`${officeId}/${formId}/${subjectId ?? ''}`);
      return cellFor(doc, doc && originals.get(doc.id), overdueBefore);
    };

    const rows: Requirement[] = [];
    for (const office of offices) {
      const at = { officeId: office.id, officeName: office.name };
      for (const form of officeForms) {
        const subject = { type: 'office' as const, id: null, name: office.name };
        rows.push({ ...at, formId: form.id, formLabel: `${form.number} ${form.title}`, subject, ...cell(office.id, form.id, null) });
      }
      if (!staffForm) continue;
      for (const member of staff.filter((s) => s.officeId === office.id)) {
        const subject = { type: 'staff' as const, id: member.id, name: member.name };
        const formLabel = `${staffForm.number} ${staffForm.title}`;
        rows.push({ ...at, formId: staffForm.id, formLabel, subject, ...cell(office.id, staffForm.id, member.id) });
      }
    }
    return filterRequirements(rows, filter);
  }

  /** Per office: how many requirements are in each state. */
  summarize(
    rows: Requirement[],
  ): Array<{ officeId: string; officeName: string; total: number; received: number; overdue: number; counts: Record<CellStatus, number> }> {
    const byOffice = new Map<string, ReturnType<SecretariatDashboardService['summarize']>[number]>();
    for (const row of rows) {
      const entry = byOffice.get(row.officeId) ?? {
        officeId: row.officeId,
        officeName: row.officeName,
        total: 0,
        received: 0,
        overdue: 0,
        counts: Object.fromEntries(CELL_STATUSES.map((s) => [s, 0])) as Record<CellStatus, number>,
      };
      entry.total++;
      entry.counts[row.status]++;
      if (row.status === 'received') entry.received++;
      if (row.overdue) entry.overdue++;
      byOffice.set(row.officeId, entry);
    }
    return [...byOffice.values()];
  }
}

/** The rows a filter keeps (the office filter is applied when reading). */
export function filterRequirements(rows: Requirement[], filter: RequirementFilter): Requirement[] {
  return rows.filter(
    (r) =>
      (!filter.officeId || r.officeId === filter.officeId) &&
      (!filter.status || r.status === filter.status) &&
      (!filter.overdueOnly || r.overdue),
  );
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
