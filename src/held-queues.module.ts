import { getQueueToken } from '@nestjs/bullmq';
import { Global, INestApplicationContext, Module } from '@nestjs/common';
import type { JobsOptions } from 'bullmq';
import { QUEUE_NAMES } from './common/queues';

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

/** Every queue token, answered by a HeldQueue: services that queue work can run where Redis must not be touched. */
@Global()
@Module({
  providers: QUEUE_NAMES.map((name) => ({ provide: getQueueToken(name), useFactory: () => new HeldQueue(name) })),
  exports: QUEUE_NAMES.map((name) => getQueueToken(name)),
})
export class HeldQueuesModule {}

/** The jobs held in an application context built with HeldQueuesModule, by queue name. */
export function heldJobs(app: INestApplicationContext): Record<string, HeldJob[]> {
  return Object.fromEntries(QUEUE_NAMES.map((name) => [name, app.get<HeldQueue>(getQueueToken(name), { strict: false }).jobs]));
}
