import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';

export interface TestRedis {
  url: string;
  port: number;
  /** `SHUTDOWN NOSAVE`: Redis stops and everything it held is gone. */
  shutdownNoSave(): Promise<void>;
  /** A fresh, empty redis-server on the same port. */
  start(): Promise<void>;
  /** FLUSHALL: every job, scheduler and heartbeat lost while Redis keeps running. */
  flushAll(): Promise<void>;
  stop(): Promise<void>;
}

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A free port below Linux's ephemeral range (32768–60999), for a server a test stops and starts again on the
 * same port: between the two, an ephemeral port may be handed to another test file's server listening on port 0.
 */
async function freeStablePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const server = createServer();
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (bound) {
      await new Promise((resolve) => server.close(resolve));
      return port;
    }
  }
}

/**
 * A redis-server process of the test's own, on a free port, with no persistence (as the fault run that filed
 * issue 14 had it): a restart loses every job.
 */
export async function startRedisServer(): Promise<TestRedis> {
  const port = await freeStablePort();
  const dir = mkdtempSync(join(tmpdir(), 'renkei-redis-'));
  let child: ChildProcess | null = null;
  const command = async (...args: string[]) => {
    const client = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, lazyConnect: true, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return await client.call(args[0], ...args.slice(1));
    } finally {
      client.disconnect();
    }
  };
  const exited = () =>
    new Promise<void>((resolve) => (!child || child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
  const handle: TestRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
        stdio: 'ignore',
      });
      const started = child;
      for (let i = 0; ; i++) {
        if ((await command('PING').catch(() => null)) === 'PONG') return;
        if (started.exitCode !== null) throw new Error(`redis-server exited (code ${started.exitCode}): is port ${port} taken?`);
        if (i > 400) throw new Error(`redis-server did not answer on port ${port}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async shutdownNoSave() {
      await command('SHUTDOWN', 'NOSAVE').catch(() => undefined); // the connection closes as it obeys
      await exited();
    },
    async flushAll() {
      await command('FLUSHALL');
    },
    async stop() {
      child?.kill('SIGKILL');
      await exited();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await handle.start();
  return handle;
}
