import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { ChangeChannel, tableChanges } from './table-changes';

/** What a listener's own probes start with (see ChannelListener): no handler sees them. */
const PROBE = 'probe:';

export interface ChannelHandlers {
  /** A notification on the channel, with its payload. */
  message(payload: string): void;
  /** The listener started or stopped listening: anything learned before may have missed a notification. */
  reset(): void;
}

/**
 * Hears a channel's announcements, for a process that keeps copies of rows: those of other processes through a
 * PostgreSQL session of its own that `LISTEN`s, and those of this process's own changes from the pooled sessions
 * that made them (table-changes.ts), which have them before the change's query returns. The own session must
 * reach the server itself: a pooler in transaction mode (PgBouncer's default) does not deliver notifications.
 *
 * `listening` is true only while notifications are sure to arrive. Once it has run LISTEN, and then every
 * `heartbeatMs`, the session announces a probe of its own on the channel, which must come back to it before the
 * next: a connection can die without a word, and behind a pooler in transaction mode LISTEN is accepted but
 * nothing arrives. It listens from the first probe's return. When the session drops or a probe does not come
 * back, the handlers are reset and it connects again after `retryMs`; once it listens again they are reset once
 * more. Probes are never passed on.
 */
export class ChannelListener {
  private readonly logger = new Logger(ChannelListener.name);
  private client: Client | null = null;
  private retry: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private closed = false;
  /** The probe this listener announced last and has not heard back yet. */
  private awaitedProbe: string | null = null;
  private readonly probePrefix = `${PROBE}${randomUUID()}:`;
  private probes = 0;
  private readonly fromPool = (payload: string) => {
    if (!payload.startsWith(PROBE)) this.handlers.message(payload);
  };
  listening = false;

  constructor(
    private readonly connectionString: string,
    private readonly channel: ChangeChannel,
    private readonly handlers: ChannelHandlers,
    private readonly retryMs = 1_000,
    private readonly heartbeatMs = 10_000,
  ) {}

  /** Starts listening (once; later calls do nothing). */
  start(): void {
    if (this.client || this.retry || this.closed) return;
    tableChanges.on(this.channel, this.fromPool);
    void this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    tableChanges.off(this.channel, this.fromPool);
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.stopHeartbeat();
    const client = this.client;
    this.client = null;
    this.listening = false;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({
      connectionString: this.connectionString,
      application_name: `renkei listen ${this.channel}`,
      connectionTimeoutMillis: this.heartbeatMs,
      query_timeout: this.heartbeatMs,
    });
    this.client = client;
    client.on('notification', ({ channel, payload = '' }) => {
      if (channel !== this.channel) return;
      if (!payload.startsWith(PROBE)) return this.handlers.message(payload);
      if (payload !== this.awaitedProbe) return;
      this.awaitedProbe = null;
      if (this.listening) return;
      // Only now is it sure that what is announced reaches this session.
      this.listening = true;
      this.handlers.reset();
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, null));
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(this.channel)}`);
    } catch (error) {
      this.lost(client, error);
      return;
    }
    if (this.client !== client) {
      await client.end().catch(() => undefined);
      return;
    }
    this.awaitedProbe = null;
    this.probe(client);
    this.heartbeat = setInterval(() => this.probe(client), this.heartbeatMs);
    this.heartbeat.unref();
  }

  private probe(client: Client): void {
    if (this.awaitedProbe) return this.lost(client, new Error('its probe did not come back'));
    const probe = `${this.probePrefix}${++this.probes}`;
    this.awaitedProbe = probe;
    client.query('SELECT pg_notify($1, $2)', [this.channel, probe]).catch((error: unknown) => this.lost(client, error));
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private lost(client: Client, error: unknown): void {
    if (this.client !== client) return;
    const wasListening = this.listening;
    this.stopHeartbeat();
    this.client = null;
    this.listening = false;
    this.handlers.reset();
    void client.end().catch(() => undefined);
    if (this.closed) return;
    // Once per loss, not at every failed retry while the database is away.
    if (wasListening)
      this.logger.warn(`stopped listening on ${this.channel} (${error instanceof Error ? error.message : 'connection closed'}); retrying`);
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.connect();
    }, this.retryMs);
    this.retry.unref();
  }
}
