import { Queue, QueueEvents } from 'bullmq';
import { redisConnection } from '../../src/common/queues';
import { loadConfig } from '../../src/config/env';

/**
 * Waits on BullMQ's own events for a job to finish, instead of polling with sleeps. One Queue and one
 * QueueEvents connection per queue name, opened on first use and closed with the stack.
 */
const open = new Map<string, Promise<{ queue: Queue; events: QueueEvents }>>();

function connect(name: string): Promise<{ queue: Queue; events: QueueEvents }> {
  let connection = open.get(name);
  if (!connection) {
    const config = loadConfig();
    const options = { connection: redisConnection(config.redisUrl), prefix: config.queuePrefix };
    const queue = new Queue(name, options);
    const events = new QueueEvents(name, options);
    connection = events.waitUntilReady().then(() => ({ queue, events }));
    open.set(name, connection);
  }
  return connection;
}

/**
 * Resolves when the job has completed or failed for good, or once `timeoutMs` has passed (the caller then
 * looks at what the service says). A job not (or no longer) in the queue resolves after a short pause.
 */
export async function jobSettled(queueName: string, jobId: string, timeoutMs: number): Promise<void> {
  const { queue, events } = await connect(queueName);
  const job = await queue.getJob(jobId);
  if (!job) return new Promise((resolve) => setTimeout(resolve, Math.min(timeoutMs, 100)));
  await job.waitUntilFinished(events, timeoutMs).catch(() => undefined);
}

export async function closeJobWaits(): Promise<void> {
  const connections = await Promise.all(open.values());
  open.clear();
  await Promise.all(connections.flatMap(({ queue, events }) => [events.close(), queue.close()]));
}
