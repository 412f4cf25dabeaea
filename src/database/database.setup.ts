import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { OfficesRepository } from '../accounts/offices.repository';
import { OfficesService } from '../accounts/offices.service';
import { LoadedNetwork } from '../networks/catalogue.loader';
import { NetworksRepository } from '../networks/networks.repository';
import { createDataSource } from './data-source';

export const DEMO_OFFICE = {
  networkId: 'rurume',
  name: 'デモ訪問看護ステーション',
  postalCode: '203-0053',
  address: '東京都東久留米市本町1-1-1',
  phone: '042-000-0000',
};

/** Creates the database named in the URL if it does not exist yet (connecting to `postgres` to do so). */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!/^[a-zA-Z0-9_]+$/.test(name)) throw new Error(`database name "${name}" must be letters, digits and _`);
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  client.on('error', () => undefined); // a dropped connection fails the query below instead of ending the process
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount) return false;
    await client.query(`CREATE DATABASE "${name}"`);
    return true;
  } finally {
    await client.end();
  }
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  client.on('error', () => undefined); // a dropped connection fails the query below instead of ending the process
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Creates the database if needed, runs pending migrations, and seeds the networks and a demo office. */
export async function setUpDatabase(databaseUrl: string, networks: LoadedNetwork[]): Promise<{ created: boolean; migrations: string[] }> {
  const created = await ensureDatabase(databaseUrl);
  const dataSource = await createDataSource(databaseUrl).initialize();
  try {
    const migrations = await dataSource.runMigrations({ transaction: 'each' });
    await seed(dataSource, networks);
    return { created, migrations: migrations.map((m) => m.name) };
  } finally {
    await dataSource.destroy();
  }
}

async function seed(dataSource: DataSource, networks: LoadedNetwork[]): Promise<void> {
  await new NetworksRepository(dataSource).upsert(networks);
  if (!networks.some((n) => n.id === DEMO_OFFICE.networkId)) return;
  const offices = new OfficesService(new OfficesRepository(dataSource));
  if (!(await offices.inNetwork(DEMO_OFFICE.networkId)).some((o) => o.name === DEMO_OFFICE.name)) await offices.create(DEMO_OFFICE);
}
