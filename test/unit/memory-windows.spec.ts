import { MemoryWindows } from '../../src/common/rate-limit.guard';

describe('the throttle’s in-memory windows (while Redis is down)', () => {
  it('counts each key in its own one-minute window, answers the longest wait, and starts afresh after it', () => {
    const windows = new MemoryWindows();
    const t0 = 1_800_000_000_000;
    for (let i = 0; i < 3; i++) expect(windows.hit(['a', 'bucket'], [3, 10], t0 + i)).toEqual([0, 0]);
    expect(windows.hit(['a', 'bucket'], [3, 10], t0 + 10_000)).toEqual([1, 50_000]);
    expect(windows.hit(['b', 'bucket'], [3, 10], t0 + 10_000)).toEqual([0, 0]); // another route, the same bucket
    expect(windows.hit(['a'], [3], t0 + 60_000)).toEqual([0, 0]);
  });
});
