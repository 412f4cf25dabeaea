import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DomainError } from '../common/errors/domain-error';
import { NetworksService } from '../networks/networks.service';
import { BrowserPool } from '../rendering/browser.pool';
import { PdfRenderer } from '../rendering/pdf.renderer';
import { qrSvgDataUri } from '../common/qr-code';

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

/** One printed chunk: its place in the print, how many items it holds, its PDF and page count. */
export interface PrintedChunk {
  index: number;
  items: number;
  pdf: Buffer;
  pageCount: number;
}

/** The items of a print, CHUNK_SIZE at a time. */
export function chunksOf<T>(items: T[]): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK_SIZE) chunks.push(items.slice(i, i + CHUNK_SIZE));
  return chunks;
}

/** Runs `work` for every index below `count`, in order of index, `workers` at a time. */
export async function eachInParallel(
  count: number,
  workers: number,
  work: (index: number, worker: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(workers, count) }, async (_, worker) => {
      while (next < count) await work(next++, worker);
    }),
  );
}

/**
 * Prints many forms as one PDF. Each chunk of forms is ONE HTML document printed with ONE page.pdf()
 * (fonts embedded once per chunk, untagged), chunks go to the pool's pages side by side, and qpdf joins
 * them: an order of magnitude faster and smaller than a PDF per form merged afterwards.
 */
export class BulkPrinter {
  private readonly renderer: PdfRenderer;

  constructor(
    private readonly networks: NetworksService,
    private readonly pool: BrowserPool,
  ) {
    this.renderer = new PdfRenderer(pool);
  }

  /** The HTML pages of one item; with `duplex`, a blank back page after a form of odd page count. */
  async itemHtml(item: PrintItem, duplex: boolean): Promise<string> {
    const exemplar = item.exemplar
      ? {
          documentNumber: item.exemplar.code,
          mark: item.exemplar.mark,
          qrDataUri: await qrSvgDataUri(item.exemplar.code),
        }
      : null;
    const html = this.networks.formHtml(item.networkId, item.formId, item.data, exemplar);
    return duplex && this.formPages(item) % 2 === 1 ? html + BLANK_PAGE : html;
  }

  /** The cover sheet(s): who is in this print, in order; padded to an even count for duplex. */
  private coverHtml(cover: CoverSheet, duplex: boolean): string {
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

  /** One chunk as one HTML document (chunk 0 opens with the cover), and the pages it must print to. */
  async chunkDocument(chunk: PrintItem[], coverHtml: string, duplex: boolean): Promise<{ html: string; expectedPages: number }> {
    const bodies = await Promise.all(chunk.map((item) => this.itemHtml(item, duplex)));
    const pages =
      chunk.reduce((sum, item) => sum + this.pagesOf(item, duplex), 0) + (coverHtml.match(/<section class="page/g) ?? []).length;
    return { html: this.networks.engine.wrapDocument(coverHtml ? [coverHtml, ...bodies] : bodies, '一括印刷'), expectedPages: pages };
  }

  /**
   * The chunked print loop, the one every bulk print goes through: the items in chunks, as many at a time as
   * the pool has pages. Chunks in `skip` (kept from an earlier run) are not printed again; each printed chunk
   * goes to `onChunk` as soon as it is ready, so a caller can keep it before the next one finishes.
   */
  async printChunks(
    items: PrintItem[],
    options: {
      duplex: boolean;
      cover: CoverSheet | null;
      skip?: ReadonlySet<number>;
      onChunk: (chunk: PrintedChunk) => Promise<void> | void;
    },
  ): Promise<void> {
    const chunks = chunksOf(items);
    const coverHtml = options.cover ? this.coverHtml(options.cover, options.duplex) : '';
    await eachInParallel(chunks.length, this.pool.stats.size, async (index) => {
      if (options.skip?.has(index)) return;
      const document = await this.chunkDocument(chunks[index], index === 0 ? coverHtml : '', options.duplex);
      const rendered = await this.renderer.render(document.html, { tagged: false });
      if (rendered.pageCount !== document.expectedPages) {
        throw new DomainError(
          'PAGE_OVERFLOW',
          `一括印刷の一部が ${rendered.pageCount} 枚になりました（${document.expectedPages} 枚のはず）`,
        );
      }
      await options.onChunk({ index, items: chunks[index].length, ...rendered });
    });
  }

  /** Everything at once, kept in memory (CLI, benchmark): cover, then the items in chunks, merged. */
  async printAll(
    items: PrintItem[],
    options: { duplex: boolean; cover: CoverSheet | null; onProgress?: (done: number, total: number) => void },
  ): Promise<{ pdf: Buffer; pageCount: number }> {
    if (items.length === 0) throw new DomainError('INVALID_REQUEST', '印刷するものがありません');
    const printed: PrintedChunk[] = [];
    let done = 0;
    await this.printChunks(items, {
      ...options,
      onChunk: (chunk) => {
        printed[chunk.index] = chunk;
        done += chunk.items;
        options.onProgress?.(done, items.length);
      },
    });
    return { pdf: await this.merge(printed.map((c) => c.pdf)), pageCount: printed.reduce((sum, c) => sum + c.pageCount, 0) };
  }

  /** Joins chunk PDFs in order with qpdf (streams pages; no re-parsing into memory). */
  async merge(parts: Buffer[]): Promise<Buffer> {
    if (parts.length === 0) throw new DomainError('INVALID_REQUEST', '印刷するものがありません');
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
  private pagesOf(item: PrintItem, duplex: boolean): number {
    const pages = this.formPages(item);
    return duplex && pages % 2 === 1 ? pages + 1 : pages;
  }

  private formPages(item: PrintItem): number {
    return this.networks.getForm(item.networkId, item.formId).form.pages;
  }
}

/** An empty sheet, so that in duplex printing every form starts on a front side. */
const BLANK_PAGE = '<section class="page blank-page"></section>';
