import { NOT_A_ROSTER, RosterFileError, Sheet } from './roster.types';

export type CsvEncoding = 'utf-8' | 'utf-8-bom' | 'shift_jis';

/**
 * A roster saved as CSV by Excel in Japan: Shift_JIS (「CSV（コンマ区切り）」), UTF-8 with a BOM
 * (「CSV UTF-8」) or plain UTF-8. Other binaries (PDF, .xls, UTF-16 text, images) are refused by name.
 */
export function readCsv(file: Buffer, filename: string): { encoding: CsvEncoding; sheet: Sheet } {
  rejectOtherBinaries(file, filename);
  const { text, encoding } = decode(file, filename);
  return { encoding, sheet: { rows: parseCsv(text).map((cells, i) => ({ row: i + 1, cells })), date1904: false } };
}

function startsWith(file: Buffer, bytes: number[]): boolean {
  return file.length >= bytes.length && bytes.every((b, i) => file[i] === b);
}

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

function decode(file: Buffer, filename: string): { text: string; encoding: CsvEncoding } {
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

/**
 * RFC 4180, read the way Excel reads it. One array of fields per record; record i is row i + 1 in Excel,
 * blank lines included, and a newline inside quotes does not start a new row. A final line break does not
 * make an extra record. Like Excel, a quote that does not open a field is kept as text, and text after a
 * closing quote is kept.
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
