import 'reflect-metadata';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { DomainError, InvalidFormDataError } from '../common/errors/domain-error';
import { CatalogueError } from '../networks/catalogue.loader';
import { NetworksService } from '../networks/networks.service';
import { FormPdfService } from '../rendering/form-pdf.service';
import { RenderCliModule } from './render-cli.module';

const USAGE = `Usage:
  npm run render -- --network <id> --form <id> (--data <file.json> | --sample) --out <file.pdf>
  npm run render -- --all [--network <id>] --out-dir <dir>     every form's sample, as <network>-<form>.pdf
  npm run render -- --list                                    networks and their forms`;

class UsageError extends Error {}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      network: { type: 'string' },
      form: { type: 'string' },
      data: { type: 'string' },
      sample: { type: 'boolean', default: false },
      out: { type: 'string' },
      all: { type: 'boolean', default: false },
      'out-dir': { type: 'string' },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.list && !values.all) {
    if (!values.network || !values.form || !values.out) throw new UsageError('--network, --form and --out are required');
    if (Boolean(values.data) === values.sample) throw new UsageError('give exactly one of --data <file.json> or --sample');
  }
  if (values.all && !values['out-dir']) throw new UsageError('--all needs --out-dir');

  const app = await NestFactory.createApplicationContext(RenderCliModule, { logger: ['error', 'warn'], abortOnError: false });
  try {
    const networks = app.get(NetworksService);
    if (values.list) {
      for (const n of networks.list()) {
        console.log(`${n.id}\t${n.name}`);
        for (const f of n.forms) console.log(`  ${f.id}\t${f.number} ${f.title} (${f.pages}枚)`);
      }
      return 0;
    }
    const printer = app.get(FormPdfService);
    const jobs = values.all
      ? (values.network ? [networks.getNetwork(values.network)] : networks.list()).flatMap((n) =>
          n.forms.map((f) => ({ network: n.id, form: f.id, input: f.sample, out: join(values['out-dir']!, `${n.id}-${f.id}.pdf`) })),
        )
      : [
          {
            network: values.network!,
            form: values.form!,
            input: values.sample ? networks.getForm(values.network!, values.form!).form.sample : readJson(values.data!),
            out: values.out!,
          },
        ];
    for (const job of jobs) {
      const data = networks.validate(job.network, job.form, job.input);
      const started = Date.now();
      const { pdf, pageCount } = await printer.renderForm(job.network, job.form, data);
      mkdirSync(dirname(resolve(job.out)), { recursive: true });
      writeFileSync(job.out, pdf);
      console.log(`${job.out}: ${pageCount} page(s), ${Math.round(pdf.length / 1024)} KB, ${Date.now() - started} ms`);
    }
    return 0;
  } finally {
    await app.close();
  }
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read ${path} as JSON: ${(error as Error).message}`);
  }
}

main()
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`${(error as Error).message}\n\n${USAGE}`);
      process.exit(2);
    }
    if (error instanceof InvalidFormDataError) {
      console.error(error.message);
      for (const e of error.errors) console.error(`  ${e.path}: ${e.message}`);
    } else if (error instanceof DomainError || error instanceof CatalogueError) {
      console.error((error as Error).message);
    } else {
      console.error(error);
    }
    process.exit(1);
  });
