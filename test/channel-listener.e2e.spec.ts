import { EventEmitter, once } from 'node:events';
import { AddressInfo, Socket, connect, createServer } from 'node:net';
import { Client } from 'pg';
import { ChannelListener } from '../src/database/channel-listener';
import { ensureTestDatabase } from './support/database';

/** The listening session behind the signing page's kept links, against the real PostgreSQL. */
describe('a channel listener', () => {
  let outside: Client;
  beforeAll(async () => {
    await ensureTestDatabase();
    outside = new Client({ connectionString: process.env.DATABASE_URL });
    await outside.connect();
  });
  afterAll(() => outside?.end());

  /** The promise, or a failure after `ms` (so that a frozen session is always thawed below). */
  function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)));
    return Promise.race([promise, late]).finally(() => clearTimeout(timer));
  }

  /**
   * A TCP proxy to the test's PostgreSQL that passes everything but notifications (message type 'A'), as a
   * pooler in transaction mode loses them: LISTEN is accepted and queries are answered, yet nothing arrives.
   */
  async function notificationsLost() {
    const target = new URL(process.env.DATABASE_URL!);
    const connections = new EventEmitter();
    const sockets = new Set<Socket>();
    let count = 0;
    const server = createServer((client) => {
      const upstream = connect(Number(target.port || 5432), target.hostname);
      sockets.add(client).add(upstream);
      connections.emit('connection', ++count);
      client.pipe(upstream);
      let pending = Buffer.alloc(0);
      upstream.on('data', (chunk: Buffer) => {
        pending = Buffer.concat([pending, chunk]);
        while (pending.length >= 5 && pending.length >= 1 + pending.readUInt32BE(1)) {
          const end = 1 + pending.readUInt32BE(1);
          if (pending[0] !== 0x41) client.write(pending.subarray(0, end));
          pending = pending.subarray(end);
        }
      });
      for (const [a, b] of [
        [client, upstream],
        [upstream, client],
      ]) {
        a.on('close', () => b.destroy());
        a.on('error', () => b.destroy());
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = new URL(target);
    url.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    return {
      url: url.toString(),
      connections,
      close: () => {
        for (const socket of sockets) socket.destroy();
        return new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  }

  async function listenerPid(): Promise<number> {
    const { rows } = await outside.query(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'renkei listen signing_link_changed'
        ORDER BY backend_start DESC LIMIT 1`,
    );
    return rows[0].pid;
  }

  it('hears announcements, checks with probes that it still does, and listens anew when its session stops answering', async () => {
    const heard = new EventEmitter();
    const messages: string[] = [];
    const listener = new ChannelListener(
      process.env.DATABASE_URL!,
      'signing_link_changed',
      {
        message: (payload) => {
          messages.push(payload);
          heard.emit('message', payload);
        },
        reset: () => heard.emit('reset'),
      },
      100,
      1_000,
    );
    // Another session on the channel sees the listener's probes go by.
    await outside.query('LISTEN signing_link_changed');
    let probes = 0;
    outside.on('notification', ({ payload }) => {
      if (payload?.startsWith('probe:')) heard.emit('probe', ++probes);
    });
    try {
      let reset = once(heard, 'reset');
      listener.start();
      await within(reset, 5_000, 'listening');
      expect(listener.listening).toBe(true);

      const message = once(heard, 'message');
      await outside.query(`SELECT pg_notify('signing_link_changed', 'document-1')`);
      expect(await message).toEqual(['document-1']);

      // Two probes out and back: it still listens, and its handlers saw none of them.
      await within(new Promise((resolve) => heard.on('probe', (count: number) => count >= 2 && resolve(count))), 5_000, 'two probes');
      expect(listener.listening).toBe(true);
      expect(messages).toEqual(['document-1']);

      // A session that no longer answers (frozen here, as behind a dead network): its probe does not come back.
      const frozen = await listenerPid();
      reset = once(heard, 'reset');
      process.kill(frozen, 'SIGSTOP');
      try {
        await within(reset, 5_000, 'the probe missed');
        expect(listener.listening).toBe(false);
      } finally {
        process.kill(frozen, 'SIGCONT');
      }
      await within(once(heard, 'reset'), 5_000, 'listening again');
      expect(listener.listening).toBe(true);
      expect(await listenerPid()).not.toBe(frozen);
    } finally {
      await listener.close();
      await outside.query('UNLISTEN *');
    }
    expect(listener.listening).toBe(false);
  });

  it('never says it listens where its announcements do not come back (behind a pooler that loses them)', async () => {
    const proxy = await notificationsLost();
    const heard: string[] = [];
    const listener = new ChannelListener(
      proxy.url,
      'signing_link_changed',
      { message: (payload) => heard.push(payload), reset: () => heard.push(listener.listening ? 'listening' : 'reset') },
      50,
      200,
    );
    try {
      const thirdSession = within(
        new Promise((resolve) => proxy.connections.on('connection', (count: number) => count >= 3 && resolve(count))),
        10_000,
        'two new sessions after probes that did not come back',
      );
      // Looked at every few milliseconds while three sessions come and go: it never says it listens.
      let everListening = false;
      const watch = setInterval(() => (everListening ||= listener.listening), 2);
      listener.start();
      await outside.query(`SELECT pg_notify('signing_link_changed', 'document-2')`);
      await thirdSession.finally(() => clearInterval(watch));
      expect(everListening).toBe(false);
      expect(heard.every((event) => event === 'reset')).toBe(true);
    } finally {
      await listener.close();
      await proxy.close();
    }
  });
});
