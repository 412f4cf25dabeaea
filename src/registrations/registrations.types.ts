/** What other features may know of the registration desk: plain shapes, never the tables behind them. */

/** What the 事務局 must do in MCS for one person: create an ID, change it, or delete it. */
export const REGISTRATION_KINDS = ['add', 'change', 'delete'] as const;
export type RegistrationKind = (typeof REGISTRATION_KINDS)[number];

export const KIND_LABELS: Record<RegistrationKind, string> = { add: '新規', change: '変更', delete: '削除' };

/** Where a line came from: the staff pages or API, a roster upload, a staff-change notice, an application. */
export const REGISTRATION_SOURCES = ['staff', 'roster', 'notice', 'application'] as const;
export type RegistrationSource = (typeof REGISTRATION_SOURCES)[number];

export const SOURCE_LABELS: Record<RegistrationSource, string> = {
  staff: '従事者の登録',
  roster: '名簿の取り込み',
  notice: '変更届',
  application: '利用申込',
};

export const LINE_STATUSES = ['open', 'done'] as const;
export type LineStatus = (typeof LINE_STATUSES)[number];

/** A person as the office submitted them (a snapshot: later roster edits make new lines). */
export interface RegisteredPerson {
  id: string | null;
  name: string;
  nameKana: string | null;
  email: string | null;
  jobTitle: string | null;
}

/** A staff change an office submitted, as its caller reports it (inside the caller's transaction). */
export interface StaffChange {
  officeId: string;
  kind: RegistrationKind;
  staff: RegisteredPerson;
  source: RegistrationSource;
}

/** A question the 事務局 asked about a line, and the office's answer. */
export interface RegistrationQuestion {
  id: string;
  question: string;
  askedByName: string;
  askedAt: Date;
  answer: string | null;
  answeredByName: string | null;
  answeredAt: Date | null;
}

/** One line on the 事務局's desk: one person to add, change or delete in MCS. */
export interface RegistrationLine {
  id: string;
  networkId: string;
  officeId: string;
  officeName: string;
  staffId: string | null;
  kind: RegistrationKind;
  name: string;
  nameKana: string | null;
  email: string | null;
  jobTitle: string | null;
  source: RegistrationSource;
  /** The staff-change notice (別紙3, 様式3…) that lists this person, once there is one. */
  documentId: string | null;
  status: LineStatus;
  mcsId: string | null;
  note: string | null;
  doneAt: Date | null;
  doneByName: string | null;
  submittedAt: Date;
  questions: RegistrationQuestion[];
  /** The last question is still waiting for the office's answer. */
  awaitingAnswer: boolean;
}

/** An open question an office has not answered yet (a follow-up lists them). */
export interface UnansweredQuestion {
  lineId: string;
  name: string;
  kind: RegistrationKind;
  question: string;
  askedAt: Date;
}
