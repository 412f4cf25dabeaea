/** How long a process told to stop may take to close its queues and connections. */
export const SHUTDOWN_GRACE_MS = 30_000;

type StoppableProcess = Pick<NodeJS.EventEmitter, 'once'> & { exit(code: number): void };

/**
 * A process told to stop (SIGTERM, SIGINT) that has not stopped within the grace period exits anyway, saying
 * so. Nest's shutdown hooks close the queues and connections, and a close that waits on a Redis or a
 * PostgreSQL that does not answer would otherwise keep the process alive until its supervisor kills it. What
 * it had not finished is safe: PostgreSQL holds the work, and the sweeper queues it again.
 */
export function exitIfShutdownHangs(
  target: StoppableProcess = process,
  graceMs = SHUTDOWN_GRACE_MS,
  log: (message: string) => void = console.error,
): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    target.once(signal, () => {
      // unref: a shutdown that finishes in time ends the process without waiting for this timer.
      setTimeout(() => {
        log(`still closing ${graceMs / 1000} s after ${signal} (a connection that does not answer?): exiting now`);
        target.exit(1);
      }, graceMs).unref();
    });
  }
}
