import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { FieldError } from '../common/errors/domain-error';
import { FieldDefinition } from './catalogue.types';

const PATTERNS: Partial<Record<FieldDefinition['type'], string>> = {
  kana: '^[ぁ-ゖァ-ヺー・ 　]+$',
  postalCode: '^[0-9]{3}-?[0-9]{4}$',
  phone: '^0[0-9]{1,4}-?[0-9]{1,4}-?[0-9]{3,4}$',
  // One line: no line break or other control character (a textarea may break lines; the validation pipe refuses the rest).
  text: '^[^\\u0000-\\u001f\\u007f]*$',
};

const HINTS: Partial<Record<FieldDefinition['type'], string>> = {
  kana: 'ひらがな又はカタカナで入力してください',
  text: '改行や制御文字は使えません（1行で入力してください）',
  postalCode: '7桁の郵便番号で入力してください（例: 203-0053）',
  phone: '電話番号の形式が正しくありません（例: 042-000-0000）',
  email: 'メールアドレスの形式が正しくありません（例: name@example.jp）',
  date: '日付を YYYY-MM-DD の形で入力してください（例: 2026-04-01）',
};

export type JsonSchema = Record<string, unknown>;

/** The JSON Schema of a form's data: the public contract of the render API. */
export function toJsonSchema(fields: FieldDefinition[]): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const field of fields) properties[field.key] = fieldSchema(field);
  return {
    type: 'object',
    additionalProperties: false,
    required: fields.filter((f) => f.required).map((f) => f.key),
    properties,
  };
}

function fieldSchema(field: FieldDefinition): JsonSchema {
  const base = { title: field.label, ...(field.help ? { description: field.help } : {}) };
  switch (field.type) {
    case 'group':
      return { ...base, ...toJsonSchema(field.fields ?? []) };
    case 'list':
      return {
        ...base,
        type: 'array',
        ...(field.required ? { minItems: 1 } : {}),
        ...(field.maxItems ? { maxItems: field.maxItems } : {}),
        items: toJsonSchema(field.fields ?? []),
      };
    case 'choice':
      return { ...base, type: 'string', enum: field.options ?? [] };
    case 'date':
      return { ...base, type: 'string', format: 'date' };
    case 'email':
      return { ...base, type: 'string', format: 'email', maxLength: field.maxLength ?? 254 };
    default: {
      const pattern = PATTERNS[field.type];
      return {
        ...base,
        type: 'string',
        minLength: 1,
        maxLength: field.maxLength ?? (field.type === 'textarea' ? 2000 : 200),
        ...(pattern ? { pattern } : {}),
      };
    }
  }
}

/**
 * Tidies data as a clerk would type it: trims, turns full-width digits and hyphens of codes into
 * half-width, and drops empty values (an empty input is an absent value, not an empty string).
 */
export function normalizeFormData(fields: FieldDefinition[], input: unknown): unknown {
  if (!isPlainObject(input)) return input;
  const output: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    const field = fields.find((f) => f.key === key);
    const normalized = field ? normalizeValue(field, value) : value;
    if (normalized !== undefined) output[key] = normalized;
  }
  return output;
}

function normalizeValue(field: FieldDefinition, value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (field.type === 'group') {
    const group = normalizeFormData(field.fields ?? [], value);
    return isPlainObject(group) && Object.keys(group).length === 0 ? undefined : group;
  }
  if (field.type === 'list') {
    if (!Array.isArray(value)) return value;
    const rows = value
      .map((row) => normalizeFormData(field.fields ?? [], row))
      .filter((row) => !(isPlainObject(row) && Object.keys(row).length === 0));
    return rows.length === 0 ? undefined : rows;
  }
  if (typeof value !== 'string') return value;
  let text = value.trim();
  if (['postalCode', 'phone', 'email', 'date'].includes(field.type)) {
    text = text.normalize('NFKC').replace(/[‐‑–—―ー－]/g, '-');
  }
  return text === '' ? undefined : text;
}

export interface FormDataCheck {
  /** The normalized data, when valid. */
  data?: Record<string, unknown>;
  errors: FieldError[];
}

/**
 * One Ajv for every form: an instance costs far more to set up than a schema to compile, and a schema the
 * process has compiled (the same catalogue loaded by the API and a worker in one process) is compiled once.
 */
const ajv = new Ajv({ allErrors: true, strict: true });
addFormats(ajv, ['date', 'email']);
const compiled = new Map<string, ValidateFunction>();

function compile(schema: JsonSchema): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(key, validate);
  }
  return validate;
}

export class FormDataValidator {
  private readonly validate: ValidateFunction;

  constructor(
    private readonly fields: FieldDefinition[],
    readonly schema: JsonSchema = toJsonSchema(fields),
  ) {
    this.validate = compile(schema);
  }

  check(input: unknown): FormDataCheck {
    const data = normalizeFormData(this.fields, input ?? {});
    if (this.validate(data)) return { data: data as Record<string, unknown>, errors: [] };
    return { errors: (this.validate.errors ?? []).map((e) => this.describe(e)) };
  }

  private describe(error: ErrorObject): FieldError {
    const segments = error.instancePath.split('/').filter(Boolean);
    if (error.keyword === 'required') segments.push(String(error.params.missingProperty));
    if (error.keyword === 'additionalProperties') segments.push(String(error.params.additionalProperty));
    const path = toPath(segments);
    const field = this.lookup(segments);
    const label = field?.label ?? path;
    return { path, label, message: messageFor(error, field, label) };
  }

  private lookup(segments: string[]): FieldDefinition | undefined {
    let fields = this.fields;
    let found: FieldDefinition | undefined;
    for (const segment of segments) {
      if (/^\d+$/.test(segment)) continue;
      found = fields.find((f) => f.key === segment);
      if (!found) return undefined;
      fields = found.fields ?? [];
    }
    return found;
  }
}

function messageFor(error: ErrorObject, field: FieldDefinition | undefined, label: string): string {
  switch (error.keyword) {
    case 'required':
      return `${label}は必須です`;
    case 'additionalProperties':
      return `「${label}」という項目はこの様式にありません`;
    case 'maxLength':
      return `${label}は${error.params.limit}文字以内で入力してください`;
    case 'minLength':
      return `${label}は必須です`;
    case 'minItems':
      return `${label}を1件以上入力してください`;
    case 'maxItems':
      return `${label}は${error.params.limit}件までです`;
    case 'enum':
      return `${label}は次のいずれかを選んでください: ${(field?.options ?? []).join('、')}`;
    case 'type':
      return `${label}の値の型が正しくありません（${typeNameJa(String(error.params.type))}で指定してください）`;
    case 'format':
    case 'pattern':
      return `${label}: ${(field && HINTS[field.type]) ?? '形式が正しくありません'}`;
    default:
      return `${label}: ${error.message ?? '値が正しくありません'}`;
  }
}

function typeNameJa(type: string): string {
  return ({ string: '文字列', array: '配列', object: 'オブジェクト' } as Record<string, string>)[type] ?? type;
}

function toPath(segments: string[]): string {
  return segments.reduce((path, s) => (/^\d+$/.test(s) ? `${path}[${s}]` : path ? `${path}.${s}` : s), '');
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
