import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { BulkPrinter, PrintItem } from '../batches/bulk-printer';
import { RosterFileError, RosterProblem, parseRoster } from '../batches/roster.parser';
import { DomainError } from '../common/errors/domain-error';
import { todayInJapan } from '../common/japan-date';
import { NetworksService } from '../networks/networks.service';
import { buildDraft } from '../networks/prefill';
import { BrowserPool } from '../rendering/browser.pool';
import { BROWSER_POOL } from '../rendering/form-pdf.service';
import { RenderCliModule } from './render-cli.module';

const USAGE = `Usage:
  npm run bulk -- --network <id> --csv <roster.csv|roster.xlsx> --out <pledges.pdf> --office <事業所名> [--duplex]

Prints the network's staff pledge (従事者誓約書) for every valid row of the roster, with a cover sheet, as
one PDF; --office is the office name every pledge is issued in. Rows with problems are listed and left
out; they never stop the others. Needs neither PostgreSQL nor Redis (nothing is recorded: use the web UI
or the API to track the pledges).`;

const REQUIRED = ['network', 'csv', 'out', 'office'] as const;

/** Wrong or missing options: one line, exit code 2, before any work. */
class UsageError extends Error {}
/** Nothing to print, an unreadable file: one line, exit code 1. */
class BulkError extends Error {}

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
  const missing = REQUIRED.filter((option) => !values[option]?.trim()).map((option) => `--${option}`);
  if (missing.length > 0) {
    throw new UsageError(`${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} required (npm run bulk -- --help)`);
  }
  const options = { network: values.network!, csv: values.csv!, out: values.out!, office: values.office!.trim(), duplex: values.duplex };

  const roster = await parseRoster(readRoster(options.csv), basename(options.csv));
  for (const row of roster.invalid) console.error(`  ${row.row}行目 ${row.name ?? ''}: ${problemsText(row.problems)}`);
  console.error(`${roster.rows.length}行: 印刷 ${roster.valid.length}名、問題のある行 ${roster.invalid.length}（${roster.encoding}）`);
  if (roster.valid.length === 0) throw new BulkError('印刷できる行がありません。問題のある行を直してから、もう一度実行してください。');

  const app = await NestFactory.createApplicationContext(RenderCliModule, { logger: ['error', 'warn'], abortOnError: false });
  try {
    const networks = app.get(NetworksService);
    const pledge = networks.getNetwork(options.network).forms.find((f) => f.subject === 'staff' && f.purpose === 'pledge');
    if (!pledge) throw new UsageError(`${options.network} has no staff pledge`);
    const { network, form } = networks.getForm(options.network, pledge.id);
    const items: PrintItem[] = [];
    for (const row of roster.valid) {
      const data = buildDraft(form, {
        office: { name: options.office, address: null, postalCode: null, phone: null },
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
    if (items.length === 0) throw new BulkError(`印刷できる行がありません（どの行も${form.title}の入力内容を満たしません）。`);
    const printer = new BulkPrinter(networks, app.get<BrowserPool>(BROWSER_POOL));
    const started = Date.now();
    const cover = {
      title: `${form.title} 一括印刷`,
      lines: [`${network.name}　${options.office}`, `作成日 ${todayInJapan()}　${items.length}名`],
      people: roster.valid.map((r) => ({ name: r.name ?? '', detail: r.jobTitle ?? '' })),
    };
    const { pdf, pageCount } = await printer.printAll(items, { duplex: options.duplex, cover, onProgress: progressBar });
    writeFileSync(options.out, pdf);
    process.stderr.write('\n');
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`${options.out}: ${pageCount} pages, ${items.length} pledges, ${Math.round(pdf.length / 1024)} KB, ${seconds} s`);
    return 0;
  } finally {
    await app.close();
  }
}

function readRoster(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new BulkError(`cannot read ${path}: ${(error as Error).message}`);
  }
}

function problemsText(problems: RosterProblem[]): string {
  return problems.map((p) => `${p.column} ${p.message}`).join(' / ');
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
    if (error instanceof UsageError) {
      console.error(error.message);
      process.exit(2);
    }
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`${(error as Error).message} (npm run bulk -- --help)`);
      process.exit(2);
    }
    const known = error instanceof BulkError || error instanceof RosterFileError || error instanceof DomainError;
    console.error(known ? (error as Error).message : error);
    process.exit(1);
  });
