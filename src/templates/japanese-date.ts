/** 和暦 (Japanese era) conversion. An era starts on the day its first year begins. */
const ERAS = [
  { name: '令和', start: '2019-05-01' },
  { name: '平成', start: '1989-01-08' },
  { name: '昭和', start: '1926-12-25' },
  { name: '大正', start: '1912-07-30' },
  { name: '明治', start: '1873-01-01' }, // the Gregorian calendar's adoption; earlier dates are lunisolar
] as const;

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

/** Parses an ISO date (YYYY-MM-DD) and refuses impossible dates such as 2026-02-30. */
export function parseIsoDate(value: string): CalendarDate {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) throw new Error(`日付ではありません: ${value}`);
  const [year, month, day] = match.slice(1).map(Number);
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    throw new Error(`存在しない日付です: ${value}`);
  }
  return { year, month, day };
}

export function toSeireki(value: string): string {
  const { year, month, day } = parseIsoDate(value);
  return `${year}年${month}月${day}日`;
}

export function toWareki(value: string): string {
  const { year, month, day } = parseIsoDate(value);
  const era = ERAS.find((e) => value >= e.start);
  if (!era) return toSeireki(value);
  const eraYear = year - Number(era.start.slice(0, 4)) + 1;
  return `${era.name}${eraYear === 1 ? '元' : eraYear}年${month}月${day}日`;
}

/** Today's date in Japan, as YYYY-MM-DD. */
export function todayInJapan(now: Date = new Date()): string {
  return new Date(now.getTime() + 9 * 3600_000).toISOString().slice(0, 10);
}
