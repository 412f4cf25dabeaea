import { todayInJapan } from '../common/japan-date';
import { readDate } from './roster-date.rules';
import { Cell, RosterFileError, RosterProblem, RosterRow, Sheet, SheetRow } from './roster.types';

/**
 * The row rules of a roster: which column is which (by its Japanese header), and what each cell may hold.
 * Everything wrong with a row is collected in its `problems`, so a clerk can fix the whole file in one go.
 */

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

/** Trimmed text of a cell (String.prototype.trim also removes full-width spaces); a date is its day in Japan. */
function text(cell: Cell | undefined): string {
  if (cell === undefined) return '';
  if (typeof cell === 'string') return cell.trim();
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '';
  return Number.isNaN(cell.getTime()) ? '' : todayInJapan(cell);
}

/** The staff rows under the header (the first non-empty row), each with its problems. */
export function rosterRows(
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

/**
 * Stricter than `looksLikeEmail` (common/validation) on purpose. A roster is hundreds of addresses typed
 * into Excel, and in e-sign mode each one is mailed a signing link with nobody looking at it first; the
 * slips of that typing (a comma for a dot, full-width or kana letters, no top-level domain, a doubled dot)
 * must show up in the preview, where the clerk fixes the file, not as mail that bounces or goes astray.
 * An address a person types into a form is checked loosely, and proven by the mail that reaches it.
 */
const ROSTER_EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;
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
  } else if (email.length > 254 || !ROSTER_EMAIL.test(email)) {
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
