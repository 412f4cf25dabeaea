import { ChannelHandlers } from '../../src/database/channel-listener';
import { ListenedCache, Listener } from '../../src/database/listened-cache';

interface Row {
  id: string;
  document: string;
  state: string;
}

/** A listener the test drives: whether it listens, and what PostgreSQL announces. */
class FakeListener implements Listener {
  listening = true;
  started = 0;
  closed = false;
  constructor(readonly handlers: ChannelHandlers) {}
  start(): void {
    this.started++;
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

describe('rows kept until PostgreSQL announces a change', () => {
  let listener: FakeListener;
  let stored: Map<string, Row>;
  let reads: string[];

  function cacheOf(options: { maxAgeMs?: number; maxRows?: number } = {}) {
    return new ListenedCache<Row>(
      { maxAgeMs: options.maxAgeMs ?? 60_000, maxRows: options.maxRows ?? 100, groupOf: (row) => row.document },
      (handlers) => (listener = new FakeListener(handlers)),
    );
  }
  /** Reads the stored row, as the database would at this moment. */
  const read = (id: string) => () => {
    reads.push(id);
    const row = stored.get(id);
    return Promise.resolve(row && { ...row });
  };

  beforeEach(() => {
    stored = new Map(['a', 'b', 'c'].map((id) => [id, { id, document: id === 'c' ? 'doc-2' : 'doc-1', state: 'open' }] as [string, Row]));
    reads = [];
  });

  it('reads a row once, then answers from memory', async () => {
    const cache = cacheOf();
    expect(await cache.get('a', read('a'))).toEqual({ id: 'a', document: 'doc-1', state: 'open' });
    stored.get('a')!.state = 'signed'; // unannounced: the copy still answers
    expect((await cache.get('a', read('a')))?.state).toBe('open');
    expect(reads).toEqual(['a']);
    expect(listener.started).toBeGreaterThan(0);
  });

  it("drops the announced document's rows, and only those", async () => {
    const cache = cacheOf();
    for (const id of ['a', 'b', 'c']) await cache.get(id, read(id));
    for (const row of stored.values()) row.state = 'signed';
    listener.handlers.message('doc-1');
    expect((await cache.get('a', read('a')))?.state).toBe('signed');
    expect((await cache.get('b', read('b')))?.state).toBe('signed');
    expect((await cache.get('c', read('c')))?.state).toBe('open');
    expect(reads).toEqual(['a', 'b', 'c', 'a', 'b']);
  });

  it('drops everything when the listener starts or stops listening', async () => {
    const cache = cacheOf();
    for (const id of ['a', 'c']) await cache.get(id, read(id));
    listener.handlers.reset();
    expect(cache.size).toBe(0);
    await cache.get('a', read('a'));
    expect(reads).toEqual(['a', 'c', 'a']);
  });

  it('keeps and serves nothing while not listening', async () => {
    const cache = cacheOf();
    await cache.get('a', read('a'));
    listener.listening = false;
    stored.get('a')!.state = 'signed';
    expect((await cache.get('a', read('a')))?.state).toBe('signed');
    await cache.get('a', read('a'));
    expect(reads).toEqual(['a', 'a', 'a']);
    expect(cache.size).toBe(1); // the copy from before is still there, but not served
  });

  it('does not keep a row whose read was under way when a change was announced (it may predate the change)', async () => {
    const cache = cacheOf();
    let finish!: (row: Row) => void;
    const pending = cache.get('a', () => new Promise<Row>((resolve) => (finish = resolve)));
    listener.handlers.message('doc-9'); // any announcement, even of another document
    finish({ id: 'a', document: 'doc-1', state: 'open' });
    await pending;
    expect(cache.size).toBe(0);
    await cache.get('a', read('a'));
    expect(cache.size).toBe(1);
  });

  it('reads a row again once it is older than the longest it may be kept', async () => {
    const now = jest.spyOn(Date, 'now').mockReturnValue(1_000_000);
    try {
      const cache = cacheOf({ maxAgeMs: 5_000 });
      await cache.get('a', read('a'));
      now.mockReturnValue(1_004_999);
      await cache.get('a', read('a'));
      now.mockReturnValue(1_005_000);
      await cache.get('a', read('a'));
      expect(reads).toEqual(['a', 'a']);
    } finally {
      now.mockRestore();
    }
  });

  it('keeps at most maxRows, the oldest going first', async () => {
    const cache = cacheOf({ maxRows: 2 });
    for (const id of ['a', 'b', 'c']) await cache.get(id, read(id));
    expect(cache.size).toBe(2);
    await cache.get('b', read('b'));
    await cache.get('c', read('c'));
    await cache.get('a', read('a'));
    expect(reads).toEqual(['a', 'b', 'c', 'a']);
  });

  it('never keeps a row that was not found, and keeps nothing with a maximum age of 0', async () => {
    const cache = cacheOf();
    expect(await cache.get('nothing', read('nothing'))).toBeUndefined();
    expect(cache.size).toBe(0);

    const off = cacheOf({ maxAgeMs: 0 });
    await off.get('a', read('a'));
    await off.get('a', read('a'));
    expect(off.size).toBe(0);
    expect(listener.started).toBe(0); // and it never starts listening
  });

  it('stops listening when closed', async () => {
    const cache = cacheOf();
    await cache.get('a', read('a'));
    await cache.close();
    expect(listener.closed).toBe(true);
    expect(cache.size).toBe(0);
  });
});
