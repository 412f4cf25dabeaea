import { hostname } from 'node:os';
import { DefaultJobOptions } from 'bullmq';
import { endDisconnectsWhileReconnecting } from './redis-disconnect.fix';

endDisconnectsWhileReconnecting();

export const RENDER_QUEUE = 'render';
export const DOCUMENTS_QUEUE = 'documents';
export const MAIL_QUEUE = 'mail';
export const SIGNING_QUEUE = 'signing';
export const BATCH_QUEUE = 'batches';
export const RIGHTS_QUEUE = 'rights';
export const WEBHOOK_QUEUE = 'webhooks';
/** The sweeper: one job scheduler for every worker, so sweeps never run once per process. */
export const MAINTENANCE_QUEUE = 'maintenance';

/** Every queue: the worker refuses to start unless each has exactly one processor. */
export const QUEUE_NAMES = [
  RENDER_QUEUE,
  DOCUMENTS_QUEUE,
  MAIL_QUEUE,
  SIGNING_QUEUE,
  BATCH_QUEUE,
  RIGHTS_QUEUE,
  WEBHOOK_QUEUE,
  MAINTENANCE_QUEUE,
] as const;

/**
 * Every job's id, in one place. Ids are deterministic, so queueing the same work twice (a retry, a sweep)
 * collapses into one job.
 */
export const JOB_IDS = {
  render: (renderId: string) => `render-${renderId}`,
  printExemplar: (exemplarId: string) => `exemplar-${exemplarId}`,
  mail: (outboxId: string) => `mail-${outboxId}`,
  /** One job per attempt: the attempt's number is in the id, so a retry is a new job and a repeat of one is not. */
  webhook: (deliveryId: string, attempt: number) => `webhook-${deliveryId}-${attempt}`,
  batch: (batchId: string) => `batch-${batchId}`,
  seal: (requestId: string) => `seal-${requestId}`,
  expire: (requestId: string) => `expire-${requestId}`,
  remind: (signerId: string) => `remind-${signerId}`,
  /** The sweep a worker asks for as it starts (or finds the scheduler gone): one at a time, whoever asks. */
  sweepNow: () => 'sweep-now',
  printVersion: (versionId: string) => `version-${versionId}`,
  withdrawalReceipt: (withdrawalId: string) => `withdrawal-receipt-${withdrawalId}`,
  /** The one daily retention check (a job scheduler: one id, however many workers register it). */
  retentionScan: () => 'retention-scan',
} as const;

/** The one job scheduler that repeats the sweep every SWEEP_SECONDS. */
export const SWEEP_SCHEDULER_ID = 'sweep';

/** This worker process, recorded on every job it takes (BullMQ's processedBy): which of several workers did what. */
export const WORKER_NAME = `${hostname()}:${process.pid}`;

/** Retries with back-off; a throw from a processor is a retry, an UnrecoverableError is final. */
export const DEFAULT_JOB_OPTIONS: DefaultJobOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { count: 1000 },
  removeOnFail: { count: 5000 },
};

/** BullMQ takes ioredis options, not a URL. */
export function redisConnection(redisUrl: string): {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
  tls?: object;
  maxRetriesPerRequest: null;
} {
  const url = new URL(redisUrl);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    db: Number(url.pathname.replace('/', '') || 0),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}

/** Redis keys under which each worker publishes its browser's state for /health. */
export function workerHeartbeatPrefix(queuePrefix: string): string {
  return `${queuePrefix}:worker-heartbeat:`;
}

/** Where the sweeper notes its last run (for /health). */
export function lastSweepKey(queuePrefix: string): string {
  return `${queuePrefix}:sweeper:last`;
}
