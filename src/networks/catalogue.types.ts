/** The shape of templates/<network>/catalogue.yaml, after validation. */

/** Whom a form is about: one record of the office, one staff member, one patient, or nobody in particular. */
export const FORM_SUBJECTS = ['office', 'staff', 'patient', 'none'] as const;
export type FormSubject = (typeof FORM_SUBJECTS)[number];

/**
 * What a form is for. Behaviour follows from it, never from a form's id: the 事務局 expects a submitted
 * pledge or application from every office (or staff member); a roster creates each person's pledge and the
 * office's staff-change notice; a consent's signers are offered the network's disclosure to read.
 */
export const FORM_PURPOSES = ['pledge', 'consent', 'notice', 'application', 'disclosure'] as const;
export type FormPurpose = (typeof FORM_PURPOSES)[number];

/**
 * Where a new document's fields come from. A string is a path into the draft's sources (see prefill.ts:
 * `office.name`, `staff.email`, `family.0.relation`…); an object fills a group field key by key; `each`
 * fills a list field with one row per item of a source list.
 */
export type PrefillSource = string | { [key: string]: PrefillSource } | { each: string; row: Record<string, string> };
export type PrefillMapping = Record<string, PrefillSource>;

/** Parties that can hold an exemplar of a form. */
export const HOLDERS = ['secretariat', 'office', 'patient', 'staff'] as const;
export type Holder = (typeof HOLDERS)[number];

/** Who holds an exemplar, as the web UI names them. */
export const HOLDER_LABELS: Record<Holder, string> = {
  secretariat: '事務局',
  office: '事業所',
  patient: '患者・家族',
  staff: '従事者本人',
};

export const FIELD_TYPES = ['text', 'textarea', 'kana', 'date', 'email', 'postalCode', 'phone', 'choice', 'group', 'list'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export interface FieldDefinition {
  key: string;
  label: string;
  type: FieldType;
  required: boolean;
  maxLength?: number;
  /** For `choice`. */
  options?: string[];
  /** For `group` and `list`: the fields of the group, or of each row. */
  fields?: FieldDefinition[];
  /** For `list`. */
  maxItems?: number;
  help?: string;
}

export interface SignerRole {
  role: string;
  label: string;
  required: boolean;
  /** Who signs: the patient, a family member (with 続柄), someone signing for the patient, or staff. */
  kind: 'patient' | 'family' | 'proxy' | 'staff' | 'manager';
}

export interface CustodyRule {
  /** Each entry is one original (原本) and the party that ends up holding it. */
  originals: Holder[];
  /** Parties that keep a copy (写し). */
  copies: Holder[];
  /** True when the original travels to the secretariat (提出). */
  submitted: boolean;
  note?: string;
}

/**
 * Where a retention period starts: `issued`, the day the document was issued (created, for one never
 * issued); `end_of_use`, the day it stopped being in use — withdrawn (取り下げ), revoked (撤回), superseded
 * by a signed correction, or, for a staff member's form, the day they left (退職). A document still in use
 * is never past retention.
 */
export const RETENTION_STARTS = ['issued', 'end_of_use'] as const;
export type RetentionStart = (typeof RETENTION_STARTS)[number];

/** How long the office keeps a form's documents before they are listed for confirmed disposal (消去). */
export interface RetentionRule {
  years: number;
  from: RetentionStart;
  note?: string;
}

export interface FormDefinition {
  id: string;
  number: string;
  title: string;
  template: string;
  pages: number;
  signed: boolean;
  subject: FormSubject;
  purpose: FormPurpose;
  prefill: PrefillMapping;
  /** Which article of the network's policy the wording follows. */
  basis: string;
  signers: SignerRole[];
  custody: CustodyRule;
  retention: RetentionRule;
  fields: FieldDefinition[];
  sample: Record<string, unknown>;
}

export interface Secretariat {
  name: string;
  address?: string;
  postalCode?: string;
  phone?: string;
  email?: string;
  /** How forms address it, e.g. 「東久留米市医師会 会長 石橋 幸滋 殿」. */
  addressee?: string;
}

/**
 * Training a network asks of its users before they use it (e.g. 武蔵村山 第12条3): 研修会, or its video).
 * The office records who attended which kind and when; the 事務局 sees who is registered but untrained.
 */
export interface TrainingRule {
  required: boolean;
  /** What counts as attending, as the office picks it, e.g. [研修会, 動画]. */
  kinds: string[];
  /** The policy article that asks for it. */
  basis?: string;
}

export interface NetworkDefinition {
  id: string;
  name: string;
  operator: string;
  policy: string;
  dateStyle: 'seireki' | 'wareki';
  secretariat: Secretariat;
  /** Absent: the network asks for no training. */
  training?: TrainingRule;
  forms: FormDefinition[];
  /** Absolute path of the network's folder. */
  dir: string;
}
