import { OnWorkerEvent, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';

/**
 * Every processor's base: its BullMQ worker's 'error' events (Redis gone, a lock that could not be renewed,
 * a job lost with a flushed Redis) are logged, never left to end the process. The sweeper re-queues what
 * was lost.
 */
export abstract class LoggedWorkerHost extends WorkerHost {
  private readonly workerLogger = new Logger(this.constructor.name);

  @OnWorkerEvent('error')
  onWorkerError(error: Error): void {
    this.workerLogger.warn(`queue worker: ${error.message}`);
  }
}
