import { DomainError, FieldError } from '../common/errors/domain-error';
import { parseIsoDate, toSeireki, todayInJapan } from '../common/japan-date';
import {
  RIGHTS_CHANNEL_LABELS,
  RIGHTS_KIND_LABELS,
  RightsChannel,
  RightsKind,
  RightsOutcome,
  WITHDRAWAL_CHANNEL_LABELS,
  WithdrawalChannel,
} from './rights.types';

/**
 * The checks of what an office records, for the API and the web pages alike (the API's DTOs check the same
 * shapes first): every problem is reported at once, each beside its field, with its Japanese label.
 */
class Problems {
  readonly errors: FieldError[] = [];
  add(path: string, label: string, message: string): void {
    this.errors.push({ path, label, message });
  }
  throwIfAny(): void {
    if (this.errors.length)
      throw new DomainError('INVALID_REQUEST', `入力内容に${this.errors.length}件の誤りがあります`, { errors: this.errors });
  }
}

function choice<T extends string>(problems: Problems, value: unknown, path: string, label: string, labels: Record<T, string>): T {
  if (typeof value === 'string' && value in labels) return value as T;
  problems.add(path, label, `${label}は次のいずれかです: ${Object.values<string>(labels).join('、')}`);
  return undefined as unknown as T;
}

function text(problems: Problems, value: unknown, path: string, label: string, max: number, required = false): string | null {
  const trimmed = typeof value === 'string' ? value.trim() : value === undefined || value === null ? '' : null;
  if (trimmed === null) problems.add(path, label, `${label}は文字で入力してください`);
  else if (!trimmed && required) problems.add(path, label, `${label}を入力してください`);
  else if (trimmed.length > max) problems.add(path, label, `${label}は${max}文字以内で入力してください`);
  return trimmed || null;
}

/** A date the office received something: a real YYYY-MM-DD, not after today (in Japan), not before `notBefore`. */
function receivedDate(
  problems: Problems,
  value: unknown,
  path: string,
  label: string,
  notBefore: { date: string; what: string } | null,
): string {
  try {
    if (typeof value !== 'string') throw new Error('not a date');
    parseIsoDate(value);
  } catch {
    problems.add(path, label, `${label}を YYYY-MM-DD の形の正しい日付で入力してください`);
    return '';
  }
  if (value > todayInJapan()) problems.add(path, label, `${label}に未来の日付は入力できません（今日は${toSeireki(todayInJapan())}）`);
  else if (notBefore && value < notBefore.date)
    problems.add(path, label, `${label}は${notBefore.what}（${toSeireki(notBefore.date)}）より前にはできません`);
  return value;
}

export interface WithdrawalInput {
  receivedVia?: unknown;
  receivedAt?: unknown;
  note?: unknown;
}

/** A withdrawal of consent as the office records it; it cannot predate the consent itself. */
export function parseWithdrawal(
  input: WithdrawalInput,
  consentedOn: string | null,
): { receivedVia: WithdrawalChannel; receivedAt: string; note: string | null } {
  const problems = new Problems();
  const receivedVia = choice(problems, input.receivedVia, 'receivedVia', '受付方法', WITHDRAWAL_CHANNEL_LABELS);
  const notBefore = consentedOn ? { date: consentedOn, what: '同意の日' } : null;
  const receivedAt = receivedDate(problems, input.receivedAt, 'receivedAt', '撤回の受付日', notBefore);
  const note = text(problems, input.note, 'note', '備考', 500);
  problems.throwIfAny();
  return { receivedVia, receivedAt, note };
}

export interface RightsRequestInput {
  kind?: unknown;
  receivedAt?: unknown;
  receivedVia?: unknown;
  detail?: unknown;
}

export function parseRightsRequest(input: RightsRequestInput): {
  kind: RightsKind;
  receivedAt: string;
  receivedVia: RightsChannel;
  detail: string | null;
} {
  const problems = new Problems();
  const kind = choice(problems, input.kind, 'kind', '請求の種類', RIGHTS_KIND_LABELS);
  const receivedAt = receivedDate(problems, input.receivedAt, 'receivedAt', '受付日', null);
  const receivedVia = choice(problems, input.receivedVia, 'receivedVia', '受付方法', RIGHTS_CHANNEL_LABELS);
  const detail = text(problems, input.detail, 'detail', '請求の内容', 2000);
  problems.throwIfAny();
  return { kind, receivedAt, receivedVia, detail };
}

export function parseAnswer(input: { outcome?: unknown; note?: unknown }): { outcome: RightsOutcome; note: string | null } {
  const problems = new Problems();
  const outcome = choice(problems, input.outcome, 'outcome', '回答', { answered: '回答済み（応じた）', refused: '拒否' });
  const note = text(problems, input.note, 'note', outcome === 'refused' ? '拒否の理由' : '回答の内容', 2000, outcome === 'refused');
  problems.throwIfAny();
  return { outcome, note };
}

/** The reason of a legal hold (法的保存): required, so that whoever meets it knows why. */
export function parseHoldReason(reason: unknown): string {
  const problems = new Problems();
  const text_ = text(problems, reason, 'reason', '保存の理由', 500, true);
  problems.throwIfAny();
  return text_!;
}

/** The due date of a request received on `receivedAt` (YYYY-MM-DD), `days` later. */
export function dueDate(receivedAt: string, days: number): string {
  const { year, month, day } = parseIsoDate(receivedAt);
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}
