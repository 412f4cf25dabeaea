/**
 * Reads the staff roster (従事者名簿) an office uploads, as Excel in Japan writes it: an .xlsx workbook,
 * or a CSV in Shift_JIS (Excel's 「CSV（コンマ区切り）」), UTF-8 with a BOM (「CSV UTF-8」) or plain UTF-8.
 *
 * Whole-file problems throw {@link RosterFileError}; everything wrong with a single row is collected in
 * that row's `problems` so a clerk can fix the whole file in one go. Every message is Japanese and names
 * the row number the clerk sees in Excel.
 */
import { Workbook } from 'exceljs';

export interface RosterProblem {
  /** Japanese header of the column, e.g. メールアドレス. */
  column: string;
  /** Japanese, clear to a clerk. */
  message: string;
}

export interface RosterRow {
  /** 1-based row number as Excel shows it (the header is usually row 1). */
  row: number;
  name: string | null;
  nameKana: string | null;
  jobTitle: string | null;
  email: string | null;
  gender: '男' | '女' | null;
  /** YYYY-MM-DD. */
  startDate: string | null;
  manager: boolean;
  problems: RosterProblem[];
}

export interface ParsedRoster {
  encoding: 'utf-8' | 'utf-8-bom' | 'shift_jis' | 'xlsx';
  rows: RosterRow[];
  valid: RosterRow[];
  invalid: RosterRow[];
}

/** A problem with the file as a whole: nothing in it can be imported. The message is for the clerk. */
export class RosterFileError extends Error {
  override name = 'RosterFileError';
}

export const KNOWN_JOB_TITLES: readonly string[] = Object.freeze([
  '医師',
  '歯科医師',
  '薬剤師',
  '保健師',
  '助産師',
  '看護師',
  '准看護師',
  '理学療法士',
  '作業療法士',
  '言語聴覚士',
  '管理栄養士',
  '栄養士',
  '歯科衛生士',
  '介護支援専門員',
  'ケアマネジャー',
  '主任介護支援専門員',
  '介護福祉士',
  '社会福祉士',
  '精神保健福祉士',
  '医療ソーシャルワーカー',
  '訪問介護員',
  'ホームヘルパー',
  '介護職員',
  '相談員',
  '生活相談員',
  '事務',
  '医療事務',
  '事務職員',
  '管理者',
  'その他',
]);

const MAX_BYTES = 10 * 1024 * 1024;
/** What the parts of an .xlsx may add up to once unzipped; exceljs holds all of it in memory. */
const MAX_XLSX_UNZIPPED_BYTES = 200 * 1024 * 1024;
const MAX_ROWS = 5000;

type Field = 'name' | 'nameKana' | 'jobTitle' | 'email' | 'gender' | 'startDate' | 'manager';

/** The column name used in problems, and every header accepted for it (compared after {@link headerKey}). */
const FIELDS: Record<Field, { label: string; headers: string[] }> = {
  name: { label: '氏名', headers: ['氏名', '名前', '氏名（漢字）', 'お名前', '職員氏名', '従事者氏名'] },
  nameKana: {
    label: 'ふりがな',
    headers: ['ふりがな', 'フリガナ', 'ふりがな（ひらがな）', 'フリガナ（カタカナ）', 'よみ', 'よみがな', 'ヨミガナ'],
  },
  jobTitle: { label: '職種', headers: ['職種', '職種名'] },
  email: {
    label: 'メールアドレス',
    headers: ['メールアドレス', 'メール', 'Eメール', 'Eメールアドレス', 'E-mail', 'E-mailアドレス', 'email'],
  },
  gender: { label: '性別', headers: ['性別'] },
  startDate: { label: '入職日', headers: ['入職日', '入社日', '採用日', '入職年月日', '入社年月日', '採用年月日'] },
  manager: { label: '管理者', headers: ['管理者'] },
};
const FIELD_ORDER: Field[] = ['name', 'nameKana', 'jobTitle', 'email', 'gender', 'startDate', 'manager'];

/** NFKC, no spaces, lower case, and without 「※」「*」「（必須）」 markers that templates put on headers. */
function headerKey(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/\s+/gu, '')
    .replace(/[(【[](必須|任意)[)】\]]/gu, '')
    .replace(/[※*]/gu, '')
    .toLowerCase();
}

const HEADER_LOOKUP = new Map<string, Field>();
for (const field of FIELD_ORDER) for (const header of FIELDS[field].headers) HEADER_LOOKUP.set(headerKey(header), field);

/** A cell as read: CSV cells are strings; .xlsx cells keep numbers and dates so 入職日 can read them as such. */
type Cell = string | number | Date;
interface SheetRow {
  row: number;
  cells: Cell[];
}
interface Sheet {
  rows: SheetRow[];
  /** .xlsx saved with the 1904 date system (old Mac Excel): serial numbers count from 1904-01-01. */
  date1904: boolean;
}

// ---------------------------------------------------------------------------------------------------------
// Entry point

export async function parseRoster(file: Buffer, filename: string, options: { existingEmails?: string[] } = {}): Promise<ParsedRoster> {
  if (file.length === 0) throw new RosterFileError(`「${filename}」は空のファイルです。`);
  if (file.length > MAX_BYTES) {
    throw new RosterFileError(`「${filename}」は大きすぎます（上限 10MB）。ファイルを分けてアップロードしてください。`);
  }
  let encoding: ParsedRoster['encoding'];
  let sheet: Sheet;
  if (startsWith(file, [0x50, 0x4b, 0x03, 0x04])) {
    encoding = 'xlsx';
    sheet = await readXlsx(file, filename);
  } else {
    rejectOtherBinaries(file, filename);
    const decoded = decode(file, filename);
    encoding = decoded.encoding;
    sheet = { rows: parseCsv(decoded.text).map((cells, i) => ({ row: i + 1, cells })), date1904: false };
  }
  return { encoding, ...buildRows(sheet, filename, options.existingEmails ?? []) };
}

// ---------------------------------------------------------------------------------------------------------
// Telling formats apart and decoding text

function startsWith(file: Buffer, bytes: number[]): boolean {
  return file.length >= bytes.length && bytes.every((b, i) => file[i] === b);
}

const NOT_A_ROSTER = 'Excel（.xlsx）か CSV で保存したファイルを選んでください。';

function rejectOtherBinaries(file: Buffer, filename: string): void {
  if (startsWith(file, [0x25, 0x50, 0x44, 0x46])) {
    throw new RosterFileError(`「${filename}」は PDF ファイルのため読み込めません。${NOT_A_ROSTER}`);
  }
  if (startsWith(file, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) {
    throw new RosterFileError(
      `「${filename}」は古い Excel 形式（.xls）かパスワード付きのファイルのため読み込めません。` +
        'パスワードを外し、「Excel ブック（.xlsx）」か「CSV」で保存し直してください。',
    );
  }
  if (startsWith(file, [0xff, 0xfe]) || startsWith(file, [0xfe, 0xff])) {
    throw new RosterFileError(
      `「${filename}」は UTF-16（「Unicode テキスト」）で保存されているため読み込めません。` +
        '「CSV UTF-8（コンマ区切り）」か「CSV（コンマ区切り）」で保存し直してください。',
    );
  }
  // Text never contains NUL bytes; images, Word files and the like do.
  if (file.subarray(0, 64 * 1024).includes(0)) {
    throw new RosterFileError(`「${filename}」は名簿のファイルではないようです。${NOT_A_ROSTER}`);
  }
}

function decode(file: Buffer, filename: string): { text: string; encoding: 'utf-8' | 'utf-8-bom' | 'shift_jis' } {
  const unreadable = new RosterFileError(
    `「${filename}」の文字コードを読み取れません。CSV は「CSV UTF-8（コンマ区切り）」か「CSV（コンマ区切り）」で保存してください。`,
  );
  if (startsWith(file, [0xef, 0xbb, 0xbf])) {
    try {
      return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(file.subarray(3)), encoding: 'utf-8-bom' };
    } catch {
      throw unreadable;
    }
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(file), encoding: 'utf-8' };
  } catch {
    // Not UTF-8: Excel's ordinary CSV, which is Shift_JIS (CP932; the WHATWG decoder includes its extensions).
  }
  try {
    return { text: new TextDecoder('shift_jis', { fatal: true }).decode(file), encoding: 'shift_jis' };
  } catch {
    throw unreadable;
  }
}

// ---------------------------------------------------------------------------------------------------------
// CSV (RFC 4180, read the way Excel reads it)

/**
 * One array of fields per record; record i is row i + 1 in Excel, blank lines included, and a newline
 * inside quotes does not start a new row. A final line break does not make an extra record.
 * Like Excel, a quote that does not open a field is kept as text, and text after a closing quote is kept.
 */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let atFieldStart = true;
  let inQuotes = false;
  let quoteOpenedAt = 0;
  const endField = () => {
    record.push(field);
    field = '';
    atFieldStart = true;
  };
  const endRecord = () => {
    endField();
    records.push(record);
    record = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          inQuotes = false;
        }
      } else if (c === '\r') {
        field += '\n';
        if (text[i + 1] === '\n') i++;
      } else {
        field += c;
      }
      continue;
    }
    if (c === ',') {
      endField();
    } else if (c === '\r' || c === '\n') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
    } else if (c === '"' && atFieldStart) {
      inQuotes = true;
      atFieldStart = false;
      quoteOpenedAt = records.length + 1;
    } else {
      field += c;
      atFieldStart = false;
    }
  }
  if (inQuotes) {
    throw new RosterFileError(`${quoteOpenedAt}行目で始まる「"」が閉じられていません。ファイルを Excel で開き、保存し直してください。`);
  }
  if (!(atFieldStart && field === '' && record.length === 0)) endRecord();
  return records;
}

// ---------------------------------------------------------------------------------------------------------
// XLSX

async function readXlsx(file: Buffer, filename: string): Promise<Sheet> {
  const broken = new RosterFileError(`「${filename}」は壊れているか、Excel（.xlsx）のファイルではありません。${NOT_A_ROSTER}`);
  const unzipped = zipContentSize(file);
  if (unzipped === null) throw broken;
  if (unzipped > MAX_XLSX_UNZIPPED_BYTES) {
    throw new RosterFileError(`「${filename}」は大きすぎます。ファイルを分けてアップロードしてください。`);
  }
  const workbook = new Workbook();
  try {
    await workbook.xlsx.load(file);
  } catch {
    throw broken;
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw broken;
  const rows: SheetRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: Cell[] = [];
    row.eachCell({ includeEmpty: false }, (cell, column) => {
      cells[column - 1] = fromExcel(cell.value);
    });
    rows.push({ row: rowNumber, cells });
  });
  return { rows, date1904: Boolean(workbook.properties?.date1904) };
}

/** exceljs cell values: rich text, hyperlinks ({text}), formulas ({result}), errors, booleans → Cell. */
function fromExcel(value: unknown): Cell {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (Object.prototype.toString.call(value) === '[object Date]') return value as Date;
  if (typeof value === 'object') {
    const o = value as { [key: string]: unknown };
    if (Array.isArray(o.richText)) {
      return o.richText.map((run: unknown) => String((run as { text?: unknown } | null)?.text ?? '')).join('');
    }
    if ('formula' in o || 'sharedFormula' in o) return fromExcel(o.result);
    if ('text' in o) return fromExcel(o.text);
    if (typeof o.error === 'string') return o.error;
  }
  return '';
}

/**
 * What the files in a zip add up to once unzipped, from its central directory; null if it is not a
 * readable zip. A sanity check against zip bombs before exceljs unzips everything into memory.
 */
function zipContentSize(zip: Buffer): number | null {
  const lowest = Math.max(0, zip.length - 22 - 0xffff);
  for (let end = zip.length - 22; end >= lowest; end--) {
    if (zip.readUInt32LE(end) !== 0x06054b50) continue;
    const entries = zip.readUInt16LE(end + 10);
    if (entries === 0xffff) return Infinity; // ZIP64: far beyond any roster
    let at = zip.readUInt32LE(end + 16);
    let total = 0;
    for (let n = 0; n < entries; n++) {
      if (at + 46 > zip.length || zip.readUInt32LE(at) !== 0x02014b50) return null;
      const size = zip.readUInt32LE(at + 24);
      if (size === 0xffffffff) return Infinity;
      total += size;
      at += 46 + zip.readUInt16LE(at + 28) + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    }
    return total;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------
// Rows

/** Japan has had no daylight saving since 1951, so Asia/Tokyo is always UTC+9. */
function tokyoDate(date: Date): string {
  return new Date(date.getTime() + 9 * 3600 * 1000).toISOString().slice(0, 10);
}

/** Trimmed text of a cell (String.prototype.trim also removes full-width spaces). */
function text(cell: Cell | undefined): string {
  if (cell === undefined) return '';
  if (typeof cell === 'string') return cell.trim();
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '';
  return Number.isNaN(cell.getTime()) ? '' : tokyoDate(cell);
}

function buildRows(
  sheet: Sheet,
  filename: string,
  existingEmails: string[],
): { rows: RosterRow[]; valid: RosterRow[]; invalid: RosterRow[] } {
  const records = sheet.rows;
  const headerIndex = records.findIndex((r) => r.cells.some((c) => text(c) !== ''));
  if (headerIndex < 0) throw new RosterFileError(`「${filename}」には何も書かれていません。`);
  const header = records[headerIndex];
  const columns = mapHeaders(header);

  const existing = new Set(existingEmails.map((e) => e.normalize('NFKC').trim().toLowerCase()));
  const firstRowOfEmail = new Map<string, number>();
  const rows: RosterRow[] = [];
  for (const record of records.slice(headerIndex + 1)) {
    const cell = (field: Field): Cell | undefined => {
      const index = columns.get(field);
      return index === undefined ? undefined : record.cells[index];
    };
    // Blank rows, and rows of a template that only have a number in a 「No.」 column, are not staff.
    if (FIELD_ORDER.every((f) => text(cell(f)) === '')) continue;
    if (rows.length >= MAX_ROWS) {
      throw new RosterFileError(
        `「${filename}」は行が多すぎます（上限 ${MAX_ROWS.toLocaleString('ja-JP')} 人）。ファイルを分けてアップロードしてください。`,
      );
    }
    rows.push(readRow(record.row, cell, sheet.date1904, existing, firstRowOfEmail));
  }
  if (rows.length === 0) {
    throw new RosterFileError(`「${filename}」には見出し行（${header.row}行目）の下に従事者の行がありません。`);
  }
  return { rows, valid: rows.filter((r) => r.problems.length === 0), invalid: rows.filter((r) => r.problems.length > 0) };
}

function mapHeaders(header: SheetRow): Map<Field, number> {
  const columns = new Map<Field, number>();
  const seen = new Map<Field, string[]>();
  const found: string[] = [];
  header.cells.forEach((c, index) => {
    const title = text(c);
    if (title === '') return;
    found.push(title);
    const field = HEADER_LOOKUP.get(headerKey(title));
    if (!field) return;
    seen.set(field, [...(seen.get(field) ?? []), title]);
    if (!columns.has(field)) columns.set(field, index);
  });
  for (const [field, titles] of seen) {
    if (titles.length > 1) {
      throw new RosterFileError(`「${FIELDS[field].label}」にあたる列が複数あります（${titles.join('、')}）。どちらか一つにしてください。`);
    }
  }
  const listed = found.length > 20 ? `${found.slice(0, 20).join('、')} ほか` : found.join('、');
  for (const field of ['name', 'email'] as const) {
    if (!columns.has(field)) {
      throw new RosterFileError(
        `見出し行（${header.row}行目）に「${FIELDS[field].label}」の列がありません。見つかった見出し: ${listed}。` +
          '1行目に「氏名」「メールアドレス」などの見出しを入れてください。',
      );
    }
  }
  return columns;
}

const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;
/** Hiragana, katakana (with ー, ・ and the iteration marks) and single spaces. */
const KANA = /^[\u3041-\u3096\u309d\u309e\u30a1-\u30fe ]+$/u;
const MANAGER_YES = new Set(['○', '〇', '◯', 'はい', '1', 'true', 'yes', '管理者']);
const MANAGER_NO = new Set(['', '×', '✕', 'x', 'いいえ', '0', 'false', 'no', 'なし', '-', 'ー']);
const JOB_TITLE_EXAMPLES = '看護師、理学療法士、介護支援専門員、介護福祉士、事務職員 など';

function readRow(
  row: number,
  cell: (field: Field) => Cell | undefined,
  date1904: boolean,
  existing: Set<string>,
  firstRowOfEmail: Map<string, number>,
): RosterRow {
  const problems: RosterProblem[] = [];
  const problem = (field: Field, message: string) => problems.push({ column: FIELDS[field].label, message });

  // 氏名 is kept exactly as written (no NFKC: it would change 異体字 such as 神 U+FA19 in names).
  const name = text(cell('name')) || null;
  if (!name) problem('name', '氏名がありません');

  const kana = text(cell('nameKana')).normalize('NFKC').replace(/\s+/gu, ' ').trim() || null;
  if (kana && !KANA.test(kana)) problem('nameKana', `ふりがなはひらがなかカタカナで入力してください（${kana}）`);

  const jobTitle = text(cell('jobTitle')).normalize('NFKC').trim() || null;
  if (jobTitle && !KNOWN_JOB_TITLES.includes(jobTitle)) {
    problem('jobTitle', `職種「${jobTitle}」は一覧にありません（例: ${JOB_TITLE_EXAMPLES}）`);
  }

  const email = text(cell('email')).normalize('NFKC').trim() || null;
  if (!email) {
    problem('email', 'メールアドレスがありません');
  } else if (email.length > 254 || !EMAIL.test(email)) {
    problem('email', `メールアドレスの形式が正しくありません（${email}）`);
  } else {
    const key = email.toLowerCase();
    const first = firstRowOfEmail.get(key);
    if (first === undefined) firstRowOfEmail.set(key, row);
    else problem('email', `メールアドレスが${first}行目と重複しています`);
    if (existing.has(key)) problem('email', 'このメールアドレスの従事者は既に登録されています');
  }

  const genderText = text(cell('gender')).normalize('NFKC').trim();
  let gender: RosterRow['gender'] = null;
  if (['男', '男性', 'm'].includes(genderText.toLowerCase())) gender = '男';
  else if (['女', '女性', 'f'].includes(genderText.toLowerCase())) gender = '女';
  else if (genderText) problem('gender', `性別は「男」か「女」で入力してください（${genderText}）`);

  let startDate: string | null = null;
  const date = readDate(cell('startDate'), date1904);
  if ('date' in date) startDate = date.date;
  else if (date.problem === 'impossible') problem('startDate', `入職日「${date.shown}」は存在しない日付です`);
  else if (date.problem === 'unreadable') {
    problem('startDate', `入職日「${date.shown}」を日付として読み取れません（例: 2026-04-01、2026/4/1、令和8年4月1日）`);
  }

  const managerText = text(cell('manager'));
  const managerKey = managerText.normalize('NFKC').trim().toLowerCase();
  const manager = MANAGER_YES.has(managerKey);
  if (!manager && !MANAGER_NO.has(managerKey)) {
    problem('manager', `管理者欄は、管理者なら「○」、そうでなければ空欄にしてください（${managerText}）`);
  }

  return { row, name, nameKana: kana, jobTitle, email, gender, startDate, manager, problems };
}

// ---------------------------------------------------------------------------------------------------------
// 入職日

type DateResult = { date: string } | { problem: 'empty' } | { problem: 'impossible' | 'unreadable'; shown: string };

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
function readDate(cell: Cell | undefined, date1904: boolean): DateResult {
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
    const iso = tokyoDate(cell);
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
