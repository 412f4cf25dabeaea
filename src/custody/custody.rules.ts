import { DomainError } from '../common/errors/domain-error';
import { formatJst } from '../common/japan-date';
import { Holder } from '../networks/catalogue.types';
import { CUSTODY_EVENT_LABELS, CustodyEventType, Exemplar } from './custody.types';

/**
 * The order custody events may come in. An exemplar's state is its latest event, and the 事務局's matrix is
 * read from it; so no event may walk a sheet back (a print after the 事務局's receipt would show the original
 * as merely issued again), and nothing the office records may stand in the way of a receipt.
 */

/** A clock a minute off still records "now", and an event in the minute of issuing still counts. */
export const CLOCK_SKEW_MS = 60_000;

export const HOLDER_SHORT: Record<Holder, string> = { secretariat: '事務局', office: '事業所', patient: '患者', staff: '本人' };

/**
 * What a person may record after each state. The 事務局's receipt is never refused for the office's sake:
 * it follows anything, even a 「廃棄」 (the 事務局 holding the sheet is the stronger evidence, and the ledger
 * keeps both). Once mailed, the office may record only another mailing; once received, only the 事務局 acts.
 */
const NEXT: Record<CustodyEventType, readonly CustodyEventType[]> = {
  issued: ['printed', 'signed', 'mailed', 'handed_to_family', 'received', 'destroyed'],
  printed: ['printed', 'signed', 'mailed', 'handed_to_family', 'received', 'destroyed'],
  signed: ['mailed', 'handed_to_family', 'received', 'destroyed'],
  signed_electronically: ['mailed', 'handed_to_family', 'received', 'destroyed'],
  mailed: ['mailed', 'received'],
  received: ['received', 'returned'],
  returned: ['signed', 'mailed', 'received', 'destroyed'],
  // The family has the sheet; the signature on it may still be recorded (a consent signed at home).
  handed_to_family: ['signed'],
  destroyed: ['received'],
  // Recorded by the system on a sealed file; it is not a state the sheet is in (see CustodyService.append).
  archive_renewed: [],
};

const label = (type: string) => CUSTODY_EVENT_LABELS[type as CustodyEventType] ?? type;

/** Refuses an event that does not fit the exemplar: its kind and holder, and the order of what went before. */
export function assertEventFits(exemplar: Pick<Exemplar, 'code' | 'kind' | 'holder' | 'state'>, type: CustodyEventType): void {
  const code = exemplar.code;
  const travelling = exemplar.kind === 'original' && exemplar.holder === 'secretariat';
  if ((type === 'received' || type === 'mailed' || type === 'returned') && !travelling) {
    if (exemplar.kind === 'copy') throw new DomainError('NOT_AN_ORIGINAL', `${code} は写しです。事務局へは原本を提出してください`);
    throw new DomainError(
      'NOT_FOR_SECRETARIAT',
      `${code} の原本は${HOLDER_SHORT[exemplar.holder]}が保管するもので、事務局へ提出する書類ではありません`,
    );
  }
  if (type === 'signed' && exemplar.kind !== 'original')
    throw new DomainError('NOT_AN_ORIGINAL', `${code} は写しです。署名は原本に行います`);
  if (type === 'handed_to_family' && exemplar.holder !== 'patient') {
    throw new DomainError('INVALID_STATE', `${code} は患者・家族に渡す書類ではありません`);
  }
  const state = exemplar.state as CustodyEventType;
  if ((NEXT[state] ?? []).includes(type)) return;
  throw new DomainError('INVALID_STATE', refusal(code, state, type));
}

function refusal(code: string, state: CustodyEventType, type: CustodyEventType): string {
  if (state === 'received') {
    return `${code} は既に事務局が受領しています。受領の後に「${label(type)}」は記録できません（受領を取り消すことはできません）`;
  }
  if (state === 'mailed') return `${code} は事務局へ郵送済みです。事務局が受領するまで「${label(type)}」は記録できません`;
  if (state === 'destroyed') return `${code} は廃棄済みです`;
  if (state === 'handed_to_family') return `${code} は患者・家族に手渡し済みです。「${label(type)}」は記録できません`;
  if (type === 'returned') return `${code} は受領されていないため返却できません`;
  return `${code} は「${label(state)}」の後に「${label(type)}」を記録することはできません`;
}

/** When an event may be dated: not before its document was issued, not in the future (beyond a clock's skew). */
export function assertOccurredAt(occurredAt: Date, issuedAt: Date, now: number = Date.now()): void {
  const invalid = (message: string) =>
    new DomainError('INVALID_REQUEST', message, { errors: [{ path: 'occurredAt', label: '日時', message }] });
  if (Number.isNaN(occurredAt.getTime())) throw invalid('日時を正しく指定してください');
  if (occurredAt.getTime() > now + CLOCK_SKEW_MS) throw invalid('日時に未来の日時は指定できません');
  if (occurredAt.getTime() < issuedAt.getTime() - CLOCK_SKEW_MS) {
    throw invalid(`日時は書類の発行（${formatJst(issuedAt)}）より前にはできません`);
  }
}

/** What a scanner or a person types: the code itself, or a URL ending in it; any case, stray spaces. */
export function normalizeCode(input: string): string {
  const text = input.normalize('NFKC').trim();
  const last =
    text
      .split(/[/?#=]/)
      .filter(Boolean)
      .pop() ?? '';
  return last.replace(/\s+/g, '').toUpperCase();
}
