import { EventEmitter } from 'node:events';
import type { ClientBase } from 'pg';

/** The channels that triggers announce changes on (each made by a migration), with what their payload names. */
export const CHANGE_CHANNELS = ['signing_link_changed'] as const;
export type ChangeChannel = (typeof CHANGE_CHANNELS)[number];

/** Every announcement that any of this process's database sessions receives, by channel. */
export const tableChanges = new EventEmitter().setMaxListeners(0);

/**
 * Makes a pooled session listen to every channel (the pool's `onConnect`). PostgreSQL gives a listening session
 * the announcements of its own transaction before it reports the transaction done, so a change made by this
 * process is known here before the code that made it goes on: a page read next never sees a copy older than it.
 */
export async function listenForChanges(client: ClientBase): Promise<void> {
  client.on('notification', ({ channel, payload }) => tableChanges.emit(channel, payload ?? ''));
  for (const channel of CHANGE_CHANNELS) await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
}
