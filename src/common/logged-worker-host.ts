import { OnWorkerEvent, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnModuleDestroy } from '@nestjs/common';

/**
 * Every processor's base: its BullMQ worker's 'error' events (Redis gone, a lock that could not be renewed,
 * a job lost with a flushed Redis) are logged, never left to end the process. The sweeper re-queues what
 * was lost.
 */
export abstract class LoggedWorkerHost extends WorkerHost implements OnModuleDestroy {
  private readonly workerLogger = new Logger(this.constructor.name);

  @OnWorkerEvent('error')
  onWorkerError(error: Error): void {
    this.workerLogger.warn(`queue worker: ${error.message}`);
  }

  /**
   * Stops taking jobs, and finishes the ones it holds, in the first phase of shutdown. @nestjs/bullmq would
   * close it only in the last phase, after Chromium, object storage and every module's own resources had
   * closed under the jobs still running (each close is idempotent, so its later call is a no-op).
   */
  async onModuleDestroy(): Promise<void> {
    await this.worker.close();
  }
}
