/**
 * CSV that Excel in Japan opens correctly: UTF-8 with a BOM, CRLF, every cell quoted. A cell that
 * starts like a formula (= + - @, tab, CR) gets a leading apostrophe, so a value typed by a user can
 * never run as a formula on the secretariat's PC.
 */
export function toExcelCsv(rows: Array<Array<string | number | null | undefined>>): string {
  return '\uFEFF' + rows.map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}

/**
 * The same CSV as a stream of chunks, one per batch of rows: an export of any size in constant memory (the
 * batches come from a keyset or cursor read).
 */
export async function* excelCsvChunks(
  header: string[],
  batches: AsyncIterable<Array<Array<string | number | null | undefined>>>,
): AsyncGenerator<string> {
  yield '\uFEFF' + header.map(cell).join(',') + '\r\n';
  for await (const rows of batches) if (rows.length > 0) yield rows.map((row) => row.map(cell).join(',') + '\r\n').join('');
}

function cell(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}
