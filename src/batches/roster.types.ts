/** What reading a roster gives, shared by the readers (CSV, XLSX), the row rules and the entry point. */

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

/** A cell as read: CSV cells are strings; .xlsx cells keep numbers and dates so 入職日 can read them as such. */
export type Cell = string | number | Date;

export interface SheetRow {
  row: number;
  cells: Cell[];
}

/** The rows of a file, as a reader hands them to the row rules. */
export interface Sheet {
  rows: SheetRow[];
  /** .xlsx saved with the 1904 date system (old Mac Excel): serial numbers count from 1904-01-01. */
  date1904: boolean;
}

/** The end of every message that refuses a file for its format. */
export const NOT_A_ROSTER = 'Excel（.xlsx）か CSV で保存したファイルを選んでください。';
