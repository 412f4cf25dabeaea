import { rmSync } from 'node:fs';
import Redis from 'ioredis';
import { dropTestDatabase, testDatabaseUsed, testRunMarker } from './database';

export default async function globalTeardown(): Promise<void> {
  if (!testDatabaseUsed()) return; // unit tests only: no database was made, no queue was used
  await dropTestDatabase();
  rmSync(testRunMarker(), { force: true });
  const prefix = process.env.QUEUE_PREFIX!;
  const redis = new Redis(process.env.REDIS_URL || 'redis://127.0.0.1:6379');
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  redis.disconnect();
}
