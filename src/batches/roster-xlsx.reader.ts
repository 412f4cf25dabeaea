import { Workbook } from 'exceljs';
import { Cell, NOT_A_ROSTER, RosterFileError, Sheet, SheetRow } from './roster.types';

/** What the parts of an .xlsx may add up to once unzipped; exceljs holds all of it in memory. */
const MAX_XLSX_UNZIPPED_BYTES = 200 * 1024 * 1024;

/** An .xlsx is a zip: it starts with a local file header. */
export function isXlsx(file: Buffer): boolean {
  return file.length >= 4 && file[0] === 0x50 && file[1] === 0x4b && file[2] === 0x03 && file[3] === 0x04;
}

/** The first sheet of an Excel workbook, its cells as values (rich text, links and formulas flattened). */
export async function readXlsx(file: Buffer, filename: string): Promise<Sheet> {
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
