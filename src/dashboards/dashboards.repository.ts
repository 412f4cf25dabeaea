import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CELL_STATUSES, CellStatus } from './dashboards.types';

/** The forms a network expects, in column order: every office's forms, and the one pledge every staff member owes. */
export interface RequiredForms {
  officeForms: string[];
  staffForm: string | null;
}

/** Which requirements a query reads: the database does the filtering, so a page costs the same at any size. */
export interface RequirementQuery {
  networkId: string;
  forms: RequiredForms;
  /** Mailed before this and not received yet: overdue. */
  overdueBefore: Date;
  officeIds?: string[];
  /** Part of an office's name, or its id. */
  officeText?: string;
  status?: CellStatus;
  overdueOnly?: boolean;
  formId?: string;
}

export interface RequirementRow {
  officeId: string;
  officeName: string;
  formId: string;
  subjectType: 'office' | 'staff';
  subjectId: string | null;
  subjectName: string;
  status: CellStatus;
  mailedAt: Date | null;
  receivedAt: Date | null;
  overdue: boolean;
  documentId: string | null;
  documentNumber: string | null;
  exemplarCode: string | null;
}

export interface NetworkTally {
  offices: number;
  officesOwing: number;
  officesOverdue: number;
  total: number;
  overdue: number;
  counts: Record<CellStatus, number>;
}

export interface OfficeTally {
  officeId: string;
  officeName: string;
  total: number;
  overdue: number;
  counts: Record<CellStatus, number>;
}

const STATUS_COLUMNS = CELL_STATUSES;

/**
 * The 事務局's read model: what every office owes, computed set-based in PostgreSQL (offices × forms and staff ×
 * pledge, each with its latest document, its original and the original's last mailing and receipt). Pages,
 * filters and counts are SQL, never a loop over the whole network in memory. Reads only; the tables belong to
 * accounts, people, documents and custody, which write them.
 */
@Injectable()
export class DashboardsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * What a page of the 事務局 shows first, from one evaluation of the requirements: the network's counts, a page of
   * offices with theirs, and a page of requirement rows with how many match.
   */
  async overview(
    query: RequirementQuery,
    rows: { limit: number; offset: number },
    offices: { limit: number; offset: number },
  ): Promise<{ tally: NetworkTally; offices: OfficeTally[]; officeTotal: number; rows: RequirementRow[]; total: number }> {
    const { sql, params } = this.cells(query);
    const n = params.length;
    const counts = STATUS_COLUMNS.map((s) => `count(*) FILTER (WHERE status = '${s}') AS "${s}"`).join(', ');
    const [row] = await this.dataSource.query(
      `${sql}, per_office AS (
         SELECT office_id, office_name, count(*) AS total, count(*) FILTER (WHERE overdue) AS overdue, ${counts},
                count(*) FILTER (WHERE status IN ('missing', 'draft', 'issued', 'signed')) AS owed
           FROM cell GROUP BY office_id, office_name)
       SELECT (SELECT count(*) FROM per_office) AS offices,
              (SELECT count(*) FROM per_office WHERE owed > 0) AS offices_owing,
              (SELECT count(*) FROM per_office WHERE overdue > 0) AS offices_overdue,
              (SELECT json_agg(p ORDER BY p.office_name, p.office_id) FROM (
                 SELECT * FROM per_office ORDER BY office_name, office_id LIMIT $${n + 3} OFFSET $${n + 4}) p) AS office_page,
              (SELECT json_agg(c ORDER BY c.office_name, c.office_id::text, c.ord, c.since_key, coalesce(c.subject_id::text, '')) FROM (
                 SELECT * FROM cell ORDER BY office_name, office_id::text, ord, since_key, coalesce(subject_id::text, '')
                  LIMIT $${n + 1} OFFSET $${n + 2}) c) AS row_page,
              count(*) AS total, count(*) FILTER (WHERE overdue) AS overdue, ${counts}
         FROM cell`,
      [...params, rows.limit, rows.offset, offices.limit, offices.offset],
    );
    return {
      tally: {
        offices: Number(row.offices),
        officesOwing: Number(row.offices_owing),
        officesOverdue: Number(row.offices_overdue),
        total: Number(row.total),
        overdue: Number(row.overdue),
        counts: statusCounts(row),
      },
      officeTotal: Number(row.offices),
      offices: ((row.office_page ?? []) as Array<Record<string, string>>).map(officeTally),
      rows: ((row.row_page ?? []) as RawRow[]).map((r) => toRow(r)),
      total: Number(row.total),
    };
  }

  /**
   * Every requirement row, in order, a batch at a time through a server-side cursor: the requirements are
   * evaluated once, and this process holds one batch at a time, for an export of any size.
   */
  async *eachRequirement(query: RequirementQuery, batch = 2000): AsyncGenerator<RequirementRow[]> {
    const { sql, params } = this.cells(query);
    const runner = this.dataSource.createQueryRunner();
    let finished = false;
    await runner.connect();
    try {
      await runner.query('BEGIN READ ONLY');
      await runner.query(
        `DECLARE requirement_rows NO SCROLL CURSOR FOR ${sql}
         SELECT * FROM cell ORDER BY office_name, office_id::text, ord, since_key, coalesce(subject_id::text, '')`,
        params,
      );
      for (;;) {
        const rows: RawRow[] = await runner.query(`FETCH ${Math.max(1, Math.floor(batch))} FROM requirement_rows`);
        if (rows.length > 0) yield rows.map((r) => toRow(r));
        if (rows.length < batch) break;
      }
      await runner.query('COMMIT');
      finished = true;
    } finally {
      // A reader that stopped early (a closed download) ends the transaction, and the cursor with it.
      if (!finished) await runner.query('ROLLBACK').catch(() => undefined);
      await runner.release();
    }
  }

  /**
   * One page of offices (by name) with their tallies; the filters keep an office when any of its requirements
   * matches (a status, overdue, a form), and its name matches the text.
   */
  async officePage(query: RequirementQuery, page: { limit: number; offset: number }): Promise<{ offices: OfficeTally[]; total: number }> {
    const { sql, params } = this.cells(query);
    const n = params.length;
    const rows: Array<Record<string, string>> = await this.dataSource.query(
      `${sql}
       SELECT office_id, office_name, count(*) AS total, count(*) FILTER (WHERE overdue) AS overdue,
              ${STATUS_COLUMNS.map((s) => `count(*) FILTER (WHERE status = '${s}') AS "${s}"`).join(', ')},
              count(*) OVER () AS offices
         FROM cell GROUP BY office_id, office_name
        ORDER BY office_name, office_id
        LIMIT $${n + 1} OFFSET $${n + 2}`,
      [...params, page.limit, page.offset],
    );
    const total = rows.length > 0 ? Number(rows[0].offices) : 0;
    return {
      total,
      offices: rows.map((r) => ({
        officeId: r.office_id,
        officeName: r.office_name,
        total: Number(r.total),
        overdue: Number(r.overdue),
        counts: Object.fromEntries(STATUS_COLUMNS.map((s) => [s, Number(r[s])])) as Record<CellStatus, number>,
      })),
    };
  }

  /** The network's offices by name, for a filter's choice (ids and names only). */
  officeNames(networkId: string): Promise<Array<{ officeId: string; officeName: string }>> {
    return this.dataSource.query(`SELECT id AS "officeId", name AS "officeName" FROM office WHERE network_id = $1 ORDER BY name, id`, [
      networkId,
    ]);
  }

  /**
   * The requirement cells as a CTE named `cell`. Each requirement finds its latest document in use through the
   * (office, form, subject, created_at) index, the document's original bound for the 事務局, and one pass over
   * that original's events for its last mailing and receipt.
   */
  private cells(query: RequirementQuery): { sql: string; params: unknown[] } {
    const params: unknown[] = [query.networkId, query.forms.officeForms, query.forms.staffForm, query.overdueBefore];
    const office: string[] = [];
    if (query.officeIds) {
      params.push(query.officeIds);
      office.push(`o.id = ANY($${params.length}::uuid[])`);
    }
    if (query.officeText) {
      params.push(`%${query.officeText.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      office.push(`(o.name ILIKE $${params.length} ESCAPE '\\' OR o.id::text = $${params.length + 1})`);
      params.push(query.officeText.trim().toLowerCase());
    }
    const cell: string[] = [];
    if (query.status) {
      params.push(query.status);
      cell.push(`status = $${params.length}`);
    }
    if (query.overdueOnly) cell.push('overdue');
    if (query.formId) {
      params.push(query.formId);
      cell.push(`form_id = $${params.length}`);
    }
    const sql = `WITH off AS (
        SELECT o.id, o.name FROM office o WHERE o.network_id = $1 ${office.map((w) => `AND ${w}`).join(' ')}
      ), req AS (
        SELECT o.id AS office_id, o.name AS office_name, f.form_id, f.ord::int AS ord,
               'office'::text AS subject_type, NULL::uuid AS subject_id, o.name AS subject_name, NULL::timestamptz AS subject_since,
               '00000000-0000-0000-0000-000000000000'::uuid AS subject_key
          FROM off o CROSS JOIN unnest($2::text[]) WITH ORDINALITY AS f(form_id, ord)
        UNION ALL
        SELECT o.id, o.name, $3::text, 100000, 'staff', s.id, s.name, s.created_at, s.id
          FROM off o JOIN staff_member s ON s.office_id = o.id AND s.active
         WHERE $3::text IS NOT NULL
      ), latest AS (
        SELECT DISTINCT ON (d.office_id, d.form_id, d.subject_id) d.id, d.number, d.status, d.office_id, d.form_id,
               coalesce(d.subject_id, '00000000-0000-0000-0000-000000000000') AS subject_key
          FROM document d
         WHERE d.network_id = $1 AND d.office_id IN (SELECT id FROM off)
           AND (d.form_id = ANY($2::text[]) OR d.form_id = $3::text)
           AND d.status NOT IN ('withdrawn', 'revoked', 'erased')
         ORDER BY d.office_id, d.form_id, d.subject_id, d.created_at DESC
      ), original AS (
        SELECT x.id, x.document_id, x.code, x.state
          FROM exemplar x JOIN latest l ON l.id = x.document_id
         WHERE x.network_id = $1 AND x.kind = 'original' AND x.holder = 'secretariat' AND x.sheet = 'form'
      ), journey AS (
        SELECT e.exemplar_id, max(e.occurred_at) FILTER (WHERE e.type = 'mailed') AS mailed_at,
               max(e.occurred_at) FILTER (WHERE e.type = 'received') AS received_at
          FROM custody_event e JOIN original x ON x.id = e.exemplar_id AND x.state IN ('mailed', 'received')
         WHERE e.type IN ('mailed', 'received')
         GROUP BY e.exemplar_id
      ), raw AS (
        SELECT r.*, l.id AS document_id, l.number AS document_number, l.status AS doc_status,
               x.code AS exemplar_code, x.state AS original_state, j.mailed_at, j.received_at
          FROM req r
          LEFT JOIN latest l ON l.office_id = r.office_id AND l.form_id = r.form_id AND l.subject_key = r.subject_key
          LEFT JOIN original x ON x.document_id = l.id
          LEFT JOIN journey j ON j.exemplar_id = x.id
      ), judged AS (
        SELECT raw.*,
               CASE WHEN document_id IS NULL THEN 'missing'
                    WHEN original_state = 'received' THEN 'received'
                    WHEN original_state = 'mailed' THEN 'in_transit'
                    WHEN original_state = 'signed_electronically' THEN 'signed_electronically'
                    WHEN doc_status IN ('signed', 'draft') THEN doc_status
                    ELSE 'issued' END AS status,
               coalesce(subject_since, '-infinity'::timestamptz)::text AS since_key
          FROM raw
      ), every_cell AS (
        SELECT judged.*, (status = 'in_transit' AND mailed_at IS NOT NULL AND mailed_at < $4) AS overdue
          FROM judged
      ), cell AS (
        SELECT * FROM every_cell WHERE ${cell.length > 0 ? cell.join(' AND ') : 'true'}
      )`;
    return { sql, params };
  }
}

interface RawRow {
  office_id: string;
  office_name: string;
  form_id: string;
  ord: number;
  subject_type: 'office' | 'staff';
  subject_id: string | null;
  subject_name: string;
  since_key: string;
  status: CellStatus;
  mailed_at: Date | string | null;
  received_at: Date | string | null;
  overdue: boolean;
  document_id: string | null;
  document_number: string | null;
  exemplar_code: string | null;
}

function statusCounts(row: Record<string, unknown>): Record<CellStatus, number> {
  return Object.fromEntries(STATUS_COLUMNS.map((s) => [s, Number(row[s])])) as Record<CellStatus, number>;
}

function officeTally(r: Record<string, unknown>): OfficeTally {
  return {
    officeId: String(r.office_id),
    officeName: String(r.office_name),
    total: Number(r.total),
    overdue: Number(r.overdue),
    counts: statusCounts(r),
  };
}

/** A timestamp read through json_agg arrives as text. */
function at(value: Date | string | null): Date | null {
  return value === null ? null : new Date(value);
}

function toRow(r: RawRow): RequirementRow {
  return {
    officeId: r.office_id,
    officeName: r.office_name,
    formId: r.form_id,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    subjectName: r.subject_name,
    status: r.status,
    mailedAt: at(r.mailed_at),
    receivedAt: at(r.received_at),
    overdue: r.overdue,
    documentId: r.document_id,
    documentNumber: r.document_number,
    exemplarCode: r.exemplar_code,
  };
}
