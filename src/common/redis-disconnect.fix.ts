import Redis from 'ioredis';
import { closeHandler } from 'ioredis/built/redis/event_handler';

/**
 * ioredis 5 never ends a connection told to disconnect while it waits to reconnect: its socket is already
 * closed, so no 'close' event comes, and the status stays 'reconnecting'. BullMQ's Worker.close() waits for
 * that 'end', so a worker shut down during a Redis outage, or in the seconds after Redis came back, waited
 * forever (a CI run's teardown hung so). ioredis 6 ends such a connection at once; this does the same for
 * ioredis 5, which BullMQ 5 uses. test/queue-shutdown.e2e.spec.ts fails without it.
 */
export function endDisconnectsWhileReconnecting(): void {
  const prototype = Redis.prototype as Redis & { endsWhileReconnecting?: true };
  if (prototype.endsWhileReconnecting) return;
  const disconnect = prototype.disconnect;
  prototype.disconnect = function (this: Redis, reconnect = false): void {
    const waitingToReconnect = !reconnect && this.status === 'reconnecting';
    disconnect.call(this, reconnect);
    // What the socket's 'close' would have done: with the connection closed by hand, it ends and fails what waits.
    if (waitingToReconnect && this.status === 'reconnecting') closeHandler(this)();
  };
  prototype.endsWhileReconnecting = true;
}
