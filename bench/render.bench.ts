import os from 'node:os';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { RenderCliModule } from '../src/cli/render-cli.module';
import { NetworksService } from '../src/networks/networks.service';
import { FormPdfService } from '../src/rendering/form-pdf.service';

/**
 * npm run bench — single-form render latency (warm p50/p95) and forms/s through the page pool, on the
 * machine it runs on. Prints one JSON object. Targets (2-core machine): p50 ≤ 150 ms, ≥ 10 forms/s.
 */
const NETWORK = 'rurume';
const FORM = 'staff-pledge';
const WARM_UP = 10;
const SEQUENTIAL = 60;
const THROUGHPUT = 120;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(RenderCliModule, { logger: ['error', 'warn'] });
  const networks = app.get(NetworksService);
  const printer = app.get(FormPdfService);
  const sample = networks.getForm(NETWORK, FORM).form.sample;
  // A different name each time, so nothing can be served from a cache.
  const render = (i: number) =>
    printer.renderForm(NETWORK, FORM, networks.validate(NETWORK, FORM, { ...sample, staffName: `試験 ${i}号` }));

  for (let i = 0; i < WARM_UP; i++) await render(i);

  const latencies: number[] = [];
  let bytes = 0;
  for (let i = 0; i < SEQUENTIAL; i++) {
    const started = process.hrtime.bigint();
    bytes += (await render(i)).pdf.length;
    latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  latencies.sort((a, b) => a - b);

  const poolSize = printer.pool.stats.size;
  let next = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: poolSize * 2 }, async () => {
      while (next < THROUGHPUT) await render(next++);
    }),
  );
  const seconds = (Date.now() - started) / 1000;

  await app.close();
  console.log(
    JSON.stringify(
      {
        benchmark: 'single-form render',
        form: `${NETWORK}/${FORM}`,
        machine: { cpus: os.cpus().length, node: process.version },
        latencyMs: {
          runs: SEQUENTIAL,
          p50: Math.round(percentile(latencies, 50)),
          p95: Math.round(percentile(latencies, 95)),
          min: Math.round(latencies[0]),
          max: Math.round(latencies[latencies.length - 1]),
        },
        throughput: {
          forms: THROUGHPUT,
          poolPages: poolSize,
          seconds: Number(seconds.toFixed(2)),
          formsPerSecond: Number((THROUGHPUT / seconds).toFixed(1)),
        },
        averagePdfKB: Math.round(bytes / SEQUENTIAL / 1024),
        targets: { p50Ms: 150, formsPerSecond: 10 },
        met: { p50: percentile(latencies, 50) <= 150, throughput: THROUGHPUT / seconds >= 10 },
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
