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
      const pdf = Buffer.from(await page.pdf({ preferCSSPageSize: true, printBackground: true, tagged: options.tagged ?? true }));
      const pageCount = (await PDFDocument.load(pdf, { updateMetadata: false })).getPageCount();
      return { pdf, pageCount };
    });
  }
}
