import os from 'node:os';
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { PDFDocument } from 'pdf-lib';
import puppeteer from 'puppeteer-core';
import { BulkPrinter, CHUNK_SIZE, chunksOf, eachInParallel, PrintItem } from '../src/batches/bulk-printer';
import { RenderCliModule } from '../src/cli/render-cli.module';
import { loadConfig } from '../src/config/env';
import { NetworksService } from '../src/networks/networks.service';
import { BrowserPool, CHROMIUM_ARGS } from '../src/rendering/browser.pool';
import { BROWSER_POOL } from '../src/rendering/form-pdf.service';
import { PdfRenderer } from '../src/rendering/pdf.renderer';

/**
 * npm run bench (bulk part) — a 1000-person batch of るるめ 別紙2 pledges, each an original with its QR
 * code, printed as one PDF, with two references measured in the same run:
 *  (a) naive: one PDF per person through the page pool, merged with pdf-lib (100 people give its rate);
 *  (b) ceiling: the same 1000 pages of static HTML printed straight by a fresh Chromium, no service.
 * Targets (2 cores): ≥ 10× (a), within 1.3× of (b), ≤ 15 KB per page, ≤ 2 GB peak memory.
 */
const PEOPLE = 1000;
const NAIVE_PEOPLE = 100;

/**
 * Memory of this process plus every Chromium process, sampled while the benchmark runs. Proportional set
 * size (PSS), not RSS: Chromium's processes share pages, and adding their RSS would count those twice.
 */
function memorySampler() {
  let peak = 0;
  let peakRss = 0;
  const pss = (pid: string) => Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0) * 1024;
  const rss = (pid: string) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  const sample = () => {
    let total = pss(String(process.pid));
    let totalRss = rss(String(process.pid));
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('chromium')) continue;
        total += pss(pid);
        totalRss += rss(pid);
      } catch {
        // the process ended between listing and reading
      }
    }
    peak = Math.max(peak, total);
    peakRss = Math.max(peakRss, totalRss);
  };
  const timer = setInterval(sample, 200);
  return { stop: () => (clearInterval(timer), sample(), { peak, peakRss }) };
}

async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(RenderCliModule, { logger: ['error', 'warn'] });
  const networks = app.get(NetworksService);
  const pool = app.get<BrowserPool>(BROWSER_POOL);
  const renderer = new PdfRenderer(pool);
  const printer = new BulkPrinter(networks, pool);
  const form = networks.getForm('rurume', 'staff-pledge').form;
  const items: PrintItem[] = Array.from({ length: PEOPLE }, (_, i) => ({
    networkId: 'rurume',
    formId: 'staff-pledge',
    data: networks.validate('rurume', 'staff-pledge', {
      ...form.sample,
      staffName: `試験 太郎${i + 1}`,
      email: `staff${i + 1}@example.jp`,
    }),
    exemplar: { code: `RURUME-${String(i + 1).padStart(6, '0')}-1`, mark: '原本' },
  }));
  await renderer.render(networks.engine.wrapDocument([await printer.itemHtml(items[0], false)], 'warm-up'));

  // The service: 1000 people → one print-ready PDF. Timed alone; memory is measured on a second run,
  // because reading every process's smaps costs CPU the timed run should not pay.
  let started = performance.now();
  const bulk = await printer.printAll(items, { duplex: false, cover: null });
  const bulkSeconds = (performance.now() - started) / 1000;
  const memory = memorySampler();
  await printer.printAll(items, { duplex: false, cover: null });
  const { peak: peakBytes, peakRss } = memory.stop();
  const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', ['-'], { input: bulk.pdf, encoding: 'utf8' }))![1]);

  // (a) Naive: a PDF per person through the same pool, merged with pdf-lib.
  started = performance.now();
  const singles = await Promise.all(
    items
      .slice(0, NAIVE_PEOPLE)
      .map(async (item) => (await renderer.render(networks.engine.wrapDocument([await printer.itemHtml(item, false)], 'x'))).pdf),
  );
  const merged = await PDFDocument.create();
  for (const single of singles) {
    const source = await PDFDocument.load(single);
    for (const page of await merged.copyPages(source, source.getPageIndices())) merged.addPage(page);
  }
  const naiveBytes = (await merged.save()).length;
  const naiveSeconds = (performance.now() - started) / 1000;

  // (b) Ceiling: the very same HTML, printed by a fresh Chromium with nothing around it.
  const chunks = await Promise.all(chunksOf(items).map((chunk) => printer.chunkDocument(chunk, '', false)));
  const browser = await puppeteer.launch({ executablePath: loadConfig().chromiumPath, headless: 'shell', args: CHROMIUM_ARGS });
  const tabs = await Promise.all([browser.newPage(), browser.newPage()]);
  started = performance.now();
  const bare: Buffer[] = new Array(chunks.length);
  await eachInParallel(chunks.length, tabs.length, async (index, worker) => {
    await tabs[worker].setContent(chunks[index].html, { waitUntil: 'load' });
    bare[index] = Buffer.from(await tabs[worker].pdf({ preferCSSPageSize: true, printBackground: true, tagged: false }));
  });
  const bareMerged = await printer.merge(bare);
  const bareSeconds = (performance.now() - started) / 1000;
  await browser.close();
  await app.close();

  const perPerson = { bulk: bulkSeconds / PEOPLE, naive: naiveSeconds / NAIVE_PEOPLE };
  console.log(
    JSON.stringify(
      {
        benchmark: 'bulk pledges',
        machine: { cpus: os.cpus().length, node: process.version },
        batch: {
          people: PEOPLE,
          pages,
          seconds: Number(bulkSeconds.toFixed(2)),
          pagesPerSecond: Math.round(pages / bulkSeconds),
          bytesPerPage: Math.round(bulk.pdf.length / pages),
          peakMemoryMB: Math.round(peakBytes / 1024 / 1024),
          peakRssSumMB: Math.round(peakRss / 1024 / 1024),
          chunks: Math.ceil(PEOPLE / CHUNK_SIZE),
        },
        naive: {
          people: NAIVE_PEOPLE,
          seconds: Number(naiveSeconds.toFixed(2)),
          bytesPerPage: Math.round(naiveBytes / NAIVE_PEOPLE),
          speedupOfBatch: Number((perPerson.naive / perPerson.bulk).toFixed(1)),
        },
        ceiling: {
          seconds: Number(bareSeconds.toFixed(2)),
          batchOverCeiling: Number((bulkSeconds / bareSeconds).toFixed(2)),
          bytesPerPage: Math.round(bareMerged.length / pages),
        },
        targets: { speedupOverNaive: 10, withinCeiling: 1.3, maxBytesPerPage: 15 * 1024, maxPeakMemoryMB: 2048 },
        met: {
          speedup: perPerson.naive / perPerson.bulk >= 10,
          ceiling: bulkSeconds / bareSeconds <= 1.3,
          bytesPerPage: bulk.pdf.length / pages <= 15 * 1024,
          memory: peakBytes <= 2 * 1024 ** 3,
        },
      },
      null,
      2,
    ),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
