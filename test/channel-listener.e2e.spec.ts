import { EventEmitter, once } from 'node:events';
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

  async function listenerPid(): Promise<number> {
    const { rows } = await outside.query(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'renkei listen signing_link_changed'
        ORDER BY backend_start DESC LIMIT 1`,
    );
    return rows[0].pid;
  }

  it('hears announcements, stops listening when its session stops answering, and listens again', async () => {
    const heard = new EventEmitter();
    const listener = new ChannelListener(
      process.env.DATABASE_URL!,
      'signing_link_changed',
      { message: (payload) => heard.emit('message', payload), reset: () => heard.emit('reset') },
      100,
      500,
    );
    try {
      let reset = once(heard, 'reset');
      listener.start();
      await reset;
      expect(listener.listening).toBe(true);

      const message = once(heard, 'message');
      await outside.query(`SELECT pg_notify('signing_link_changed', 'document-1')`);
      expect(await message).toEqual(['document-1']);

      // A session that no longer answers (frozen here, as behind a dead network): the heartbeat finds out.
      const frozen = await listenerPid();
      reset = once(heard, 'reset');
      process.kill(frozen, 'SIGSTOP');
      try {
        await within(reset, 5_000, 'the heartbeat noticing');
        expect(listener.listening).toBe(false);
      } finally {
        process.kill(frozen, 'SIGCONT');
      }
      await within(once(heard, 'reset'), 5_000, 'listening again');
      expect(listener.listening).toBe(true);
      expect(await listenerPid()).not.toBe(frozen);
    } finally {
      await listener.close();
    }
    expect(listener.listening).toBe(false);
  });
});
