import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { BulkPrinter, PrintItem } from '../batches/bulk-printer';
import { RosterFileError, parseRoster } from '../batches/roster.parser';
import { NetworksService } from '../networks/networks.service';
import { buildDraft } from '../networks/prefill';
import { BrowserPool } from '../rendering/browser.pool';
import { BROWSER_POOL } from '../rendering/form-pdf.service';
import { PdfRenderer } from '../rendering/pdf.renderer';
import { todayInJapan } from '../common/japan-date';
import { RenderCliModule } from './render-cli.module';

const USAGE = `Usage:
  npm run bulk -- --network <id> --csv <roster.csv|roster.xlsx> --out <pledges.pdf> [--office <事業所名>] [--duplex]

Prints the network's staff pledge (従事者誓約書) for every valid row of the roster, with a cover sheet, as
one PDF. Rows with problems are listed and left out; they never stop the others. Needs neither
PostgreSQL nor Redis (nothing is recorded: use the web UI or the API to track the pledges).`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      network: { type: 'string' },
      csv: { type: 'string' },
      out: { type: 'string' },
      office: { type: 'string' },
      duplex: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return (console.log(USAGE), 0);
  if (!values.network || !values.csv || !values.out) return (console.error(`--network, --csv and --out are required\n\n${USAGE}`), 2);

  const roster = await parseRoster(readFileSync(values.csv), basename(values.csv));
  for (const row of roster.invalid)
    console.error(`  ${row.row}行目 ${row.name ?? ''}: ${row.problems.map((p) => `${p.column} ${p.message}`).join(' / ')}`);
  console.error(`${roster.rows.length}行: 印刷 ${roster.valid.length}名、問題のある行 ${roster.invalid.length}（${roster.encoding}）`);

  const app = await NestFactory.createApplicationContext(RenderCliModule, { logger: ['error', 'warn'], abortOnError: false });
  try {
    const networks = app.get(NetworksService);
    const pledge = networks.getNetwork(values.network).forms.find((f) => f.subject === 'staff' && f.purpose === 'pledge');
    if (!pledge) return (console.error(`${values.network} has no staff pledge`), 2);
    const { network, form } = networks.getForm(values.network, pledge.id);
    const items: PrintItem[] = [];
    for (const row of roster.valid) {
      const data = buildDraft(form, {
        office: { name: values.office ?? '', address: null, postalCode: null, phone: null },
        manager: { name: null },
        user: { name: '' },
        issueDate: row.startDate ?? todayInJapan(),
        staff: { name: row.name ?? '', nameKana: row.nameKana, email: row.email, jobTitle: row.jobTitle },
      });
      const check = form.validator.check(data);
      if (check.errors.length) {
        console.error(`  ${row.row}行目 ${row.name}: ${check.errors.map((e) => e.message).join(' / ')}`);
        continue;
      }
      items.push({ networkId: network.id, formId: form.id, data: check.data!, exemplar: null });
    }
    const pool = app.get<BrowserPool>(BROWSER_POOL);
    const printer = new BulkPrinter(networks, new PdfRenderer(pool));
    const started = Date.now();
    const cover = {
      title: `${form.title} 一括印刷`,
      lines: [`${network.name}${values.office ? `　${values.office}` : ''}`, `作成日 ${todayInJapan()}　${items.length}名`],
      people: roster.valid.map((r) => ({ name: r.name ?? '', detail: r.jobTitle ?? '' })),
    };
    const { pdf, pageCount } = await printer.printAll(items, {
      duplex: values.duplex,
      cover,
      poolSize: pool.stats.size,
      onProgress: progressBar,
    });
    writeFileSync(values.out, pdf);
    process.stderr.write('\n');
    console.log(
      `${values.out}: ${pageCount} pages, ${items.length} pledges, ${Math.round(pdf.length / 1024)} KB, ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    return 0;
  } finally {
    await app.close();
  }
}

function progressBar(done: number, total: number): void {
  const width = 30;
  const filled = Math.round((done / Math.max(total, 1)) * width);
  process.stderr.write(
    `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.round((100 * done) / Math.max(total, 1))}% ${done}/${total}`,
  );
}

main()
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    console.error(error instanceof RosterFileError ? error.message : error);
    process.exit(1);
  });
