import { getMetadataStorage } from 'class-validator';
import 'reflect-metadata';
import { FieldError } from '../errors/domain-error';
import { labelOf } from './label';

/**
 * What text may hold, for every request. No text anywhere may hold what PostgreSQL cannot store or
 * what no one types: NUL, the other C0 controls but line breaks, DEL, or half a UTF-16 surrogate pair. A field
 * of a request class is one line (no CR or LF either: it may end up in a mail subject, a CSV cell, a header)
 * unless it is declared @MultiLine() (a reason, a note typed in a textarea).
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const NEVER = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LINE_BREAK = /[\r\n]/;

const MULTI_LINE = Symbol('renkei:multi-line');

/** A field typed in a textarea: it may hold line breaks (never other control characters). */
export function MultiLine(): PropertyDecorator {
  return (target, property) => Reflect.defineMetadata(MULTI_LINE, true, target, property);
}

function isMultiLine(target: object, property: string): boolean {
  return Reflect.getMetadata(MULTI_LINE, target, property) === true;
}

/** Why this text cannot be taken, as the end of a message (「氏名に…」), or null when it can. */
export function unstorable(text: string): string | null {
  if (LONE_SURROGATE.test(text)) return '使えない文字（不完全な文字コード）が含まれています';
  if (NEVER.test(text)) return '使えない文字（制御文字）が含まれています';
  return null;
}

/** The same for a one-line field: a line break is refused too. */
function unfitForOneLine(text: string): string | null {
  return unstorable(text) ?? (LINE_BREAK.test(text) ? '改行や制御文字は使えません（1行で入力してください）' : null);
}

/**
 * The first text in a raw input (strings and keys, nested objects and lists) that no field may hold, as a
 * FieldError; `type` labels its top-level fields, `root` is the path of a value that is text itself. Null when none.
 */
export function firstUnstorable(value: unknown, type: unknown, root: string): FieldError | null {
  const prototype = typeof type === 'function' ? (type.prototype as object) : undefined;
  const walk = (item: unknown, path: string, top: string | undefined, depth: number): FieldError | null => {
    // A field the class does not label (a network form's data) is named by its path.
    const label = (top !== undefined && prototype ? labelOf(prototype, top) : undefined) ?? (path || root);
    if (typeof item === 'string') {
      const why = unstorable(item);
      return why ? { path: path || root, label, message: `${label}に${why}` } : null;
    }
    if (item === null || typeof item !== 'object' || depth > 20 || Buffer.isBuffer(item)) return null;
    for (const [key, inner] of Object.entries(item as Record<string, unknown>)) {
      const at = Array.isArray(item) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      const why = unstorable(key);
      if (why) return { path: at, label: '項目名', message: `項目名に${why}` };
      const found = walk(inner, at, top ?? key, depth + 1);
      if (found) return found;
    }
    return null;
  };
  return walk(value, '', undefined, 0);
}

/**
 * The declared one-line fields of a request object (nested request objects and lists of them too) that hold
 * a line break. Fields the class does not declare (a network form's data) are left to their own checks.
 */
export function lineBreakErrors(object: object, parentPath = '', depth = 0): FieldError[] {
  if (depth > 10) return [];
  const errors: FieldError[] = [];
  for (const property of declaredProperties(object.constructor)) {
    const value = (object as Record<string, unknown>)[property];
    const path = parentPath ? `${parentPath}.${property}` : property;
    const label = labelOf(object, property) ?? property;
    const oneLine = !isMultiLine(object, property);
    const check = (item: unknown, at: string) => {
      if (typeof item === 'string') {
        const why = oneLine ? unfitForOneLine(item) : unstorable(item);
        if (why) errors.push({ path: at, label, message: `${label}に${why}` });
      } else if (isRequestObject(item)) errors.push(...lineBreakErrors(item, at, depth + 1));
    };
    if (Array.isArray(value)) value.forEach((item, i) => check(item, `${path}[${i}]`));
    else check(value, path);
  }
  return errors;
}

function declaredProperties(type: unknown): string[] {
  if (typeof type !== 'function') return [];
  const rules = getMetadataStorage().getTargetValidationMetadatas(type as new () => object, '', true, false);
  return [...new Set(rules.map((r) => r.propertyName))];
}

/** An instance of a request class (built by class-transformer), not a plain object of free data. */
function isRequestObject(value: unknown): value is object {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && value.constructor !== Object;
}
