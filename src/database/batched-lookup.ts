/**
 * Looks rows up by key, and lets lookups that arrive together share one query: those made in the same
 * turn of the event loop are sent as one `= ANY($1)` query. When many people open their links at once,
 * that is one database round trip instead of one per page; under light load each query holds one key.
 * Every lookup still reads the rows as they are after its request arrived: nothing is cached.
 */
export class BatchedLookup<Row> {
  private waiting = new Map<string, Array<{ resolve: (row: Row | undefined) => void; reject: (error: unknown) => void }>>();

  constructor(
    /** Returns the rows for these keys (missing keys simply have no row). */
    private readonly query: (keys: string[]) => Promise<Row[]>,
    private readonly keyOf: (row: Row) => string,
    private readonly maxKeys = 200,
  ) {}

  find(key: string): Promise<Row | undefined> {
    return new Promise((resolve, reject) => {
      if (this.waiting.size === 0) setImmediate(() => void this.flush());
      const waiters = this.waiting.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else this.waiting.set(key, [{ resolve, reject }]);
      if (this.waiting.size >= this.maxKeys) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const batch = this.waiting;
    if (batch.size === 0) return;
    this.waiting = new Map();
    try {
      const rows = new Map((await this.query([...batch.keys()])).map((row) => [this.keyOf(row), row]));
      for (const [key, waiters] of batch) for (const waiter of waiters) waiter.resolve(rows.get(key));
    } catch (error) {
      for (const waiters of batch.values()) for (const waiter of waiters) waiter.reject(error);
    }
  }
}
