/** What other features may know of people: plain shapes, never the tables behind them. */

/** 従事者: someone on an office's roster; needs no log-in of their own. */
export interface StaffMember {
  id: string;
  officeId: string;
  name: string;
  nameKana: string | null;
  jobTitle: string | null;
  email: string | null;
  /** 性別, as the staff-change notices list it. */
  gender: StaffGender | null;
  /** 入職日 (YYYY-MM-DD). */
  joinedOn: string | null;
  isManager: boolean;
  active: boolean;
  userId: string | null;
  createdAt: Date;
  leftAt: Date | null;
}

export const STAFF_GENDERS = ['男', '女'] as const;
export type StaffGender = (typeof STAFF_GENDERS)[number];

/**
 * A staff member as the staff page, the API, a roster batch or an application sends them, already checked
 * against the staff request class (dto/create-staff.dto.ts). A blank text is '' (stored as null).
 */
export interface StaffInput {
  name: string;
  nameKana?: string | null;
  jobTitle?: string | null;
  email?: string | null;
  gender?: StaffGender | '' | null;
  joinedOn?: string | null;
  isManager?: boolean;
}

/** A family row as checked (dto/create-patient.dto.ts): with the id of the contact it changes, if any. */
export interface FamilyInput {
  id?: string | null;
  name: string;
  relation: string;
  email?: string | null;
  phone?: string | null;
  address?: string | null;
}

/** A patient with their family, as checked (dto/create-patient.dto.ts). */
export interface PatientInput {
  name: string;
  nameKana?: string | null;
  birthDate?: string | null;
  address?: string | null;
  phone?: string | null;
  family?: FamilyInput[];
}

export type StaffChanges = Partial<Pick<StaffMember, 'name' | 'nameKana' | 'jobTitle' | 'email' | 'gender' | 'joinedOn' | 'isManager'>>;

export interface Patient {
  id: string;
  officeId: string;
  name: string;
  nameKana: string | null;
  birthDate: string | null;
  address: string | null;
  phone: string | null;
  createdAt: Date;
  /** 利用停止: the patient asked that their data no longer be used; no new document is made for them. */
  suspendedAt: Date | null;
  /** 消去: name, details and family were erased at the patient's request; the row keeps only its id. */
  erasedAt: Date | null;
}

/** What an erased patient's row shows instead of the name. */
export const ERASED_PATIENT_NAME = '（消去済み）';

/** A patient's family member: who may sign for the patient (代筆, with 続柄) and receive a consent link. */
export interface FamilyContact {
  id: string;
  patientId: string;
  name: string;
  relation: string;
  email: string | null;
  phone: string | null;
  address: string | null;
  /** The order the office lists the family in (家族1, 家族2…). */
  position: number;
  createdAt: Date;
}

export interface PatientWithFamily extends Patient {
  family: FamilyContact[];
}
