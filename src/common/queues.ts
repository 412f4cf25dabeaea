import { DefaultJobOptions } from 'bullmq';

export const RENDER_QUEUE = 'render';
export const DOCUMENTS_QUEUE = 'documents';
export const MAIL_QUEUE = 'mail';
export const SIGNING_QUEUE = 'signing';
export const BATCH_QUEUE = 'batches';

/** Every queue: the worker refuses to start unless each has exactly one processor. */
export const QUEUE_NAMES = [RENDER_QUEUE, DOCUMENTS_QUEUE, MAIL_QUEUE, SIGNING_QUEUE, BATCH_QUEUE] as const;

/**
 * Every job's id, in one place. Ids are deterministic, so queueing the same work twice (a retry, a sweep)
 * collapses into one job.
 */
export const JOB_IDS = {
  render: (renderId: string) => `render-${renderId}`,
  printExemplar: (exemplarId: string) => `exemplar-${exemplarId}`,
  mail: (outboxId: string) => `mail-${outboxId}`,
  batch: (batchId: string) => `batch-${batchId}`,
  seal: (requestId: string) => `seal-${requestId}`,
  expire: (requestId: string) => `expire-${requestId}`,
  remind: (signerId: string) => `remind-${signerId}`,
} as const;

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
