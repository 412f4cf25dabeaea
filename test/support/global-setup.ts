import { randomBytes } from 'node:crypto';

/**
 * Every test run gets its own database names and Redis key prefix, each Jest worker its own (see database.ts),
 * all dropped afterwards. A worker's database is made by its first file that starts a stack
 * (ensureTestDatabase); each API stack upserts the catalogue's networks as it starts, as in production.
 */
export default async function globalSetup(): Promise<void> {
  const run = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const base = new URL(process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/renkei');
  base.pathname = `/renkei_test_${run}`;
  process.env.NODE_ENV = 'test';
  process.env.DATABASE_URL = base.toString();
  process.env.QUEUE_PREFIX = `renkei-test-${run}`;
  process.env.LOG_LEVEL = process.env.LOG_LEVEL || 'warn';
  // Every spec file logs in from 127.0.0.1 within the same minutes, and the counts are shared in Redis for
  // the whole run: the throttling tests set their own limits (and their own addresses).
  process.env.THROTTLE_PER_MINUTE = process.env.THROTTLE_PER_MINUTE || '1000000';
  process.env.THROTTLE_LOGIN_PER_MINUTE = process.env.THROTTLE_LOGIN_PER_MINUTE || '1000000';
  // bcrypt at its lowest work factor: the suite hashes and checks thousands of passwords and 暗証番号, at about
  // 80 ms each at the service's 10. The test of log-in timing sets 10 for its own stack.
  process.env.PASSWORD_HASH_COST = process.env.PASSWORD_HASH_COST || '4';
}
