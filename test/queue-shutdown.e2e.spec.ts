import { WorkerHost } from '@nestjs/bullmq';
import { DiscoveryService, ModulesContainer } from '@nestjs/core';
import { Worker } from 'bullmq';
import Redis from 'ioredis';
import { QUEUE_NAMES, redisConnection } from '../src/common/queues';
import { FormPdfService } from '../src/rendering/form-pdf.service';
import { WorkerModule } from '../src/worker.module';
import { createWorker } from '../src/worker.setup';
import { ensureTestDatabase } from './support/database';
import { TestRedis, startRedisServer } from './support/redis-server';

/** Resolves once the client is waiting to reconnect (the state in which ioredis 5 could not be closed). */
function waitingToReconnect(client: Redis): Promise<void> {
  return new Promise((resolve) => (client.status === 'reconnecting' ? resolve() : client.once('reconnecting', () => resolve())));
}

describe('a queue worker shuts down whatever Redis is doing (own redis-server)', () => {
  let redis: TestRedis;
  beforeEach(async () => {
    redis = await startRedisServer();
  });
  afterEach(async () => {
    await redis.stop();
  });

  async function workerWaitingToReconnect(): Promise<{ worker: Worker; blocking: Redis }> {
    // The app's connection, reconnecting every 5 s rather than from 1 s: Redis is surely back before the worker retries.
    const worker = new Worker('shutdown-check', async () => undefined, {
      connection: { ...redisConnection(redis.url), retryStrategy: () => 5_000 },
      prefix: 'shutdown-check',
    });
    worker.on('error', () => undefined); // Redis going away is the point here
    await worker.waitUntilReady();
    // BullMQ keeps the connection that waits for jobs private; it is the one whose close hung.
    const blocking = await (worker as unknown as { blockingConnection: { client: Promise<Redis> } }).blockingConnection.client;
    await redis.shutdownNoSave();
    await waitingToReconnect(blocking);
    return { worker, blocking };
  }

  it('closes while Redis is down', async () => {
    const { worker, blocking } = await workerWaitingToReconnect();
    await worker.close();
    expect(blocking.status).toBe('end');
  });

  it('closes just after Redis came back, before the worker reconnected (a CI teardown hung here)', async () => {
    const { worker, blocking } = await workerWaitingToReconnect();
    await redis.start();
    expect(blocking.status).toBe('reconnecting');
    await worker.close();
    expect(blocking.status).toBe('end');
  });
});

describe("the worker process shuts down in order (the run's Redis)", () => {
  it('stops taking jobs, and finishes those it holds, before it stops Chromium', async () => {
    // Stopped the other way round, a job taken in between found no browser and its exemplar was failed for good.
    await ensureTestDatabase();
    const worker = await createWorker(WorkerModule, { bufferLogs: true, abortOnError: false });
    const pool = worker.get(FormPdfService).pool;
    const processors = new DiscoveryService(worker.get(ModulesContainer))
      .getProviders()
      .map((wrapper) => wrapper.instance as unknown)
      .filter((instance): instance is WorkerHost => instance instanceof WorkerHost);
    const chromiumStoppedWhenQueueClosed = new Map<string, boolean>();
    for (const processor of processors) {
      processor.worker.on('closed', () => chromiumStoppedWhenQueueClosed.set(processor.constructor.name, pool.isClosed));
    }
    await worker.close();
    expect(processors.length).toBe(QUEUE_NAMES.length);
    expect(Object.fromEntries(chromiumStoppedWhenQueueClosed)).toEqual(
      Object.fromEntries(processors.map((p) => [p.constructor.name, false])),
    );
    expect(pool.isClosed).toBe(true);
  });
});
