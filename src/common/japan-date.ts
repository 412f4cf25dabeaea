/**
 * 和暦 (Japanese era) conversion: `start` is the first day written in the era, `firstYear` its 元年.
 * 明治 began in 1868, but dates before the Gregorian calendar's adoption (1873) were lunisolar, so they
 * are left in 西暦 rather than converted wrongly.
 */
const ERAS = [
  { name: '令和', start: '2019-05-01', firstYear: 2019 },
  { name: '平成', start: '1989-01-08', firstYear: 1989 },
  { name: '昭和', start: '1926-12-25', firstYear: 1926 },
  { name: '大正', start: '1912-07-30', firstYear: 1912 },
  { name: '明治', start: '1873-01-01', firstYear: 1868 },
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
  const eraYear = year - era.firstYear + 1;
  return `${era.name}${eraYear === 1 ? '元' : eraYear}年${month}月${day}日`;
}

/** Today's date in Japan, as YYYY-MM-DD. */
export function todayInJapan(now: Date = new Date()): string {
  return new Date(now.getTime() + 9 * 3600_000).toISOString().slice(0, 10);
}

const JST_PARTS = new Intl.DateTimeFormat('en-US', {
  timeZone: 'Asia/Tokyo',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/**
 * A moment as people in Japan read it, in the UI's one date style: 2026年12月1日 9:05 (JST whatever the server's
 * zone), the same 年月日 as toSeireki gives a date.
 */
export function formatJst(date: Date, options: { seconds?: boolean } = {}): string {
  const parts = Object.fromEntries(JST_PARTS.formatToParts(date).map((p) => [p.type, p.value]));
  const time = `${Number(parts.hour)}:${parts.minute}${options.seconds ? `:${parts.second}` : ''}`;
  return `${parts.year}年${Number(parts.month)}月${Number(parts.day)}日 ${time}`;
}
