import { TickBatch } from '../common/tick-batch';

/**
 * Looks rows up by key, and lets lookups that arrive together share one query: those made in the same
 * turn of the event loop are sent as one `= ANY($1)` query. When many people open their links at once,
 * that is one database round trip instead of one per page; under light load each query holds one key.
 * Every lookup still reads the rows as they are after its request arrived: nothing is cached.
 */
export class BatchedLookup<Row> {
  private readonly batch: TickBatch<string, Row | undefined>;

  constructor(
    /** Returns the rows for these keys (missing keys simply have no row). */
    query: (keys: string[]) => Promise<Row[]>,
    keyOf: (row: Row) => string,
    maxKeys = 200,
  ) {
    this.batch = new TickBatch(async (keys) => {
      const rows = new Map((await query([...new Set(keys)])).map((row) => [keyOf(row), row]));
      return keys.map((key) => rows.get(key));
    }, maxKeys);
  }

  find(key: string): Promise<Row | undefined> {
    return this.batch.add(key);
  }
}
