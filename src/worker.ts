import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { runOrExplain } from './common/run-or-explain';
import { loadConfig } from './config/env';
import { WorkerModule } from './worker.module';

void runOrExplain('worker', async () => {
  loadConfig();
  const app = await NestFactory.createApplicationContext(WorkerModule, { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  return 'worker running: queue processors started, Chromium owned here';
});
