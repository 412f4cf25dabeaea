import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';

/** What BullMQ needs of Redis, as `CONFIG GET` reports it. */
const RECOMMENDED: Record<string, string> = { appendonly: 'yes', 'maxmemory-policy': 'noeviction' };

/** A plain Redis connection for what is not a queue: throttling, log-in state, health checks, worker heartbeats, the sweeper's last run. */
@Injectable()
export class RedisService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  readonly client: Redis;
  private wasReady = false;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    // Auto-pipelining: the throttle's count for every request made in one turn of the event loop goes in one round trip.
    this.client = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, lazyConnect: false, enableAutoPipelining: true });
    this.client.on('error', () => undefined); // surfaced by the commands that fail, e.g. in /health
    this.client.on('ready', () => (this.wasReady = true));
  }

  /**
   * Whether a command can be expected to answer at once: connected, or still connecting for the first time.
   * Once a connection was lost, callers that must answer fast (log-in, throttling) stop waiting on it until
   * it is back, rather than wait for ioredis's reconnection and retries.
   */
  answersNow(): boolean {
    return this.client.status === 'ready' || !this.wasReady;
  }

  /** Not awaited: a Redis that is down at start-up must not hold the process back (it warns once it answers). */
  onApplicationBootstrap(): void {
    const check = () => void this.checkSettings().then((warnings) => warnings.forEach((w) => this.logger.warn(w)));
    if (this.client.status === 'ready') check();
    else this.client.once('ready', check);
  }

  /**
   * Warnings for settings that lose BullMQ's jobs: without `appendonly yes` a restart forgets them, and an
   * eviction policy other than `noeviction` drops keys under memory pressure. Correctness does not depend
   * on them (PostgreSQL records the work and the sweeper re-queues it) but recovery is then slower.
   */
  async checkSettings(): Promise<string[]> {
    const warnings: string[] = [];
    for (const [name, wanted] of Object.entries(RECOMMENDED)) {
      try {
        const [, value] = (await this.client.call('CONFIG', 'GET', name)) as [string, string];
        if (value !== wanted)
          warnings.push(
            `Redis has ${name} ${value || '(unset)'}; BullMQ needs ${name} ${wanted}, or queued jobs are lost ` +
              `(the sweeper re-queues them from PostgreSQL, every SWEEP_SECONDS). See docs/operations.md, "Reliability".`,
          );
      } catch (error) {
        warnings.push(`could not check Redis's ${name} (${(error as Error).message}); it should be ${wanted}`);
      }
    }
    return warnings;
  }

  async onApplicationShutdown(): Promise<void> {
    this.client.disconnect();
  }
}
