import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { loadConfig } from './config/env';
import { runOrExplain } from './common/run-or-explain';

void runOrExplain('api', async () => {
  const config = loadConfig();
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { bufferLogs: true, abortOnError: false });
  configureApp(app);
  await app.listen(config.port);
  return `API listening on ${config.publicUrl}`;
});
