/** The shape of templates/<network>/catalogue.yaml, after validation. */

export const FORM_KINDS = ['application', 'office-pledge', 'staff-pledge', 'staff-change', 'patient-consent', 'purpose'] as const;
export type FormKind = (typeof FORM_KINDS)[number];

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

export interface FormDefinition {
  id: FormKind;
  number: string;
  title: string;
  template: string;
  pages: number;
  signed: boolean;
  /** Which article of the network's policy the wording follows. */
  basis: string;
  signers: SignerRole[];
  custody: CustodyRule;
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

export interface NetworkDefinition {
  id: string;
  name: string;
  operator: string;
  policy: string;
  dateStyle: 'seireki' | 'wareki';
  secretariat: Secretariat;
  forms: FormDefinition[];
  /** Absolute path of the network's folder. */
  dir: string;
}
