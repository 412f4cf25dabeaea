import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { NetworksService } from '../networks/networks.service';

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

/**
 * The secretariat's matrix, read straight from the tables: offices of one network × the forms the
 * network requires them to submit, with where each original is.
 */
@Injectable()
export class SecretariatDashboardService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly networks: NetworksService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async requirements(
    networkId: string,
    filter: { officeId?: string; status?: string; overdueOnly?: boolean } = {},
  ): Promise<Requirement[]> {
    const network = this.networks.getNetwork(networkId);
    // What every office owes once (its application and pledge) and every staff member once (a pledge); a
    // notice is sent per change, so nobody can owe one.
    const submitted = network.forms.filter((f) => f.custody.originals.includes('secretariat') && f.purpose !== 'notice');
    const officeForms = submitted.filter((f) => f.subject === 'office' || f.subject === 'none');
    const staffForm = submitted.find((f) => f.subject === 'staff' && f.purpose === 'pledge');

    const offices: Array<{ id: string; name: string }> = await this.dataSource.query(
      `SELECT id, name FROM office WHERE network_id = $1 ${filter.officeId ? 'AND id = $2' : ''} ORDER BY name`,
      filter.officeId ? [networkId, filter.officeId] : [networkId],
    );
    const officeIds = offices.map((o) => o.id);
    if (officeIds.length === 0) return [];
    const staff: Array<{ id: string; office_id: string; name: string }> = staffForm
      ? await this.dataSource.query(
          `SELECT id, office_id, name FROM staff_member WHERE office_id = ANY($1) AND active ORDER BY created_at`,
          [officeIds],
        )
      : [];
    // The latest document per (office, form, subject) that has not been withdrawn; a correction supersedes the original.
    const docs: Array<{ id: string; number: string; office_id: string; form_id: string; subject_id: string | null; status: string }> =
      await this.dataSource.query(
        `SELECT DISTINCT ON (office_id, form_id, subject_id) id, number, office_id, form_id, subject_id, status
         FROM document
        WHERE office_id = ANY($1) AND form_id = ANY($2) AND status <> 'withdrawn'
        ORDER BY office_id, form_id, subject_id, created_at DESC`,
        [officeIds, submitted.map((f) => f.id)],
      );
    const originals: Array<{ document_id: string; code: string; state: string; mailed_at: Date | null; received_at: Date | null }> =
      docs.length
        ? await this.dataSource.query(
            `SELECT x.document_id, x.code, x.state,
                  (SELECT max(occurred_at) FROM custody_event e WHERE e.exemplar_id = x.id AND e.type = 'mailed') AS mailed_at,
                  (SELECT max(occurred_at) FROM custody_event e WHERE e.exemplar_id = x.id AND e.type = 'received') AS received_at
             FROM exemplar x
            WHERE x.document_id = ANY($1) AND x.kind = 'original' AND x.holder = 'secretariat'`,
            [docs.map((d) => d.id)],
          )
        : [];
    const docOf = (officeId: string, formId: string, subjectId: string | null) =>
      docs.find((d) => d.office_id === officeId && d.form_id === formId && d.subject_id === subjectId);
    const overdueBefore = Date.now() - this.config.overdueDays * 86_400_000;

    const cell = (officeId: string, formId: string, subjectId: string | null) => {
      const doc = docOf(officeId, formId, subjectId);
      if (!doc)
        return { status: 'missing' as const, date: null, overdue: false, documentId: null, documentNumber: null, exemplarCode: null };
      const original = originals.find((o) => o.document_id === doc.id);
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
      const date = status === 'received' ? original!.received_at : status === 'in_transit' ? original!.mailed_at : null;
      return {
        status,
        date: date ? new Date(date.getTime() + 9 * 3600_000).toISOString().slice(0, 10) : null,
        overdue: status === 'in_transit' && !!original?.mailed_at && original.mailed_at.getTime() < overdueBefore,
        documentId: doc.id,
        documentNumber: doc.number,
        exemplarCode: original?.code ?? null,
      };
    };

    const rows: Requirement[] = [];
    for (const office of offices) {
      for (const form of officeForms) {
        rows.push({
          officeId: office.id,
          officeName: office.name,
          formId: form.id,
          formLabel: `${form.number} ${form.title}`,
          subject: { type: 'office', id: null, name: office.name },
          ...cell(office.id, form.id, null),
        });
      }
      if (staffForm) {
        for (const member of staff.filter((s) => s.office_id === office.id)) {
          rows.push({
            officeId: office.id,
            officeName: office.name,
            formId: staffForm.id,
            formLabel: `${staffForm.number} ${staffForm.title}`,
            subject: { type: 'staff', id: member.id, name: member.name },
            ...cell(office.id, staffForm.id, member.id),
          });
        }
      }
    }
    return rows.filter((r) => (!filter.status || r.status === filter.status) && (!filter.overdueOnly || r.overdue));
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
