import { todayInJapan } from '../common/japan-date';
import { Cell } from './roster.types';

/** 入職日 as read from a cell: an ISO date, nothing, or why it is not a date (with the text as the clerk typed it). */
export type DateResult = { date: string } | { problem: 'empty' } | { problem: 'impossible' | 'unreadable'; shown: string };

/** The eras a start date may be written in, with the first and last day written in each (parsing, not printing). */
const ERAS: Record<string, { firstYear: number; start: string; end: string }> = {
  令和: { firstYear: 2019, start: '2019-05-01', end: '9999-12-31' },
  平成: { firstYear: 1989, start: '1989-01-08', end: '2019-04-30' },
  昭和: { firstYear: 1926, start: '1926-12-25', end: '1989-01-07' },
};
const ERA_LETTERS: Record<string, string> = { R: '令和', H: '平成', S: '昭和' };
const TIME = String.raw`(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?`;
const WESTERN = new RegExp(String.raw`^(\d{4})\s*([-/.年])\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?${TIME}$`, 'u');
const JAPANESE = new RegExp(String.raw`^(令和|平成|昭和|[RHS])\s*(元|\d{1,2})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?$`, 'iu');

/** 2026-04-01, 2026/4/1, 2026.4.1, 2026年4月1日, 令和8年4月1日, R8.4.1 (令和/平成/昭和), .xlsx dates and serials. */
export function readDate(cell: Cell | undefined, date1904: boolean): DateResult {
  if (cell === undefined || cell === '') return { problem: 'empty' };
  if (typeof cell === 'number') {
    // An Excel serial number (a date cell without a date format): days since 1899-12-30, or since 1904-01-01
    // in the 1904 system. Serials below 61 fall before Excel's fictitious 1900-02-29 and are not start dates.
    const days = Math.floor(date1904 ? cell + 1462 : cell);
    if (!Number.isFinite(days) || days < 61) return { problem: 'impossible', shown: String(cell) };
    return inRange(new Date((days - 25569) * 86400000).toISOString().slice(0, 10), String(cell));
  }
  if (typeof cell !== 'string') {
    if (Number.isNaN(cell.getTime())) return { problem: 'unreadable', shown: '' };
    const iso = todayInJapan(cell);
    return inRange(iso, iso);
  }
  const shown = cell.trim();
  if (shown === '') return { problem: 'empty' };
  const value = shown.normalize('NFKC');
  const western = WESTERN.exec(value);
  if (western) {
    return calendarDate(Number(western[1]), Number(western[3]), Number(western[4]), shown);
  }
  const japanese = JAPANESE.exec(value);
  if (japanese) {
    const eraName = ERA_LETTERS[japanese[1].toUpperCase()] ?? japanese[1];
    const era = ERAS[eraName];
    const eraYear = japanese[2] === '元' ? 1 : Number(japanese[2]);
    if (eraYear < 1) return { problem: 'impossible', shown };
    const result = calendarDate(era.firstYear + eraYear - 1, Number(japanese[3]), Number(japanese[4]), shown);
    if ('date' in result && (result.date < era.start || result.date > era.end)) return { problem: 'impossible', shown };
    return result;
  }
  return { problem: 'unreadable', shown };
}

function calendarDate(year: number, month: number, day: number, shown: string): DateResult {
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    return { problem: 'impossible', shown };
  }
  return inRange(check.toISOString().slice(0, 10), shown);
}

/** A staff member's start date before 1900 or after 2100 is a typing mistake. */
function inRange(iso: string, shown: string): DateResult {
  return iso >= '1900-01-01' && iso <= '2100-12-31' ? { date: iso } : { problem: 'impossible', shown };
}
