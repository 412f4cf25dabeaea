import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import Redis from 'ioredis';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { workerHeartbeatPrefix } from '../common/queues';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { Public } from '../accounts/current-user';
import { RedisService } from '../common/redis.provider';
import type { WorkerHeartbeat } from '../rendering/worker-heartbeat.service';

interface Check {
  status: 'up' | 'down';
  detail?: unknown;
}

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly redisService: RedisService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Database, Redis, and the browsers of the running workers (503 if any is down)' })
  async health(@Res() reply: FastifyReply): Promise<void> {
    const [database, redis, browser] = await Promise.all([this.database(), this.redis(), this.browser()]);
    const ok = [database, redis, browser].every((c) => c.status === 'up');
    reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', checks: { database, redis, browser } });
  }

  private async database(): Promise<Check> {
    try {
      await this.dataSource.query('SELECT 1');
      return { status: 'up' };
    } catch (error) {
      return { status: 'down', detail: (error as Error).message };
    }
  }

  private async redis(): Promise<Check> {
    try {
      await withTimeout(this.redisService.client.ping(), 2000);
      return { status: 'up' };
    } catch (error) {
      return { status: 'down', detail: (error as Error).message };
    }
  }

  /** The API owns no browser: it reports what each worker last published. */
  private async browser(): Promise<Check> {
    try {
      const client = this.redisService.client;
      const keys = await withTimeout(scanKeys(client, `${workerHeartbeatPrefix(this.config.queuePrefix)}*`), 2000);
      const beats: WorkerHeartbeat[] = (keys.length ? await client.mget(...keys) : []).flatMap((v) => (v ? [JSON.parse(v)] : []));
      const up = beats.filter((b) => b.browser === 'up');
      if (beats.length === 0) return { status: 'down', detail: 'no worker is running (start it with npm start, or npm run worker)' };
      return { status: up.length > 0 ? 'up' : 'down', detail: { workers: beats } };
    } catch (error) {
      return { status: 'down', detail: (error as Error).message };
    }
  }
}

async function scanKeys(client: Redis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 100);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref()),
  ]);
}
