import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';

/** A plain Redis connection for what is not a queue: health checks and worker heartbeats. */
@Injectable()
export class RedisService implements OnApplicationShutdown {
  readonly client: Redis;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.client = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, lazyConnect: false });
    this.client.on('error', () => undefined); // surfaced by the commands that fail, e.g. in /health
  }

  async onApplicationShutdown(): Promise<void> {
    this.client.disconnect();
  }
}
