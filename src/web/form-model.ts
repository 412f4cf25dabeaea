import { FieldError } from '../common/errors/domain-error';
import { FieldDefinition } from '../networks/catalogue.types';

/** One input of the generated HTML form, or a group / list of them. */
export interface InputModel {
  kind: 'input' | 'textarea' | 'select' | 'radio' | 'group' | 'list';
  name: string;
  id: string;
  label: string;
  required: boolean;
  help: string | null;
  htmlType: string;
  inputMode: string | null;
  autocomplete: string | null;
  maxLength: number | null;
  value: string;
  error: string | null;
  options: Array<{ value: string; selected: boolean }>;
  children: InputModel[];
  rows: Array<{ number: number; cells: InputModel[] }>;
  headers: string[];
}

const HTML_TYPES: Partial<Record<FieldDefinition['type'], [string, string | null, string | null]>> = {
  date: ['date', null, null],
  email: ['email', 'email', 'email'],
  phone: ['tel', 'tel', 'tel'],
  postalCode: ['text', 'numeric', 'postal-code'],
};

/**
 * Turns a form's field definitions into inputs named the way the form-body parser (qs, see app.setup)
 * nests them back: patient[name], members[0][email] (under `prefix` when given: data[members][0][email]).
 */
export function buildFormModel(
  fields: FieldDefinition[],
  values: Record<string, unknown>,
  errors: FieldError[],
  prefix?: string,
): InputModel[] {
  const errorByPath = new Map(errors.map((e) => [e.path, e.message]));
  return fields.map((field) =>
    buildInput(
      field,
      prefix ? `${prefix}[${field.key}]` : field.key,
      prefix ? `${prefix}.${field.key}` : field.key,
      values?.[field.key],
      errorByPath,
    ),
  );
}

/** members[2].email → members-2-email: the anchor of the input buildFormModel gives that path (its id is f-…). */
export function anchorFor(path: string): string {
  return path.replace(/\[(\d+)\]/g, '-$1').replace(/\./g, '-');
}

function buildInput(field: FieldDefinition, name: string, path: string, value: unknown, errors: Map<string, string>): InputModel {
  const [htmlType, inputMode, autocomplete] = HTML_TYPES[field.type] ?? ['text', null, null];
  const model: InputModel = {
    kind: 'input',
    name,
    id: 'f-' + name.replace(/[[\]]+/g, '-').replace(/-$/, ''),
    label: field.label,
    required: field.required,
    help: field.help ?? null,
    htmlType,
    inputMode,
    autocomplete,
    maxLength: field.maxLength ?? null,
    value: typeof value === 'string' ? value : '',
    error: errors.get(path) ?? null,
    options: [],
    children: [],
    rows: [],
    headers: [],
  };
  if (field.type === 'textarea') model.kind = 'textarea';
  if (field.type === 'choice') {
    model.kind = (field.options ?? []).length <= 3 ? 'radio' : 'select';
    model.options = (field.options ?? []).map((o) => ({ value: o, selected: o === value }));
  }
  if (field.type === 'group') {
    model.kind = 'group';
    const group = (value ?? {}) as Record<string, unknown>;
    model.children = (field.fields ?? []).map((f) => buildInput(f, `${name}[${f.key}]`, `${path}.${f.key}`, group[f.key], errors));
  }
  if (field.type === 'list') {
    model.kind = 'list';
    const rows = Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
    const count = Math.max(rows.length, Math.min(field.maxItems ?? 5, 11));
    model.headers = (field.fields ?? []).map((f) => f.label + (f.required ? ' *' : ''));
    model.rows = Array.from({ length: count }, (_, i) => ({
      number: i + 1,
      cells: (field.fields ?? []).map((f) => buildInput(f, `${name}[${i}][${f.key}]`, `${path}[${i}].${f.key}`, rows[i]?.[f.key], errors)),
    }));
  }
  return model;
}
