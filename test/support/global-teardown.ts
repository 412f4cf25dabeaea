import Redis from 'ioredis';
import { dropDatabase } from '../../src/database/database.setup';

export default async function globalTeardown(): Promise<void> {
  if (process.env.DATABASE_URL?.includes('/renkei_test_')) await dropDatabase(process.env.DATABASE_URL);
  const prefix = process.env.QUEUE_PREFIX;
  if (!prefix?.startsWith('renkei-test-')) return;
  const redis = new Redis(process.env.REDIS_URL || 'redis://127.0.0.1:6379');
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  redis.disconnect();
}
