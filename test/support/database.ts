import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

/**
 * Set by global-setup, then made this Jest worker's own by worker-env (a setup file): the database and the
 * Redis key prefix that this worker's files share. Files of one worker run one after another; two workers
 * never see each other's rows, jobs or heartbeats, as if they were two runs.
 */
function run(): { databaseUrl: string; marker: string } {
  const databaseUrl = process.env.DATABASE_URL;
  const prefix = process.env.QUEUE_PREFIX;
  if (!databaseUrl?.includes('/renkei_test_') || !prefix?.startsWith('renkei-test-')) throw new Error('run the tests through jest');
  return { databaseUrl, marker: join(tmpdir(), `${prefix}.schema`) };
}

/** The name of a Jest worker's own database or prefix: the run's, with the worker's number. */
export function perWorker(value: string, workerId = process.env.JEST_WORKER_ID ?? '1'): string {
  return `${value}_w${workerId}`;
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
 * Creates this worker's database and migrates it, once, when the first file that needs it asks: a run of
 * unit tests alone never pays for it. A lock keeps two files from doing it twice.
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

/**
 * For global-teardown (the run's own names, before any worker's suffix): drops every worker's database and
 * marker, and returns the Redis prefixes they used. Empty when no file made a database (unit tests only).
 */
export async function dropTestDatabases(): Promise<string[]> {
  const runPrefix = process.env.QUEUE_PREFIX!;
  const markers = readdirSync(tmpdir()).filter((file) => file.startsWith(`${runPrefix}_w`) && file.endsWith('.schema'));
  if (markers.length === 0) return [];
  await onServer(process.env.DATABASE_URL!, async (admin, runDatabase) => {
    const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [
      `${runDatabase}\\_w%`,
    ]);
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  });
  for (const marker of markers) rmSync(join(tmpdir(), marker), { force: true });
  return markers.map((marker) => marker.slice(0, -'.schema'.length));
}
