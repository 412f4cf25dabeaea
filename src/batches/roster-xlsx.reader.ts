import type { Workbook as ExcelWorkbook } from 'exceljs';
import { ZipEntry, ZipRefused, storedZip, unzipWithinLimits } from './roster-zip.reader';
import { Cell, NOT_A_ROSTER, RosterFileError, Sheet, SheetRow } from './roster.types';

/**
 * What the parts of an .xlsx may add up to once unzipped. exceljs holds all of it in memory, ten times over
 * as cells. A roster of 5,000 people as Excel saves it is about 1.6 MB unzipped; 24 MB leaves room for
 * dozens of extra columns, styles and a logo.
 */
export const MAX_XLSX_UNZIPPED_BYTES = 24 * 1024 * 1024;
const MAX_XLSX_ENTRIES = 1000;

/** An .xlsx is a zip: it starts with a local file header. */
export function isXlsx(file: Buffer): boolean {
  return file.length >= 4 && file[0] === 0x50 && file[1] === 0x4b && file[2] === 0x03 && file[3] === 0x04;
}

/** The first sheet of an Excel workbook, its cells as values (rich text, links and formulas flattened). */
export async function readXlsx(file: Buffer, filename: string): Promise<Sheet> {
  const broken = new RosterFileError(`「${filename}」は壊れているか、Excel（.xlsx）のファイルではありません。${NOT_A_ROSTER}`);
  let entries: ZipEntry[];
  try {
    entries = await unzipWithinLimits(file, { maxEntries: MAX_XLSX_ENTRIES, maxTotalBytes: MAX_XLSX_UNZIPPED_BYTES });
  } catch (error) {
    if (!(error instanceof ZipRefused)) throw error;
    if (error.reason === 'broken') throw broken;
    throw new RosterFileError(`「${filename}」は大きすぎます（展開後 24MB まで）。ファイルを分けてアップロードしてください。`);
  }
  // Loaded when a workbook comes, not with every roster reader: exceljs alone is half a second of start-up.
  const { Workbook } = await import('exceljs');
  const workbook: ExcelWorkbook = new Workbook();
  try {
    // Only what was counted: the entries as inflated above, stored uncompressed.
    await workbook.xlsx.load(storedZip(entries));
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
