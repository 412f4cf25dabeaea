import { getQueueToken } from '@nestjs/bullmq';
import { Global, INestApplicationContext, Module } from '@nestjs/common';
import type { JobsOptions } from 'bullmq';
import Redis from 'ioredis';
import { QUEUE_NAMES } from './common/queues';
import { RedisService } from './common/redis.provider';

export interface HeldJob {
  name: string;
  data: unknown;
  opts?: JobsOptions;
}

/**
 * Stands in for a BullMQ queue in a process that must open none (the database step of `npm start`): it keeps
 * the jobs it is given and sends nothing. Only adding is possible; anything else a queue does is not here.
 */
export class HeldQueue {
  readonly jobs: HeldJob[] = [];

  constructor(readonly name: string) {}

  async add(name: string, data: unknown, opts?: JobsOptions): Promise<HeldJob> {
    const job = { name, data, opts };
    this.jobs.push(job);
    return job;
  }

  async addBulk(jobs: HeldJob[]): Promise<HeldJob[]> {
    return Promise.all(jobs.map((job) => this.add(job.name, job.data, job.opts)));
  }
}

/**
 * Log-in state and the like live in Redis, so their services need a RedisService to be built; here it is a
 * client that connects only when sent a command (lazyConnect), and nothing in such a process sends one.
 */
const unconnectedRedis = { provide: RedisService, useFactory: () => ({ client: new Redis({ lazyConnect: true }) }) };

/** Every queue token, answered by a HeldQueue: services that queue work can run where Redis must not be touched. */
@Global()
@Module({
  providers: [...QUEUE_NAMES.map((name) => ({ provide: getQueueToken(name), useFactory: () => new HeldQueue(name) })), unconnectedRedis],
  exports: [...QUEUE_NAMES.map((name) => getQueueToken(name)), RedisService],
})
export class HeldQueuesModule {}

/** The jobs held in an application context built with HeldQueuesModule, by queue name. */
export function heldJobs(app: INestApplicationContext): Record<string, HeldJob[]> {
  return Object.fromEntries(QUEUE_NAMES.map((name) => [name, app.get<HeldQueue>(getQueueToken(name), { strict: false }).jobs]));
}
