import { FieldDefinition, FormDefinition, PrefillMapping, PrefillSource } from './catalogue.types';

/**
 * What a new document can be prefilled from. The catalogue names these by path (`staff.email`,
 * `family.0.relation`); the loader refuses a path that is not listed here, so a typo stops start-up
 * instead of leaving a field blank.
 */
export interface DraftSources {
  office: { name: string; address: string | null; postalCode: string | null; phone: string | null };
  /** The office's manager (管理者), as its roster names them. */
  manager: { name: string | null };
  /** Who prepares the document. */
  user: { name: string };
  /** The date the sheet is dated with, when the caller knows it (a roster's start date); else blank. */
  issueDate: string | null;
  staff?: { name: string; nameKana: string | null; email: string | null; jobTitle: string | null };
  patient?: { name: string; nameKana: string | null; birthDate: string | null; address: string | null; phone: string | null };
  /** The patient's family contacts, in the order the office lists them (家族1, 家族2…). */
  family?: Array<{ name: string; relation: string; email: string | null; phone: string | null; address: string | null }>;
  /** The office's active staff, as an application lists its users (利用者). */
  roster?: Array<{ name: string; nameKana: string | null; email: string | null; jobTitle: string | null }>;
  /** The people a staff-change notice lists. */
  changes?: Array<{
    action: string;
    name: string | null;
    nameKana: string | null;
    gender: string | null;
    jobTitle: string | null;
    email: string | null;
  }>;
}

const OFFICE = ['name', 'address', 'postalCode', 'phone'];
const PERSON = ['name', 'nameKana', 'email', 'jobTitle'];
const PATIENT = ['name', 'nameKana', 'birthDate', 'address', 'phone'];
const FAMILY = ['name', 'relation', 'email', 'phone', 'address'];
const CHANGE = ['action', 'name', 'nameKana', 'gender', 'jobTitle', 'email'];

/** The paths each kind of form may read: a staff member's details only where the form is about one. */
function knownRoots(form: Pick<FormDefinition, 'subject' | 'purpose'>): Record<string, { fields: string[]; list?: boolean } | null> {
  return {
    office: { fields: OFFICE },
    manager: { fields: ['name'] },
    user: { fields: ['name'] },
    issueDate: null,
    ...(form.subject === 'staff' ? { staff: { fields: PERSON } } : {}),
    ...(form.subject === 'patient' ? { patient: { fields: PATIENT }, family: { fields: FAMILY, list: true } } : {}),
    ...(form.purpose === 'notice' ? { changes: { fields: CHANGE, list: true } } : {}),
    ...(form.purpose === 'application' ? { roster: { fields: PERSON, list: true } } : {}),
  };
}

/** Every problem with a form's prefill mapping, in words; empty when it is sound. */
export function prefillProblems(form: Pick<FormDefinition, 'subject' | 'purpose' | 'fields'>, mapping: PrefillMapping): string[] {
  const roots = knownRoots(form);
  const problems: string[] = [];
  const checkPath = (where: string, path: string) => {
    const [root, ...rest] = path.split('.');
    if (!(root in roots)) return problems.push(`${where}: "${root}" is not a source for a form about ${form.subject} (${form.purpose})`);
    const known = roots[root];
    const [index, attribute, ...more] = known?.list ? rest : [undefined, ...rest];
    const wellFormed =
      known === null ? rest.length === 0 : attribute !== undefined && more.length === 0 && known.fields.includes(attribute);
    if (!wellFormed || (known?.list && !/^\d+$/.test(index ?? ''))) problems.push(`${where}: "${path}" is not a known source`);
  };
  const check = (fields: FieldDefinition[], entries: Record<string, PrefillSource>, where: string) => {
    for (const [key, source] of Object.entries(entries)) {
      const field = fields.find((f) => f.key === key);
      const at = `${where}${key}`;
      if (!field) {
        problems.push(`prefill ${at}: the form has no such field`);
      } else if (typeof source === 'string') {
        if (field.type === 'group' || field.type === 'list') problems.push(`prefill ${at}: a ${field.type} needs a mapping per field`);
        else checkPath(`prefill ${at}`, source);
      } else if (isEach(source)) {
        if (field.type !== 'list') problems.push(`prefill ${at}: "each" fills a list field only`);
        const list = roots[source.each];
        if (!list?.list) problems.push(`prefill ${at}: "${source.each}" is not a list source for this form`);
        for (const [rowKey, attribute] of Object.entries(source.row)) {
          if (!field.fields?.some((f) => f.key === rowKey)) problems.push(`prefill ${at}.${rowKey}: the row has no such field`);
          if (list?.list && !list.fields.includes(attribute)) problems.push(`prefill ${at}.${rowKey}: "${attribute}" is not known`);
        }
      } else if (field.type !== 'group') {
        problems.push(`prefill ${at}: only a group field takes a mapping`);
      } else {
        check(field.fields ?? [], source, `${at}.`);
      }
    }
  };
  check(form.fields, mapping, '');
  return problems;
}

/** A new document's data: what the catalogue maps from the sources, blanks and unknowns left out. */
export function buildDraft(form: Pick<FormDefinition, 'prefill'>, sources: DraftSources): Record<string, unknown> {
  return fill(form.prefill, sources);
}

function fill(mapping: PrefillMapping, sources: DraftSources): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const [key, source] of Object.entries(mapping)) {
    const value = resolve(source, sources);
    const blank = value === null || value === undefined || value === '' || (typeof value === 'object' && Object.keys(value).length === 0);
    if (!blank) data[key] = value;
  }
  return data;
}

function resolve(source: PrefillSource, sources: DraftSources): unknown {
  if (typeof source === 'string') return at(sources, source);
  if (isEach(source)) {
    const items = at(sources, source.each);
    if (!Array.isArray(items) || items.length === 0) return undefined;
    return items.map((item) => fill(source.row, item as DraftSources));
  }
  return fill(source, sources);
}

function at(root: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((value, part) => (value && typeof value === 'object' ? (value as never)[part] : undefined), root);
}

function isEach(source: PrefillSource): source is { each: string; row: Record<string, string> } {
  return typeof source === 'object' && 'each' in source && typeof source.each === 'string';
}

/**
 * The rows of a list field read back as the source they are prefilled from (`{ each: changes, row: … }`):
 * a notice's changes, an application's users. Keyed by the source's attribute names (name, email…), so the
 * caller never needs the network's own field names. Empty when the form maps no list from that source.
 */
export function rowsFromSource(
  form: Pick<FormDefinition, 'prefill'>,
  source: 'changes' | 'roster',
  data: Record<string, unknown>,
): Array<Record<string, string | null>> {
  const entry = Object.entries(form.prefill).find(([, s]) => isEach(s) && s.each === source);
  if (!entry) return [];
  const [key, mapping] = entry as [string, { each: string; row: Record<string, string> }];
  const rows = Array.isArray(data[key]) ? (data[key] as Array<Record<string, unknown>>) : [];
  return rows.map((row) =>
    Object.fromEntries(
      Object.entries(mapping.row).map(([field, attribute]) => {
        const value = row?.[field];
        return [attribute, typeof value === 'string' && value.trim() ? value.trim() : null];
      }),
    ),
  );
}

/**
 * The data with more rows added to the list field filled from that source (a notice collecting the day's
 * changes): the rows already there are kept as they are, the new ones mapped as a fresh draft maps them.
 * Null when the form maps no list from that source.
 */
export function withRowsFromSource(
  form: Pick<FormDefinition, 'prefill'>,
  source: 'changes' | 'roster',
  data: Record<string, unknown>,
  added: Array<Record<string, unknown>>,
): Record<string, unknown> | null {
  const entry = Object.entries(form.prefill).find(([, s]) => isEach(s) && s.each === source);
  if (!entry) return null;
  const [key, mapping] = entry as [string, { each: string; row: Record<string, string> }];
  const rows = Array.isArray(data[key]) ? (data[key] as unknown[]) : [];
  return { ...data, [key]: [...rows, ...added.map((row) => fill(mapping.row, row as unknown as DraftSources))] };
}
