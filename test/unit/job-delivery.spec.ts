import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Queue } from 'bullmq';
import { DueJob, addSoon, requeue, unqueued } from '../../src/common/job-delivery';
import { DomainError } from '../../src/common/errors/domain-error';
import { isTransientError } from '../../src/common/transient-error';
import { killOrphanedBrowsers, recordBrowser } from '../../src/rendering/browser-processes';

/** A queue that knows only job states, as Redis would report them. */
function fakeQueue(states: Record<string, string>) {
  const calls: string[] = [];
  const queue = {
    getJobState: async (id: string) => states[id] ?? 'unknown',
    remove: async (id: string) => {
      calls.push(`remove ${id}`);
      return 1;
    },
    add: async (_name: string, _data: unknown, opts: { jobId: string }) => {
      calls.push(`add ${opts.jobId}`);
    },
  };
  return { queue: queue as unknown as Queue, calls };
}

const due = (jobId: string): DueJob => ({ name: 'work', jobId, data: {}, dueAt: new Date(0) });

describe('job delivery: PostgreSQL says what is due, Redis is told', () => {
  it('queues due work Redis does not hold, replaces work that finished while still due, leaves live jobs alone', async () => {
    const states = { waiting: 'waiting', active: 'active', delayed: 'delayed', done: 'completed', dead: 'failed' };
    const { queue, calls } = fakeQueue(states);
    const jobs = ['lost', ...Object.keys(states)].map(due);
    expect((await requeue(queue, jobs)).map((j) => j.jobId)).toEqual(['lost', 'done', 'dead']);
    expect(calls).toEqual(['add lost', 'remove done', 'add done', 'remove dead', 'add dead']);
    expect((await unqueued(fakeQueue(states).queue, jobs)).map((j) => j.jobId)).toEqual(['lost', 'done', 'dead']);
  });

  it('never keeps a request waiting on a Redis that does not answer', async () => {
    const silent = { addBulk: () => new Promise<never>(() => undefined) } as unknown as Queue;
    const started = Date.now();
    await expect(addSoon(silent, [due('x')], 200)).resolves.toBe('pending');
    expect(Date.now() - started).toBeLessThan(1000);
    const failing = { addBulk: () => Promise.reject(new Error('Connection is closed.')) } as unknown as Queue;
    await expect(addSoon(failing, [due('x')], 200)).resolves.toBe('pending');
    const answering = { addBulk: async () => [] } as unknown as Queue;
    await expect(addSoon(answering, [due('x')])).resolves.toBe('queued');
    await expect(addSoon(silent, [])).resolves.toBe('queued');
  });

  it('tells an outage (database or Redis away) from an error of the work itself', () => {
    expect(isTransientError(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isTransientError({ message: 'x', driverError: { code: '08006' } })).toBe(true);
    expect(isTransientError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isTransientError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isTransientError(new DomainError('BROWSER_UNAVAILABLE', 'ブラウザは停止しています'))).toBe(true);
    expect(isTransientError(new Error('内容が用紙に収まりません'))).toBe(false);
    expect(isTransientError(new DomainError('PAGE_OVERFLOW', '内容が用紙に収まりません'))).toBe(false);
    expect(isTransientError(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isTransientError(undefined)).toBe(false);
  });
});

describe('browsers left by a dead process', () => {
  it('kills a dead owner’s Chromium (its process group), never a live owner’s, never something that is not Chromium', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'renkei-browsers-'));
    const deadOwner = spawnSync('true').pid!;
    const start = (argv0: string) => spawn('sleep', ['30'], { argv0, detached: true, stdio: 'ignore' });
    const orphan = start('chromium-orphan');
    const kept = start('chromium-kept');
    const other = start('not-a-browser');
    writeFileSync(join(dir, `${deadOwner}-${orphan.pid}.json`), '{}');
    writeFileSync(join(dir, `${deadOwner}-${other.pid}.json`), '{}');
    const forget = recordBrowser(kept.pid!, dir); // owned by this (live) process
    const exited = new Promise((resolve) => orphan.once('exit', (_code, signal) => resolve(signal)));
    try {
      await new Promise((r) => setTimeout(r, 100)); // let the argv0 show in /proc
      expect(killOrphanedBrowsers(dir)).toEqual([orphan.pid]);
      await expect(exited).resolves.toBe('SIGKILL');
      expect(kept.exitCode).toBeNull();
      expect(other.exitCode).toBeNull();
      expect(readdirSync(dir)).toEqual([`${process.pid}-${kept.pid}.json`]);
      forget();
      expect(existsSync(join(dir, `${process.pid}-${kept.pid}.json`))).toBe(false);
    } finally {
      for (const child of [orphan, kept, other]) child.kill('SIGKILL');
    }
  });
});
