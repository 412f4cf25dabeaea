import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config/env';
import { Transactions } from '../common/database/transactions';
import { StartupError } from '../common/startup-error';
import { runOrExplain } from '../common/run-or-explain';
import { dataSourceOptions } from '../database/data-source';
import { PdfBlobRepository } from '../rendering/pdf-blob.repository';
import { PdfStoreService } from '../rendering/pdf-store.service';

const USAGE = 'usage: npm run storage:move -- --to s3|postgres';

/**
 * npm run storage:move -- --to s3 (or --to postgres): moves every stored PDF's bytes between PostgreSQL and the
 * configured bucket, checking each file's hash on both sides. Safe to stop and run again; the service may keep
 * running meanwhile (configure it for the destination first, so new files go there).
 */
void runOrExplain('storage:move', async () => {
  const at = process.argv.indexOf('--to');
  const to = at >= 0 ? process.argv[at + 1] : undefined;
  if (to !== 's3' && to !== 'postgres') throw new StartupError(USAGE);
  const config = loadConfig();
  if (!config.objectStorage)
    throw new StartupError('no object storage configured: set STORAGE_URL or the S3_* variables (see docs/operations.md)');
  const dataSource = new DataSource(dataSourceOptions(config.databaseUrl));
  await dataSource.initialize();
  const store = new PdfStoreService(new PdfBlobRepository(dataSource), new Transactions(dataSource), config);
  try {
    if (await dataSource.showMigrations()) throw new StartupError('the database has pending migrations: run npm run db:setup first');
    const report = await store.moveAll(to, (done) => {
      if (done % 100 === 0) console.log(`[storage:move] ${done} moved…`);
    });
    for (const { sha256, problem } of report.failed) console.error(`[storage:move] ${sha256} not moved: ${problem}`);
    const where = to === 's3' ? `s3://${config.objectStorage.bucket}` : 'PostgreSQL';
    const summary = `moved ${report.moved} PDFs to ${where}; ${report.failed.length} failed their check; ${report.remaining} still at the source`;
    if (report.failed.length > 0) throw new StartupError(summary);
    return summary;
  } finally {
    store.onApplicationShutdown();
    await dataSource.destroy();
  }
});
