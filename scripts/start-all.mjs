#!/usr/bin/env node
// Starts the API and the worker side by side (what docker-compose runs as two services) and supervises
// them: one that dies is started again after a back-off (1 s, 2 s, 4 s … 30 s), while the other keeps
// running, so the families' signing pages stay up when the worker dies. A dead worker's Chromium is killed
// at once (it normally exits with it). Ctrl-C or SIGTERM stops both. A process that cannot start at all
// (a bad setting, a port in use) stops everything with its message instead of looping.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const port = process.env.PORT || '3000';
const url = process.env.PUBLIC_URL || `http://localhost:${port}`;
const browsers = join(root, 'var', 'run', 'chromium');
/** Up this long, a process counts as started: from then on it is restarted whenever it dies. */
const STARTED_AFTER_MS = 10_000;
/** Up this long, its next death starts the back-off from 1 s again. */
const STEADY_AFTER_MS = 60_000;
const MAX_BACKOFF_MS = 30_000;
const STOP_GRACE_MS = 15_000;

const say = (message) => console.log(`[start] ${message}`);
const services = [
  { name: 'API', script: 'main.js', child: null, startedAt: 0, everUp: false, failures: 0, timer: null },
  { name: 'worker', script: 'worker.js', child: null, startedAt: 0, everUp: false, failures: 0, timer: null },
];
let stopping = false;

function start(service) {
  service.timer = null;
  if (stopping) return;
  const child = spawn(process.execPath, [join(root, 'dist', 'src', service.script)], { stdio: 'inherit', cwd: root });
  service.child = child;
  service.startedAt = Date.now();
  say(`${service.name} running (pid ${child.pid})`);
  const upTimer = setTimeout(() => (service.everUp = true), STARTED_AFTER_MS);
  upTimer.unref();
  child.on('error', (error) => say(`${service.name} could not be started: ${error.message}`));
  child.on('exit', (code, signal) => {
    clearTimeout(upTimer);
    service.child = null;
    killBrowsersOf(child.pid);
    if (stopping) return;
    const how = signal ?? `exit ${code}`;
    const ranMs = Date.now() - service.startedAt;
    if (!service.everUp && ranMs < STARTED_AFTER_MS) {
      console.error(`[start] ${service.name} could not start (${how}); stopping`);
      return stop(code || 1);
    }
    service.failures = ranMs >= STEADY_AFTER_MS ? 0 : service.failures + 1;
    const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** service.failures);
    const other = services.find((s) => s !== service);
    console.error(`[start] ${service.name} stopped (${how}); starting it again in ${delay / 1000} s, the ${other.name} keeps running`);
    service.timer = setTimeout(() => start(service), delay);
  });
}

/** The Chromium a dead process left (recorded by the worker in var/run/chromium): its whole process group. */
function killBrowsersOf(ownerPid) {
  let files = [];
  try {
    files = readdirSync(browsers).filter((f) => f.startsWith(`${ownerPid}-`) && f.endsWith('.json'));
  } catch {
    return;
  }
  for (const file of files) {
    const browserPid = Number(file.slice(`${ownerPid}-`.length, -'.json'.length));
    let chromium = false;
    try {
      chromium = /chrom/i.test(readFileSync(`/proc/${browserPid}/cmdline`, 'latin1'));
    } catch {
      /* gone already */
    }
    if (chromium) {
      for (const target of [-browserPid, browserPid]) {
        try {
          process.kill(target, 'SIGKILL');
          say(`killed the Chromium (pid ${browserPid}) left by pid ${ownerPid}`);
          break;
        } catch {
          /* try the process itself */
        }
      }
    }
    rmSync(join(browsers, file), { force: true });
  }
}

function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const service of services) if (service.timer) clearTimeout(service.timer);
  const running = services.filter((s) => s.child);
  for (const service of running) service.child.kill('SIGTERM');
  // The worker finishes its current jobs first; past the grace they are cut (and resume on the next start).
  const force = setTimeout(() => {
    for (const service of running) service.child?.kill('SIGKILL');
  }, STOP_GRACE_MS);
  force.unref();
  Promise.all(running.map((s) => new Promise((resolve) => (s.child ? s.child.once('exit', resolve) : resolve())))).then(() =>
    process.exit(code),
  );
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

for (const service of services) start(service);

setTimeout(() => {
  if (stopping) return;
  console.log(`
  renkei-forms is running
    Web UI:   ${url}/
    API docs: ${url}/api/docs
    Health:   ${url}/health
    Demo log-ins (password renkei-demo-2026), るるめネット:
      事務局 (secretariat)      jimukyoku@demo.example.jp
      事業所管理者 (office)     manager@demo.example.jp
      事業所職員 (office staff) staff@demo.example.jp
      システム管理者 (admin)    admin@demo.example.jp
  A worker or API that stops is started again; stop both with Ctrl-C.
`);
}, 2500).unref();
