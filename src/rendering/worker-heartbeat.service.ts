import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { hostname } from 'node:os';
import { workerHeartbeatPrefix } from '../common/queues';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { RedisService } from '../common/redis.provider';
import { BrowserPool } from './browser.pool';
import { BROWSER_POOL } from './form-pdf.service';

export interface WorkerHeartbeat {
  worker: string;
  browser: 'up' | 'down';
  version: string | null;
  error: string | null;
  pool: BrowserPool['stats'];
  at: string;
}

const INTERVAL_MS = 5000;

/**
 * Starts Chromium when the worker starts (so the first render is warm and a missing browser shows at
 * once) and publishes the browser's state to Redis, where the API's /health reads it.
 */
@Injectable()
export class WorkerHeartbeatService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WorkerHeartbeatService.name);
  private readonly worker = `${hostname()}:${process.pid}`;
  private readonly key: string;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(BROWSER_POOL) private readonly pool: BrowserPool,
    private readonly redis: RedisService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.key = workerHeartbeatPrefix(config.queuePrefix) + this.worker;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat(), INTERVAL_MS);
    this.timer.unref();
  }

  /** Stops with the modules, not later: a beat after the pool has closed would announce a dead browser. */
  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.redis.client.del(this.key).catch(() => undefined);
  }

  private async beat(): Promise<void> {
    if (this.pool.isClosed) return;
    let heartbeat: WorkerHeartbeat;
    try {
      const version = await this.pool.version();
      heartbeat = { worker: this.worker, browser: 'up', version, error: null, pool: this.pool.stats, at: new Date().toISOString() };
    } catch (error) {
      this.logger.error(`browser is down: ${(error as Error).message}`);
      heartbeat = {
        worker: this.worker,
        browser: 'down',
        version: null,
        error: (error as Error).message,
        pool: this.pool.stats,
        at: new Date().toISOString(),
      };
    }
    try {
      await this.redis.client.set(this.key, JSON.stringify(heartbeat), 'PX', INTERVAL_MS * 3);
    } catch (error) {
      this.logger.error(`heartbeat not written: ${(error as Error).message}`);
    }
  }
}
