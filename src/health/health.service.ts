import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { BatchesService } from '../batches/batches.service';
import { DueJob, withTimeout } from '../common/job-delivery';
import { lastSweepKey, workerHeartbeatPrefix } from '../common/queues';
import { RedisService } from '../common/redis.provider';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { DocumentPrintingService } from '../documents/document-printing.service';
import { MailService } from '../mail/mail.service';
import type { WorkerHeartbeat } from '../rendering/worker-heartbeat.service';
import { PdfStoreService } from '../rendering/pdf-store.service';
import { RendersService } from '../rendering/renders.service';
import { SigningJobsService } from '../signing/signing-jobs.service';

export interface Check {
  status: 'up' | 'down';
  detail?: unknown;
}

/** Why /health says degraded; the public sees these codes only, an admin also sees `checks`. */
export type HealthReason = 'database_down' | 'redis_down' | 'storage_down' | 'no_worker' | 'browser_down' | 'batch_stuck' | 'work_unqueued';

export interface HealthReport {
  status: 'ok' | 'degraded';
  reasons: HealthReason[];
  checks: Record<'database' | 'redis' | 'storage' | 'workers' | 'batches' | 'queues', Check> & { lastSweep: unknown };
}

const ANSWER_MS = 2000;

/**
 * What /health tells: the database, Redis and the PDFs' bucket (when configured) answer, a worker is alive
 * (its heartbeat) with its browser, no batch has stood still for STUCK_MINUTES, and nothing PostgreSQL says is
 * due has gone a sweep and more without being in the queue.
 */
@Injectable()
export class HealthService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly redisService: RedisService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly batches: BatchesService,
    private readonly renders: RendersService,
    private readonly prints: DocumentPrintingService,
    private readonly mail: MailService,
    private readonly signing: SigningJobsService,
    private readonly pdfs: PdfStoreService,
  ) {}

  async report(): Promise<HealthReport> {
    const [database, redis, storage] = await Promise.all([
      this.check(() => this.dataSource.query('SELECT 1')),
      this.check(() => this.redisService.client.ping()),
      this.pdfStorage(),
    ]);
    const [workers, batches, queues, lastSweep] = await Promise.all([
      redis.status === 'up' ? this.workers() : { status: 'down' as const, detail: 'Redis does not answer' },
      database.status === 'up' ? this.stuckBatches() : { status: 'down' as const, detail: 'the database does not answer' },
      database.status === 'up' && redis.status === 'up' ? this.unqueuedWork() : { status: 'down' as const, detail: 'not checked' },
      redis.status === 'up' ? this.lastSweep() : null,
    ]);
    const reasons: HealthReason[] = [];
    if (database.status === 'down') reasons.push('database_down');
    if (redis.status === 'down') reasons.push('redis_down');
    if (storage.status === 'down') reasons.push('storage_down');
    const beats = (workers.detail as { workers?: WorkerHeartbeat[] } | undefined)?.workers;
    if (redis.status === 'up' && !beats?.length) reasons.push('no_worker');
    else if (workers.status === 'down' && beats?.length) reasons.push('browser_down');
    if (database.status === 'up' && batches.status === 'down') reasons.push('batch_stuck');
    if (database.status === 'up' && redis.status === 'up' && queues.status === 'down') reasons.push('work_unqueued');
    return {
      status: reasons.length ? 'degraded' : 'ok',
      reasons,
      checks: { database, redis, storage, workers, batches, queues, lastSweep },
    };
  }

  private async check(probe: () => Promise<unknown>): Promise<Check> {
    try {
      await withTimeout(probe(), ANSWER_MS, 'health check');
      return { status: 'up' };
    } catch (error) {
      return { status: 'down', detail: (error as Error).message };
    }
  }

  /** Where PDFs are kept answers: PostgreSQL (checked above), or the bucket. */
  private async pdfStorage(): Promise<Check> {
    try {
      return { status: 'up', detail: await withTimeout(this.pdfs.storage(), ANSWER_MS, 'object storage') };
    } catch (error) {
      return { status: 'down', detail: (error as Error).message || (error as Error).name };
    }
  }

  /** The API owns no browser: it reports what each worker last published (a heartbeat lives 15 s). */
  private async workers(): Promise<Check> {
    try {
      const client = this.redisService.client;
      const keys = await withTimeout(scanKeys(client, `${workerHeartbeatPrefix(this.config.queuePrefix)}*`), ANSWER_MS);
      const beats: WorkerHeartbeat[] = (keys.length ? await client.mget(...keys) : []).flatMap((v) => (v ? [JSON.parse(v)] : []));
      if (beats.length === 0) return { status: 'down', detail: 'no worker is running (start it with npm start, or npm run worker)' };
      return { status: beats.some((b) => b.browser === 'up') ? 'up' : 'down', detail: { workers: beats } };
    } catch (error) {
      return { status: 'down', detail: (error as Error).message };
    }
  }

  private async stuckBatches(): Promise<Check> {
    const before = new Date(Date.now() - this.config.stuckMinutes * 60_000);
    const stuck = await this.batches.stuck(before);
    if (stuck.length === 0) return { status: 'up' };
    return { status: 'down', detail: { stuckMinutes: this.config.stuckMinutes, batches: stuck } };
  }

  /** Due for longer than a sweep and a margin, and still not in the queue: the sweeper is not doing its job. */
  private async unqueuedWork(): Promise<Check> {
    const since = new Date(Date.now() - this.config.sweepSeconds * 1000 - 120_000);
    const found: Record<string, DueJob[]> = {};
    try {
      const lists = await withTimeout(
        Promise.all([
          this.batches.backlog(since),
          this.renders.backlog(since),
          this.prints.backlog(since),
          this.signing.backlog(since),
          this.mail.backlog(since),
        ]),
        ANSWER_MS * 2,
      );
      for (const job of lists.flat()) (found[job.name] ??= []).push(job);
    } catch (error) {
      return { status: 'down', detail: (error as Error).message };
    }
    if (Object.keys(found).length === 0) return { status: 'up' };
    const detail = Object.fromEntries(
      Object.entries(found).map(([name, jobs]) => [name, { count: jobs.length, oldest: jobs.slice(0, 5).map((j) => j.jobId) }]),
    );
    return { status: 'down', detail };
  }

  private async lastSweep(): Promise<unknown> {
    const value = await withTimeout(this.redisService.client.get(lastSweepKey(this.config.queuePrefix)), ANSWER_MS).catch(() => null);
    return value ? JSON.parse(value) : null;
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
