import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import QRCode from 'qrcode';
import { DomainError } from '../common/errors/domain-error';
import { NetworksService } from '../networks/networks.service';
import { PdfRenderer } from '../rendering/pdf.renderer';

const run = promisify(execFile);

/** One form to print: its network, form and data, and (for a tracked exemplar) its code and mark. */
export interface PrintItem {
  networkId: string;
  formId: string;
  data: Record<string, unknown>;
  exemplar: { code: string; mark: string | null } | null;
}

export interface CoverSheet {
  title: string;
  lines: string[];
  people: Array<{ name: string; detail: string }>;
}

export const CHUNK_SIZE = 125;
const COVER_ROWS_PER_PAGE = 30;

/**
 * Prints many forms as one PDF. Each chunk of forms is ONE HTML document printed with ONE page.pdf()
 * (fonts embedded once per chunk, untagged), chunks go to the pool's pages side by side, and qpdf joins
 * them: an order of magnitude faster and smaller than a PDF per form merged afterwards.
 */
export class BulkPrinter {
  constructor(
    private readonly networks: NetworksService,
    private readonly renderer: PdfRenderer,
  ) {}

  /** The HTML pages of one item; with `duplex`, a blank back page after a form of odd page count. */
  async itemHtml(item: PrintItem, duplex: boolean): Promise<string> {
    const exemplar = item.exemplar
      ? {
          documentNumber: item.exemplar.code,
          mark: item.exemplar.mark,
          qrDataUri: `data:image/svg+xml;base64,${Buffer.from(await QRCode.toString(item.exemplar.code, { type: 'svg', margin: 1 })).toString('base64')}`,
        }
      : null;
    const html = this.networks.formHtml(item.networkId, item.formId, item.data, exemplar);
    const pages = this.networks.getForm(item.networkId, item.formId).form.pages;
    return duplex && pages % 2 === 1 ? html + BLANK_PAGE : html;
  }

  /** The cover sheet(s): who is in this print, in order; padded to an even count for duplex. */
  coverHtml(cover: CoverSheet, duplex: boolean): string {
    const pages: string[] = [];
    for (let start = 0; start === 0 || start < cover.people.length; start += COVER_ROWS_PER_PAGE) {
      pages.push(
        this.networks.engine.renderShared('cover-sheet.hbs', {
          ...cover,
          continued: start > 0,
          people: cover.people.slice(start, start + COVER_ROWS_PER_PAGE).map((p, i) => ({ ...p, number: start + i + 1 })),
        }),
      );
    }
    if (duplex && pages.length % 2 === 1) pages.push(BLANK_PAGE);
    return pages.join('');
  }

  /** Prints one chunk (already built HTML pages) with a single page.pdf(). */
  async printChunk(bodies: string[], expectedPages: number): Promise<{ pdf: Buffer; pageCount: number }> {
    const rendered = await this.renderer.render(this.networks.engine.wrapDocument(bodies, '一括印刷'), { tagged: false });
    if (rendered.pageCount !== expectedPages) {
      throw new DomainError('PAGE_OVERFLOW', `一括印刷の一部が ${rendered.pageCount} 枚になりました（${expectedPages} 枚のはず）`);
    }
    return rendered;
  }

  /** Joins chunk PDFs in order with qpdf (streams pages; no re-parsing into memory). */
  async merge(parts: Buffer[]): Promise<Buffer> {
    if (parts.length === 1) return parts[0];
    const dir = await mkdtemp(join(tmpdir(), 'renkei-merge-'));
    try {
      const files = await Promise.all(
        parts.map(async (part, i) => {
          const file = join(dir, `${String(i).padStart(5, '0')}.pdf`);
          await writeFile(file, part);
          return file;
        }),
      );
      const out = join(dir, 'merged.pdf');
      await run('qpdf', ['--empty', '--pages', ...files, '--', out], { maxBuffer: 16 * 1024 * 1024 });
      return await readFile(out);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Pages an item prints to, blank back pages included. */
  pagesOf(item: PrintItem, duplex: boolean): number {
    const pages = this.networks.getForm(item.networkId, item.formId).form.pages;
    return duplex && pages % 2 === 1 ? pages + 1 : pages;
  }

  /** Everything at once (CLI, benchmark): cover, then items in chunks on the pool, merged. */
  async printAll(
    items: PrintItem[],
    options: { duplex: boolean; cover: CoverSheet | null; poolSize: number; onProgress?: (done: number, total: number) => void },
  ): Promise<{ pdf: Buffer; pageCount: number }> {
    const chunks: PrintItem[][] = [];
    for (let i = 0; i < items.length; i += CHUNK_SIZE) chunks.push(items.slice(i, i + CHUNK_SIZE));
    const results: Array<{ pdf: Buffer; pageCount: number }> = new Array(chunks.length);
    let next = 0;
    let done = 0;
    const coverHtml = options.cover ? this.coverHtml(options.cover, options.duplex) : '';
    const coverPages = coverHtml ? (coverHtml.match(/<section class="page/g) ?? []).length : 0;
    await Promise.all(
      Array.from({ length: Math.max(1, Math.min(options.poolSize, chunks.length)) }, async () => {
        while (next < chunks.length) {
          const index = next++;
          const bodies = await Promise.all(chunks[index].map((item) => this.itemHtml(item, options.duplex)));
          const expected = chunks[index].reduce((sum, item) => sum + this.pagesOf(item, options.duplex), 0);
          results[index] = await this.printChunk(
            index === 0 && coverHtml ? [coverHtml, ...bodies] : bodies,
            expected + (index === 0 ? coverPages : 0),
          );
          done += chunks[index].length;
          options.onProgress?.(done, items.length);
        }
      }),
    );
    const pdf = await this.merge(results.map((r) => r.pdf));
    return { pdf, pageCount: results.reduce((sum, r) => sum + r.pageCount, 0) };
  }
}

/** An empty sheet, so that in duplex printing every form starts on a front side. */
export const BLANK_PAGE = '<section class="page blank-page"></section>';
