import { BatchedLookup } from '../../src/database/batched-lookup';

interface Row {
  key: string;
  value: number;
}

/** A lookup over a fixed table that records the keys of each query it is asked. */
function lookupOver(table: Row[], maxKeys?: number) {
  const queries: string[][] = [];
  const lookup = new BatchedLookup<Row>(
    async (keys) => {
      queries.push(keys);
      return table.filter((row) => keys.includes(row.key));
    },
    (row) => row.key,
    maxKeys,
  );
  return { lookup, queries };
}

describe('BatchedLookup', () => {
  const table = [
    { key: 'a', value: 1 },
    { key: 'b', value: 2 },
    { key: 'c', value: 3 },
  ];

  it('answers lookups made together with one query, each with its own row', async () => {
    const { lookup, queries } = lookupOver(table);
    const rows = await Promise.all(['a', 'c', 'missing', 'a'].map((key) => lookup.find(key)));
    expect(rows.map((row) => row?.value)).toEqual([1, 3, undefined, 1]);
    expect(queries).toEqual([['a', 'c', 'missing']]);
  });

  it('queries again for lookups made later: nothing is cached', async () => {
    const { lookup, queries } = lookupOver(table);
    await lookup.find('a');
    table[0].value = 10;
    expect((await lookup.find('a'))?.value).toBe(10);
    expect(queries).toEqual([['a'], ['a']]);
    table[0].value = 1;
  });

  it('splits a crowd into queries of at most maxKeys', async () => {
    const { lookup, queries } = lookupOver(table, 2);
    await Promise.all(['a', 'b', 'c'].map((key) => lookup.find(key)));
    expect(queries).toEqual([['a', 'b'], ['c']]);
  });

  it('fails every lookup of a query that fails', async () => {
    const lookup = new BatchedLookup<Row>(
      async () => Promise.reject(new Error('database gone')),
      (row) => row.key,
    );
    const results = await Promise.allSettled([lookup.find('a'), lookup.find('b')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
