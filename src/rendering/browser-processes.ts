import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../common/project-root';

/**
 * Which Chromium belongs to which process, one file per browser in var/run/chromium (`<owner pid>-<browser
 * pid>.json`). Chromium runs in its own process group and talks to its owner over a pipe, so it exits when
 * the owner dies; these files catch what is left anyway (a hung browser): the supervisor (scripts/start-all.mjs)
 * kills a dead worker's browser at once, and every process that starts browsers kills those of dead owners.
 */
export const BROWSER_RUN_DIR = join(projectRoot(), 'var', 'run', 'chromium');

export function recordBrowser(browserPid: number, dir = BROWSER_RUN_DIR): () => void {
  const file = join(dir, `${process.pid}-${browserPid}.json`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, JSON.stringify({ owner: process.pid, browser: browserPid, at: new Date().toISOString() }));
  } catch {
    return () => undefined; // a read-only checkout: the pipe still ends the browser with its owner
  }
  return () => rmSync(file, { force: true });
}

/** Kills the browsers whose owner is gone (their whole process group); returns their pids. */
export function killOrphanedBrowsers(dir = BROWSER_RUN_DIR): number[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  const killed: number[] = [];
  for (const file of files) {
    const [owner, browser] = file.replace('.json', '').split('-').map(Number);
    if (!Number.isInteger(owner) || !Number.isInteger(browser) || alive(owner)) continue;
    if (alive(browser) && isChromium(browser)) {
      killGroup(browser);
      killed.push(browser);
    }
    rmSync(join(dir, file), { force: true });
  }
  return killed;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A pid reused by something else must not be killed: only a process that is Chromium. */
function isChromium(pid: number): boolean {
  try {
    return /chrom/i.test(readFileSync(`/proc/${pid}/cmdline`, 'latin1'));
  } catch {
    return false;
  }
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}
