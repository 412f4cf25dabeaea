import { FieldError } from '../common/errors/domain-error';
import { parseIsoDate, todayInJapan } from '../common/japan-date';
import { isUuid, looksLikeEmail } from '../common/validation';
import { unfitForOneLine } from '../common/validation/text-rules';
import { STAFF_GENDERS, StaffGender } from './people.types';

/**
 * The rules of the people forms (staff, patient, family), for the pages and the API alike: each problem
 * is a field error with its path, so a page shows it beside its field and keeps what was typed.
 */

export interface StaffInput {
  name?: unknown;
  nameKana?: unknown;
  jobTitle?: unknown;
  email?: unknown;
  gender?: unknown;
  joinedOn?: unknown;
  isManager?: unknown;
}

export interface FamilyInput {
  id?: unknown;
  name?: unknown;
  relation?: unknown;
  email?: unknown;
  phone?: unknown;
  address?: unknown;
}

export interface PatientInput {
  name?: unknown;
  nameKana?: unknown;
  birthDate?: unknown;
  address?: unknown;
  phone?: unknown;
  family?: unknown;
}

/** More family contacts than any household has: a longer list is a mistake (or an attack), not a family. */
export const MAX_FAMILY_ROWS = 20;

/** A family row as checked: its id when it is an existing contact being changed. */
export interface FamilyFields {
  id: string | null;
  name: string;
  relation: string;
  email: string | null;
  phone: string | null;
  address: string | null;
}

/** The staff form's rules, for a new entry and a change alike. */
export function staffFields(input: StaffInput, errors: FieldError[]) {
  const name = text(input.name, 'name', '氏名', errors, { required: true, max: 40 });
  const email = text(input.email, 'email', 'メールアドレス', errors, { max: 254 });
  if (email && email.length <= 254 && !looksLikeEmail(email))
    errors.push({ path: 'email', label: 'メールアドレス', message: 'メールアドレスの形式が正しくありません' });
  const gender = text(input.gender, 'gender', '性別', errors, {});
  if (gender && !(STAFF_GENDERS as readonly string[]).includes(gender))
    errors.push({ path: 'gender', label: '性別', message: '性別は「男」「女」から選んでください' });
  return {
    officeId: '',
    name: name!,
    nameKana: text(input.nameKana, 'nameKana', 'ふりがな', errors, { max: 60 }),
    jobTitle: text(input.jobTitle, 'jobTitle', '職種', errors, { max: 20 }),
    email,
    gender: gender && (STAFF_GENDERS as readonly string[]).includes(gender) ? (gender as StaffGender) : null,
    joinedOn: date(input.joinedOn, 'joinedOn', '入職日', errors, { notAfterToday: false }),
    isManager: input.isManager === true,
    active: true,
  };
}

/** The patient form's rules: the patient, then each family row (at most MAX_FAMILY_ROWS). */
export function patientFields(input: PatientInput, errors: FieldError[]) {
  const patient = {
    name: text(input.name, 'name', '氏名', errors, { required: true, max: 40 })!,
    nameKana: text(input.nameKana, 'nameKana', 'ふりがな', errors, { max: 60 }),
    birthDate: date(input.birthDate, 'birthDate', '生年月日', errors, { notAfterToday: true }),
    address: text(input.address, 'address', '住所', errors, { max: 120 }),
    phone: phone(input.phone, 'phone', '電話番号', errors),
  };
  let rows: unknown[] = [];
  if (input.family !== undefined && input.family !== null && input.family !== '') {
    if (!Array.isArray(input.family)) errors.push({ path: 'family', label: '家族', message: '家族は一覧で指定してください' });
    else if (input.family.length > MAX_FAMILY_ROWS)
      errors.push({ path: 'family', label: '家族', message: `家族は${MAX_FAMILY_ROWS}名までです` });
    else rows = input.family;
  }
  const family = rows.map((row, i) => familyFields(row, i, errors));
  return { patient, family };
}

function familyFields(row: unknown, i: number, errors: FieldError[]): FamilyFields {
  const member = (row && typeof row === 'object' && !Array.isArray(row) ? row : {}) as FamilyInput;
  const at = (key: string) => `family[${i}].${key}`;
  const email = text(member.email, at('email'), '家族のメールアドレス', errors, { max: 254 });
  if (email && email.length <= 254 && !looksLikeEmail(email))
    errors.push({ path: at('email'), label: '家族のメールアドレス', message: '家族のメールアドレスの形式が正しくありません' });
  const id = typeof member.id === 'string' && isUuid(member.id) ? member.id : null;
  return {
    id,
    name: text(member.name, at('name'), '家族の氏名', errors, { required: true, max: 40 })!,
    relation: text(member.relation, at('relation'), '続柄', errors, { required: true, max: 20 })!,
    email,
    phone: phone(member.phone, at('phone'), '家族の電話番号', errors),
    address: text(member.address, at('address'), '家族の住所', errors, { max: 120 }),
  };
}

/** A leaving date (退職日): a real date, not in the future, not before the day they joined. */
export function leavingDate(value: unknown, joinedOn: string | null, errors: FieldError[]): string | null {
  const leftOn = date(value, 'leftOn', '退職日', errors, { notAfterToday: true });
  if (leftOn && joinedOn && leftOn < joinedOn)
    errors.push({ path: 'leftOn', label: '退職日', message: `退職日は入職日（${joinedOn}）以降の日付を入力してください` });
  return leftOn;
}

/** A text field: trimmed, blank is null; anything but text, or longer than its maximum, is a problem. */
export function text(
  value: unknown,
  path: string,
  label: string,
  errors: FieldError[],
  rule: { required?: boolean; max?: number },
): string | null {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
    if (rule.required) errors.push({ path, label, message: `${label}は必須です` });
    return null;
  }
  if (typeof value !== 'string') {
    errors.push({ path, label, message: `${label}は文字列で指定してください` });
    return null;
  }
  const trimmed = value.trim();
  if (rule.max && trimmed.length > rule.max) errors.push({ path, label, message: `${label}は${rule.max}文字以内で入力してください` });
  // Every field here is one line (a name may end up in a mail subject or a CSV row).
  const unfit = unfitForOneLine(trimmed);
  if (unfit) errors.push({ path, label, message: `${label}に${unfit}` });
  return trimmed;
}

function date(value: unknown, path: string, label: string, errors: FieldError[], rule: { notAfterToday: boolean }): string | null {
  const typed = text(value, path, label, errors, {});
  if (!typed) return null;
  try {
    parseIsoDate(typed);
  } catch {
    errors.push({ path, label, message: `${label}は正しい日付（YYYY-MM-DD）で入力してください` });
    return null;
  }
  if (typed < '1900-01-01') {
    errors.push({ path, label, message: `${label}は1900年以降の日付を入力してください` });
    return null;
  }
  if (rule.notAfterToday && typed > todayInJapan()) {
    errors.push({ path, label, message: `${label}に未来の日付は指定できません` });
    return null;
  }
  return typed;
}

/** A phone number as people write it (0422-00-0000, 内線 12…): free text, at most 20 characters. */
function phone(value: unknown, path: string, label: string, errors: FieldError[]): string | null {
  return text(value, path, label, errors, { max: 20 });
}
