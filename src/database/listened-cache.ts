import { ChannelHandlers } from './channel-listener';

/** What the cache needs of a listener (a ChannelListener, or a fake in unit tests). */
export interface Listener {
  readonly listening: boolean;
  start(): void;
  close(): Promise<void>;
}

export interface ListenedCacheOptions<Row> {
  /** A row is read again after this long, whatever it was told (0: nothing is kept). */
  maxAgeMs: number;
  /** The oldest rows go first beyond this many. */
  maxRows: number;
  /** The group a row belongs to: a notification's payload names the group whose rows changed. */
  groupOf(row: Row): string;
}

/**
 * Rows kept in this process for as long as PostgreSQL does not say they changed. Triggers on the tables behind
 * the rows notify the changed rows' group when a change commits; every process keeping rows listens, and drops
 * that group. So that no change is missed:
 * - nothing is kept or served while the listener is not listening, and every row is dropped when it starts or
 *   stops;
 * - a row whose read was under way when any notification arrived is not kept (it may predate the change);
 * - every row is read again after `maxAgeMs`.
 * Rows not found are never kept.
 */
export class ListenedCache<Row> {
  private readonly rows = new Map<string, { row: Row; group: string; keptAt: number }>();
  private readonly groups = new Map<string, Set<string>>();
  /** Moves on at every notification and reset: a read that started before a move is not kept. */
  private generation = 0;
  private readonly listener: Listener;

  constructor(
    private readonly options: ListenedCacheOptions<Row>,
    listen: (handlers: ChannelHandlers) => Listener,
  ) {
    this.listener = listen({ message: (group) => this.forget(group), reset: () => this.forgetAll() });
  }

  /** The kept row for `key`, or the row `read` returns (kept, when nothing changed meanwhile). */
  async get(key: string, read: () => Promise<Row | undefined>): Promise<Row | undefined> {
    if (this.options.maxAgeMs <= 0) return read();
    this.listener.start();
    const kept = this.rows.get(key);
    if (kept && this.listener.listening && Date.now() - kept.keptAt < this.options.maxAgeMs) return kept.row;
    const generation = this.generation;
    const row = await read();
    if (row !== undefined && this.listener.listening && generation === this.generation) this.keep(key, row);
    return row;
  }

  get size(): number {
    return this.rows.size;
  }

  close(): Promise<void> {
    this.forgetAll();
    return this.listener.close();
  }

  private keep(key: string, row: Row): void {
    this.drop(key);
    if (this.rows.size >= this.options.maxRows) this.drop(this.rows.keys().next().value!);
    const group = this.options.groupOf(row);
    this.rows.set(key, { row, group, keptAt: Date.now() });
    const keys = this.groups.get(group) ?? new Set<string>();
    keys.add(key);
    this.groups.set(group, keys);
  }

  private forgetAll(): void {
    this.generation++;
    this.rows.clear();
    this.groups.clear();
  }

  private forget(group: string): void {
    this.generation++;
    for (const key of this.groups.get(group) ?? []) this.rows.delete(key);
    this.groups.delete(group);
  }

  private drop(key: string): void {
    const kept = this.rows.get(key);
    if (!kept) return;
    this.rows.delete(key);
    const keys = this.groups.get(kept.group);
    keys?.delete(key);
    if (keys?.size === 0) this.groups.delete(kept.group);
  }
}
