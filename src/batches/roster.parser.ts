/**
 * Reads the staff roster (従事者名簿) an office uploads, as Excel in Japan writes it: an .xlsx workbook,
 * or a CSV in Shift_JIS (Excel's 「CSV（コンマ区切り）」), UTF-8 with a BOM (「CSV UTF-8」) or plain UTF-8.
 *
 * Whole-file problems throw {@link RosterFileError}; everything wrong with a single row is collected in
 * that row's `problems` (roster.rules.ts). Every message is Japanese and names the row number the clerk
 * sees in Excel.
 */
import { readCsv } from './roster-csv.reader';
import { isXlsx, readXlsx } from './roster-xlsx.reader';
import { rosterRows } from './roster.rules';
import { ParsedRoster, RosterFileError } from './roster.types';

export { KNOWN_JOB_TITLES } from './roster.rules';
export { ParsedRoster, RosterFileError, RosterProblem, RosterRow } from './roster.types';

/** The one limit on a roster's size, for the pages, the API and the CLI alike. */
export const MAX_ROSTER_BYTES = 5 * 1024 * 1024;

export async function parseRoster(file: Buffer, filename: string, options: { existingEmails?: string[] } = {}): Promise<ParsedRoster> {
  if (file.length === 0) throw new RosterFileError(`「${filename}」は空のファイルです。`);
  if (file.length > MAX_ROSTER_BYTES) {
    throw new RosterFileError(`「${filename}」は大きすぎます（上限 5MB）。ファイルを分けてアップロードしてください。`);
  }
  const { encoding, sheet } = isXlsx(file) ? { encoding: 'xlsx' as const, sheet: await readXlsx(file, filename) } : readCsv(file, filename);
  return { encoding, ...rosterRows(sheet, filename, options.existingEmails ?? []) };
}
