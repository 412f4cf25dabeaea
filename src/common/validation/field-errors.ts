import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validate, ValidationError } from 'class-validator';
import { DomainError, FieldError } from '../errors/domain-error';
import { labelOf } from './label';

/** A request listing thousands of bad rows (a 5,000-member family) names the first ones, not all of them. */
export const MAX_LISTED_ERRORS = 100;

type Message = (label: string, args: unknown[]) => string;

/** class-validator's rules, in Japanese. A rule given its own message (or one of ours) keeps it. */
const MESSAGES: Record<string, Message> = {
  isDefined: (l) => `${l}は必須です`,
  isNotEmpty: (l) => `${l}は必須です`,
  isString: (l) => `${l}は文字列で指定してください`,
  isBoolean: (l) => `${l}は true か false で指定してください`,
  isInt: (l) => `${l}は整数で指定してください`,
  isNumber: (l) => `${l}は数値で指定してください`,
  isNumberString: (l) => `${l}は数字で指定してください`,
  isArray: (l) => `${l}は配列で指定してください`,
  isObject: (l) => `${l}はオブジェクトで指定してください`,
  nestedValidation: (l) => `${l}はオブジェクトで指定してください`,
  whitelistValidation: (l) => `${l}は指定できない項目です`,
  maxLength: (l, [max]) => `${l}は${max}文字以内で入力してください`,
  minLength: (l, [min]) => `${l}は${min}文字以上で入力してください`,
  isIn: (l, [values]) => `${l}は次のいずれかです: ${(values as unknown[]).join(', ')}`,
  isEnum: (l, [values]) => `${l}は次のいずれかです: ${Object.values(values as object).join(', ')}`,
  arrayMaxSize: (l, [max]) => `${l}は${max}件以内で指定してください`,
  arrayMinSize: (l, [min]) => `${l}は${min}件以上指定してください`,
  min: (l, [min]) => `${l}は${min}以上で指定してください`,
  max: (l, [max]) => `${l}は${max}以下で指定してください`,
  isUuid: (l) => `${l}の指定が正しくありません`,
  isIso8601: (l) => `${l}は日時を ISO 8601 で指定してください`,
  isDateString: (l) => `${l}は日時を ISO 8601 で指定してください`,
  matches: (l) => `${l}の形式が正しくありません`,
};

/** When one field breaks several rules, the message names the most basic: missing, then the wrong type. */
const FIRST = [
  'isDefined',
  'isNotEmpty',
  'whitelistValidation',
  // A list's own shape before its items': text where a list belongs is "not a list", not "items not objects".
  'isArray',
  'nestedValidation',
  'isObject',
  'isString',
  'isBoolean',
  'isInt',
];

/** class-validator's error tree as the flat list every 400 carries: `family[1].email`, with label and message. */
export function toFieldErrors(errors: ValidationError[]): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) collect(error, '', undefined, out);
  return out;
}

/** The DomainError of a request that breaks its rules (400 through DomainErrorFilter, JSON or page). */
export function invalidRequest(errors: FieldError[]): DomainError {
  const listed = errors.slice(0, MAX_LISTED_ERRORS);
  const more = errors.length > listed.length ? `（最初の${listed.length}件を示します）` : '';
  return new DomainError('INVALID_REQUEST', `入力内容に${errors.length}件の誤りがあります${more}`, { errors: listed });
}

function collect(error: ValidationError, parentPath: string, parentLabel: string | undefined, out: FieldError[]): void {
  const property = String(error.property);
  const item = Array.isArray(error.target) && /^\d+$/.test(property);
  const path = item ? `${parentPath}[${property}]` : parentPath ? `${parentPath}.${property}` : property;
  const label = (item ? parentLabel : labelOf(error.target, property)) ?? property;
  if (error.constraints && Object.keys(error.constraints).length > 0) out.push({ path, label, message: messageOf(error, label) });
  for (const child of error.children ?? []) collect(child, path, label, out);
}

function messageOf(error: ValidationError, label: string): string {
  const constraints = error.constraints!;
  const names = Object.keys(constraints);
  const name = FIRST.find((n) => n in constraints) ?? names[0];
  const rule = ruleOf(error.target, String(error.property), name);
  const own = constraints[name].replace(/\$label/g, label);
  if (rule?.message !== undefined) return own;
  if ((error.value === undefined || error.value === null) && name !== 'whitelistValidation') return `${label}は必須です`;
  const message = MESSAGES[name];
  return message ? message(label, rule?.constraints ?? []) : own;
}

/** The declared rule behind a failed constraint: its arguments (e.g. the 40 of MaxLength(40)) and its own message. */
function ruleOf(target: unknown, property: string, name: string): { message?: unknown; constraints?: unknown[] } | undefined {
  if (target === null || typeof target !== 'object' || Array.isArray(target)) return undefined;
  return getMetadataStorage()
    .getTargetValidationMetadatas(target.constructor, '', true, false)
    .find((m) => m.propertyName === property && (m.name === name || m.type === name));
}

/**
 * Input that does not come through a request (a roster batch, an approved application) checked against the
 * same request class as the API's: its rules, its messages, an INVALID_REQUEST when it breaks them.
 */
export async function checkedInput<T extends object>(type: new () => T, input: object): Promise<T> {
  const instance = plainToInstance(type, input);
  const errors = await validate(instance, { whitelist: true, forbidUnknownValues: false, validationError: { target: true, value: true } });
  if (errors.length) throw invalidRequest(toFieldErrors(errors));
  return instance;
}
