import 'reflect-metadata';
import { loadConfig } from '../config/env';
import { setUpDatabase } from '../database/database.setup';
import { loadCatalogue } from '../networks/catalogue.loader';
import { TemplateEngine } from '../templates/template.engine';
import { runOrExplain } from '../common/run-or-explain';

/** npm run db:setup — create the database, migrate, seed. Safe to run again. */
void runOrExplain('db:setup', async () => {
  const config = loadConfig();
  const networks = loadCatalogue(new TemplateEngine(config.templatesDir));
  const { created, migrations } = await setUpDatabase(config.databaseUrl, networks);
  const where = new URL(config.databaseUrl).pathname.slice(1);
  return [
    created ? `created database ${where}` : `database ${where} exists`,
    migrations.length ? `applied ${migrations.join(', ')}` : 'no pending migrations',
    `seeded ${networks.length} networks and a demo office`,
  ].join('; ');
});
