import { TickBatch } from '../../src/common/tick-batch';

describe('TickBatch', () => {
  function doubling(maxItems?: number) {
    const runs: number[][] = [];
    const batch = new TickBatch<number, number>(async (items) => {
      runs.push(items);
      return items.map((item) => item * 2);
    }, maxItems);
    return { batch, runs };
  }

  it('runs what arrives together once, each caller getting its own answer, in order', async () => {
    const { batch, runs } = doubling();
    expect(await Promise.all([3, 1, 3, 2].map((item) => batch.add(item)))).toEqual([6, 2, 6, 4]);
    expect(runs).toEqual([[3, 1, 3, 2]]);
  });

  it('runs again for what arrives later, and splits a crowd into runs of at most maxItems', async () => {
    const { batch, runs } = doubling(2);
    await batch.add(1);
    await Promise.all([4, 5, 6].map((item) => batch.add(item)));
    expect(runs).toEqual([[1], [4, 5], [6]]);
  });

  it('fails every caller of a run that fails, and the next run goes ahead', async () => {
    let fail = true;
    const batch = new TickBatch<number, number>(async (items) => {
      if (fail) throw new Error('Redis gone');
      return items;
    });
    const results = await Promise.allSettled([batch.add(1), batch.add(2)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await batch.add(3)).toBe(3);
  });
});
