import { INestApplicationContext, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { assertOneProcessorPerQueue } from './common/queue-processors.check';
import { usePasswordHashCost } from './accounts/passwords';
import { loadConfig } from './config/env';

type ContextOptions = Parameters<typeof NestFactory.createApplicationContext>[1];

/** The worker's application context, shared by worker.ts and the e2e tests: it refuses to run a queue twice or not at all. */
export async function createWorker(module: Type, options: ContextOptions = {}): Promise<INestApplicationContext> {
  usePasswordHashCost(loadConfig().passwordHashCost);
  const worker = await NestFactory.createApplicationContext(module, options);
  try {
    worker.useLogger(worker.get(Logger));
    assertOneProcessorPerQueue(worker);
    return worker;
  } catch (error) {
    await worker.close();
    throw error;
  }
}
