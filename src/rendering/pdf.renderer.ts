import { PDFDocument } from 'pdf-lib';
import { DomainError } from '../common/errors/domain-error';
import { BrowserPool } from './browser.pool';

export interface RenderedPdf {
  pdf: Buffer;
  pageCount: number;
}

export interface PrintOptions {
  /** Tagged (accessible) PDF: worth it for a single form, too slow and large for a bulk print. */
  tagged?: boolean;
}

/** Prints an HTML document of `.page` sheets to an A4 PDF through the browser pool. */
export class PdfRenderer {
  constructor(private readonly pool: BrowserPool) {}

  async render(html: string, options: PrintOptions = {}): Promise<RenderedPdf> {
    return this.pool.withPage(async (page) => {
      await page.setContent(html, { waitUntil: 'load' });
      const overflowing = await page.evaluate(() =>
        Array.from(document.querySelectorAll<HTMLElement>('.page'))
          .map((sheet, index) => ({ index, over: sheet.scrollHeight - sheet.clientHeight }))
          .filter((sheet) => sheet.over > 1),
      );
      if (overflowing.length > 0) {
        const sheets = overflowing.map((o) => `${o.index + 1}枚目`).join('、');
        throw new DomainError('PAGE_OVERFLOW', `内容が用紙に収まりません（${sheets}）。入力を短くしてください`, {
          sheets: overflowing.map((o) => o.index + 1),
        });
      }
      const pdf = datedToTheDay(
        Buffer.from(await page.pdf({ preferCSSPageSize: true, printBackground: true, tagged: options.tagged ?? true })),
      );
      const pageCount = (await PDFDocument.load(pdf, { updateMetadata: false })).getPageCount();
      return { pdf, pageCount };
    });
  }
}

/**
 * Chromium stamps /CreationDate and /ModDate to the second, so the same form printed twice a second apart
 * would differ and be stored twice. Keeping the day only (a form is dated to the day anyway) makes equal
 * content equal bytes. The digits are overwritten in place, so every offset in the file stays right.
 */
export function datedToTheDay(pdf: Buffer): Buffer {
  for (const key of ['/CreationDate (D:', '/ModDate (D:']) {
    const at = pdf.lastIndexOf(key);
    const time = at + key.length + 8; // past YYYYMMDD
    if (at >= 0 && /^\d{6}$/.test(pdf.toString('latin1', time, time + 6))) pdf.write('000000', time, 'latin1');
  }
  return pdf;
}
