import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { FieldError } from '../common/errors/domain-error';
import { parseIsoDate } from '../common/japan-date';
import { toFieldErrors } from '../common/validation/field-errors';

export interface CheckedQuery<T> {
  /** The valid filters (an invalid one is left out, so the list still shows). */
  values: Partial<T>;
  /** What was typed, to show in the form again. */
  input: Record<string, string>;
  errors: FieldError[];
}

/**
 * A list page's filters, checked against their DTO by the page itself: a wrong value is shown beside its field on
 * the same page (the list unfiltered by it), never as an error page. Dates must exist (no 2026-02-30) and a range
 * must not end before it starts.
 */
export function checkQuery<T extends object>(
  type: new () => T,
  raw: unknown,
  dates: { from?: keyof T; to?: keyof T } = {},
): CheckedQuery<T> {
  const source = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const instance = plainToInstance(type, source) as Record<string, unknown>;
  const errors = toFieldErrors(validateSync(instance, { whitelist: true, forbidUnknownValues: false, validationError: { target: true } }));
  const input: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(instance)) {
    input[key] = typeof value === 'string' ? value.slice(0, 500) : '';
    if (!errors.some((e) => e.path === key) && typeof value === 'string' && value !== '') values[key] = value;
  }
  for (const key of [dates.from, dates.to].filter(Boolean) as string[]) {
    const value = values[key];
    if (typeof value !== 'string') continue;
    try {
      parseIsoDate(value);
    } catch {
      errors.push({ path: key, label: errors.find((e) => e.path === key)?.label ?? key, message: `${value} という日付はありません` });
      delete values[key];
    }
  }
  if (dates.from && dates.to) {
    const from = values[dates.from as string];
    const to = values[dates.to as string];
    if (typeof from === 'string' && typeof to === 'string' && to < from) {
      errors.push({ path: dates.to as string, label: '期間（まで）', message: '期間の終わりが始まりより前です' });
      delete values[dates.to as string];
    }
  }
  return { values: values as Partial<T>, input, errors };
}

/** Each field's message, by field name (for `{{errors.from}}` beside the input). */
export function messagesByField(errors: FieldError[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of errors) out[e.path] ??= e.message;
  return out;
}

/** Paging of a list: 1-based page number, the rows it holds and links to the pages around it (filters kept). */
export function pagingOf(page: number, total: number, size: number, filters: Record<string, string | undefined>, path: string) {
  const pages = Math.max(1, Math.ceil(total / size));
  const at = Math.min(Math.max(1, page), pages);
  const link = (n: number) => {
    const query = new URLSearchParams(Object.entries(filters).filter(([, v]) => v) as [string, string][]);
    if (n > 1) query.set('page', String(n));
    const text = query.toString();
    return text ? `${path}?${text}` : path;
  };
  return {
    page: at,
    pages,
    total,
    first: total === 0 ? 0 : (at - 1) * size + 1,
    last: Math.min(total, at * size),
    offset: (at - 1) * size,
    previous: at > 1 ? link(at - 1) : null,
    next: at < pages ? link(at + 1) : null,
  };
}
