import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { seedDemo, DEMO_PASSWORD, DEMO_USERS } from '../database/demo.seed';
import { loadConfig } from '../config/env';
import { setUpDatabase } from '../database/database.setup';
import { heldJobs } from '../held-queues.module';
import { loadCatalogue } from '../networks/catalogue.loader';
import { TemplateEngine } from '../templates/template.engine';
import { runOrExplain } from '../common/run-or-explain';
import { SetupDatabaseModule } from './setup-database.module';
import { usePasswordHashCost } from '../accounts/passwords';

/** npm run db:setup — create the database, migrate, seed. Safe to run again. Touches no Redis. */
void runOrExplain('db:setup', async () => {
  const config = loadConfig();
  usePasswordHashCost(config.passwordHashCost);
  const networks = loadCatalogue(new TemplateEngine(config.templatesDir));
  const { created, migrations } = await setUpDatabase(config.databaseUrl, networks);
  const where = new URL(config.databaseUrl).pathname.slice(1);
  let demo = 'demo data already present';
  if (!process.argv.includes('--no-demo')) {
    const app = await NestFactory.createApplicationContext(SetupDatabaseModule, { logger: ['error', 'warn'], abortOnError: false });
    try {
      if (await seedDemo((type) => app.get(type), app.get(DataSource))) {
        const prints = heldJobs(app).documents.length;
        demo = `demo data seeded (log in as ${DEMO_USERS.secretariat} / ${DEMO_PASSWORD}); the worker prints its ${prints} PDFs`;
      }
    } finally {
      await app.close();
    }
  }
  return [
    created ? `created database ${where}` : `database ${where} exists`,
    migrations.length ? `applied ${migrations.join(', ')}` : 'no pending migrations',
    `seeded ${networks.length} networks and a demo office`,
    demo,
  ].join('; ');
});
