import { DataSource, DataSourceOptions } from 'typeorm';
import { OfficeEntity } from '../accounts/office.entity';
import { NetworkEntity } from '../networks/network.entity';
import { PdfBlobEntity } from '../rendering/pdf-blob.entity';
import { RenderRequestEntity } from '../rendering/render-request.entity';
import { Foundation1763700000000 } from './migrations/1763700000000-Foundation';

export const ENTITIES = [NetworkEntity, OfficeEntity, PdfBlobEntity, RenderRequestEntity];
export const MIGRATIONS = [Foundation1763700000000];

/** Schema changes only through migrations: `synchronize` stays off everywhere. */
export function dataSourceOptions(databaseUrl: string): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    logging: ['error'],
  };
}

export function createDataSource(databaseUrl: string): DataSource {
  return new DataSource(dataSourceOptions(databaseUrl));
}
