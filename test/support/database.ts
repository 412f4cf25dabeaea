import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

/** Set by global-setup: which database and Redis prefix this run owns. */
function run(): { databaseUrl: string; marker: string } {
  const databaseUrl = process.env.DATABASE_URL;
  const prefix = process.env.QUEUE_PREFIX;
  if (!databaseUrl?.includes('/renkei_test_') || !prefix?.startsWith('renkei-test-')) throw new Error('run the tests through jest');
  return { databaseUrl, marker: join(tmpdir(), `${prefix}.schema`) };
}

async function onServer<T>(databaseUrl: string, work: (admin: Client, name: string) => Promise<T>): Promise<T> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    return await work(admin, name);
  } finally {
    await admin.end();
  }
}

/**
 * Creates the run's database and migrates it, once per run, when the first file that needs it asks: a run of
 * unit tests alone never pays for it. A lock keeps parallel workers from doing it twice.
 */
export async function ensureTestDatabase(): Promise<void> {
  const { databaseUrl, marker } = run();
  if (existsSync(marker)) return;
  await onServer(databaseUrl, async (admin, name) => {
    await admin.query('SELECT pg_advisory_lock(hashtext($1))', [name]);
    try {
      if (existsSync(marker)) return;
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (!exists.rowCount) await admin.query(`CREATE DATABASE "${name}"`);
      const { createDataSource } = await import('../../src/database/data-source');
      const dataSource = await createDataSource(databaseUrl).initialize();
      try {
        await dataSource.runMigrations({ transaction: 'each' });
      } finally {
        await dataSource.destroy();
      }
      writeFileSync(marker, new Date().toISOString());
    } finally {
      await admin.query('SELECT pg_advisory_unlock(hashtext($1))', [name]);
    }
  });
}

/** True when some file of this run created the database (and so may have used Redis too). */
export function testDatabaseUsed(): boolean {
  return existsSync(run().marker);
}

export function testRunMarker(): string {
  return run().marker;
}

export async function dropTestDatabase(): Promise<void> {
  await onServer(run().databaseUrl, (admin, name) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}
