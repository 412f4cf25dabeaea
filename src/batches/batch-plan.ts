import { StaffMember } from '../people/people.types';
import { BatchOptions } from './batch-options';
import { ParsedRoster, RosterRow } from './roster.types';

/** What a batch will do for one person. */
export interface PlannedPerson {
  row: number;
  action: '新規' | '変更' | '削除';
  name: string | null;
  email: string | null;
  jobTitle: string | null;
  /** The staff member a change or removal is about; null for someone new. */
  staffId: string | null;
  problems: Array<{ column: string; message: string }>;
}

/**
 * What a roster means for the office's staff. A list of new staff: every valid row is 新規. A full
 * roster (update): a new e-mail is 新規, a known one with other details 変更, and staff missing from it 削除.
 */
export function planChanges(
  roster: ParsedRoster,
  staff: Array<Pick<StaffMember, 'id' | 'name' | 'nameKana' | 'jobTitle' | 'email'>>,
  kind: BatchOptions['kind'],
): PlannedPerson[] {
  const person = (r: RosterRow, action: PlannedPerson['action'], staffId: string | null): PlannedPerson => ({
    row: r.row,
    action,
    name: r.name,
    email: r.email,
    jobTitle: r.jobTitle,
    staffId,
    problems: [],
  });
  if (kind === 'new') return roster.valid.map((r) => person(r, '新規', null));
  const known = new Map(staff.filter((s) => s.email).map((s) => [s.email!.toLowerCase(), s]));
  const listed = new Set<string>();
  const plan: PlannedPerson[] = [];
  for (const r of roster.valid) {
    const email = r.email!.toLowerCase();
    listed.add(email);
    const current = known.get(email);
    if (!current) plan.push(person(r, '新規', null));
    else if (
      current.name !== r.name ||
      (r.jobTitle ?? null) !== (current.jobTitle ?? null) ||
      (r.nameKana && r.nameKana !== current.nameKana)
    )
      plan.push(person(r, '変更', current.id));
  }
  // A roster with rejected rows cannot say who has left: those rows might be the missing people.
  if (roster.invalid.length === 0) {
    for (const s of staff) {
      if (!s.email || !listed.has(s.email.toLowerCase()))
        plan.push({ row: 0, action: '削除', name: s.name, email: s.email, jobTitle: s.jobTitle, staffId: s.id, problems: [] });
    }
  }
  return plan;
}
