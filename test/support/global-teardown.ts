import Redis from 'ioredis';
import { dropTestDatabases } from './database';

export default async function globalTeardown(): Promise<void> {
  const prefixes = await dropTestDatabases(); // none for unit tests only: no database was made, no queue was used
  if (prefixes.length === 0) return;
  const redis = new Redis(process.env.REDIS_URL || 'redis://127.0.0.1:6379');
  for (const prefix of prefixes) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
  redis.disconnect();
}
