import { Logger } from '@nestjs/common';
import type { JobsOptions, Queue } from 'bullmq';

/**
 * PostgreSQL says what is due; these helpers carry it to BullMQ. A feature lists its due work as DueJobs,
 * read from its own rows (a render still queued, a seal still missing, a request past its expiry…); a
 * request handler hands them to `addSoon` after its commit, and the worker's sweeper to `requeue`.
 */
export interface DueJob {
  name: string;
  /** Deterministic (JOB_IDS): queueing the same work twice is one job. */
  jobId: string;
  data: object;
  opts?: Omit<JobsOptions, 'jobId'>;
  /** Since when the row has said so. */
  dueAt: Date;
}

/** Whether the work reached Redis while the request waited, or is left to the sweeper (処理待ち). */
export type Delivery = 'queued' | 'pending';

/** How long a request handler waits for Redis before answering with the work committed but not yet queued. */
export const QUEUE_ADD_TIMEOUT_MS = 1500;

/** States in which a job will still run: nothing to do. Completed or failed while the row still says due: queue it again. */
const LIVE = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

const logger = new Logger('JobDelivery');

export function withTimeout<T>(promise: Promise<T>, ms: number, what = 'Redis'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * For request handlers, after the commit: adds the jobs, but waits at most QUEUE_ADD_TIMEOUT_MS. When Redis
 * is slow or down the add goes on in the background (it lands when Redis answers) and the sweeper delivers
 * the work in any case: the request never hangs on Redis, and never fails because of it.
 */
export async function addSoon(queue: Pick<Queue, 'addBulk'>, jobs: DueJob[], timeoutMs = QUEUE_ADD_TIMEOUT_MS): Promise<Delivery> {
  if (jobs.length === 0) return 'queued';
  const adding = queue.addBulk(jobs.map((job) => ({ name: job.name, data: job.data, opts: { ...job.opts, jobId: job.jobId } })));
  try {
    await withTimeout(adding, timeoutMs);
    return 'queued';
  } catch (error) {
    adding.catch(() => undefined); // the sweeper delivers it if this never lands
    logger.warn(`${jobs.map((j) => j.jobId).join(', ')} committed, not queued yet (${(error as Error).message}); the sweeper delivers it`);
    return 'pending';
  }
}

/**
 * For the sweeper: each due job is put in the queue unless it is already waiting, delayed or running there.
 * One that finished while its row still says due (lost mid-way, out of retries during an outage) is replaced.
 * Returns the jobs (re)queued. Work must check what is already done: a job may run again after a race.
 */
export async function requeue(queue: Queue, jobs: DueJob[]): Promise<DueJob[]> {
  const queued: DueJob[] = [];
  for (const job of jobs) {
    const state = await queue.getJobState(job.jobId);
    if (LIVE.has(state)) continue;
    if (state !== 'unknown') await queue.remove(job.jobId);
    await queue.add(job.name, job.data, { ...job.opts, jobId: job.jobId });
    queued.push(job);
  }
  return queued;
}

/** For /health: the due jobs that Redis does not hold as waiting, delayed or running (read only). */
export async function unqueued(queue: Queue, jobs: DueJob[]): Promise<DueJob[]> {
  const states = await Promise.all(jobs.map((job) => queue.getJobState(job.jobId)));
  return jobs.filter((_, i) => !LIVE.has(states[i]));
}

/** What a sweep re-queued, by kind of work (e.g. { renders: 2, seals: 1 }). */
export type SweepReport = Record<string, number>;
