import { FormSubject, SignerRole } from '../networks/catalogue.types';
import { DocumentView } from '../documents/documents.service';
import { OfficeManager } from '../documents/document-drafts.service';
import { PeopleService } from '../people/people.service';
import { FamilyContact, StaffMember } from '../people/people.types';

/** One row of the signing-request form, as it starts: what the document and the people records already say. */
export interface SignerDefaults {
  name: string;
  relation: string;
  email: string;
  method: 'email' | 'in_person';
}

const squeeze = (value: string) => value.replace(/\s/g, '');

/**
 * The signing-request form filled from what is known, so nobody types a name twice: each role's group in the
 * document's data (family1: { name, relation }), the patient's family contacts (the same person by name, else
 * the n-th contact for the n-th family role) for the e-mail, and the staff member a pledge is about.
 * Someone with an e-mail address is asked by e-mail; anyone without one, in person. The patient's row is left
 * blank (see below).
 */
export function signerDefaults(
  roles: SignerRole[],
  data: Record<string, unknown>,
  family: FamilyContact[],
  staff: Pick<StaffMember, 'name' | 'email'> | null,
  officeManager: OfficeManager | null = null,
): SignerDefaults[] {
  let familyRoles = 0;
  // The office's 管理者 fills the first required manager role (an office's pledge, a staff-change notice).
  const managerRole = roles.find((role) => role.kind === 'manager' && role.required);
  return roles.map((role) => {
    // The patient's row stays for the office to fill: a filled row is a signature the request waits for, and a
    // patient signs (in person) only when able to; the family are the ones a link is usually sent to.
    if (role.kind === 'patient') return { name: '', relation: '', email: '', method: 'in_person' };
    const group = data[role.role];
    const typed = (key: string) => {
      const value = group && typeof group === 'object' && !Array.isArray(group) ? (group as Record<string, unknown>)[key] : undefined;
      return typeof value === 'string' ? value.trim() : '';
    };
    let name = typed('name');
    let relation = typed('relation');
    let email = '';
    if (role.kind === 'family' || role.kind === 'proxy') {
      const byName = name ? family.find((f) => squeeze(f.name) === squeeze(name)) : undefined;
      const contact = byName ?? (role.kind === 'family' && !name ? family[familyRoles] : undefined);
      if (role.kind === 'family') familyRoles++;
      if (contact) {
        name ||= contact.name;
        relation ||= contact.relation;
        email = contact.email ?? '';
      }
    }
    if (role === managerRole && officeManager) {
      name ||= officeManager.name;
      if (squeeze(name) === squeeze(officeManager.name)) email = officeManager.email ?? '';
    }
    if (role.kind === 'staff' && staff) {
      name ||= staff.name;
      if (squeeze(name) === squeeze(staff.name)) email = staff.email ?? '';
    }
    // Nobody is asked by e-mail without an address: the first request would only be refused.
    const method = email ? 'email' : 'in_person';
    return { name, relation, email, method };
  });
}

/**
 * The signing form's rows for a document: its data, the patient's family or the staff member it is about, and
 * the office's 管理者.
 */
export async function signerPrefill(
  people: PeopleService,
  roles: SignerRole[],
  doc: DocumentView,
  officeManager: OfficeManager | null,
): Promise<SignerDefaults[]> {
  const id = doc.subjectId;
  const family = id && doc.subjectType === 'patient' ? ((await people.findPatientWithFamily(id))?.family ?? []) : [];
  const staff = id && doc.subjectType === 'staff' ? await people.findStaff(id) : null;
  return signerDefaults(roles, doc.version.data, family, staff, officeManager);
}

/** Where the signing form's names come from, as its lead says: the people the form's subject brings. */
export const PREFILL_SOURCES: Record<FormSubject, string> = {
  patient: '書類の記入内容と患者の家族の登録',
  staff: '書類の記入内容と職員の登録',
  office: '書類の記入内容と事業所の管理者',
  none: '書類の記入内容',
};
