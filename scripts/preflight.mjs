#!/usr/bin/env node
// Preflight for `npm start`, `npm test`, `npm run render` and `npm run bench`: installs what is missing
// and says exactly what to do when it cannot. Plain Node with no dependencies, since it runs before
// `npm ci`. Flags: --no-services (skip the Postgres/Redis check: the CLI and the benchmarks need neither).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const APT_PACKAGES = ['chromium-headless-shell', 'chromium', 'poppler-utils', 'fonts-ipaexfont', 'qpdf'];
const say = (message) => console.log(`[preflight] ${message}`);
const fail = (message) => {
  console.error(`[preflight] ${message}`);
  process.exit(1);
};
const run = (command, commandArgs, options = {}) => {
  const result = spawnSync(command, commandArgs, { stdio: 'inherit', cwd: root, ...options });
  if (result.status !== 0) fail(`${command} ${commandArgs.join(' ')} failed (exit ${result.status})`);
};

// 1. Node
const [major] = process.versions.node.split('.').map(Number);
if (major < 20) fail(`Node.js 20 or newer is needed (this is ${process.version})`);

// 2. npm packages: npm ci when node_modules is missing or older than the lock file.
const installed = join(root, 'node_modules', '.package-lock.json');
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(join(root, 'package-lock.json')).mtimeMs) {
  say('installing npm packages (npm ci)…');
  run('npm', ['ci', '--no-audit', '--no-fund'], { env: { ...process.env, PUPPETEER_SKIP_DOWNLOAD: '1' } });
}

// 3. System packages: the worker's Chromium (headless shell, src/config/env.ts), the full Chromium the browser
// tests drive, poppler (pdftotext & co, used by tests), IPAex fonts, qpdf.
const printer = process.env.CHROMIUM_PATH || '/usr/lib/chromium/chromium-headless-shell';
const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
const fonts = () => {
  try {
    return execFileSync('fc-list', [':', 'family'], { encoding: 'utf8' });
  } catch {
    return '';
  }
};
const missing = () => {
  const list = [];
  if (!existsSync(printer)) list.push('chromium-headless-shell');
  if (!existsSync('/usr/bin/chromium')) list.push('chromium');
  if (!['pdftotext', 'pdffonts', 'pdfinfo', 'pdftoppm', 'pdfsig'].every(has)) list.push('poppler-utils');
  const families = fonts();
  if (!families.includes('IPAexMincho') || !families.includes('IPAexGothic')) list.push('fonts-ipaexfont');
  if (!has('qpdf')) list.push('qpdf');
  return list;
};
let lacking = missing();
if (lacking.length > 0) {
  const command = `apt-get update && apt-get install -y ${APT_PACKAGES.join(' ')}`;
  if (process.getuid?.() !== 0) fail(`missing system packages (${lacking.join(', ')}). Run as root:\n  sudo sh -c '${command}'`);
  say(`installing system packages: ${lacking.join(', ')}…`);
  run('sh', ['-c', `DEBIAN_FRONTEND=noninteractive ${command} >/tmp/renkei-apt.log 2>&1 || (tail -20 /tmp/renkei-apt.log; exit 1)`]);
  lacking = missing();
  if (lacking.length > 0) fail(`still missing after apt-get: ${lacking.join(', ')}`);
}

// 4. Build (incremental, so a second run is quick).
const newest = (dir) =>
  readdirSync(dir, { withFileTypes: true }).reduce((max, entry) => {
    const path = join(dir, entry.name);
    return Math.max(max, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }, 0);
const builtAt = existsSync(join(root, 'dist', '.tsbuildinfo')) ? statSync(join(root, 'dist', '.tsbuildinfo')).mtimeMs : 0;
const sourcesAt = Math.max(newest(join(root, 'src')), newest(join(root, 'bench')), statSync(join(root, 'tsconfig.json')).mtimeMs);
if (sourcesAt > builtAt) {
  say('compiling TypeScript…');
  run(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json']);
}

// 5. Postgres and Redis must answer (they are services of the machine, not of this project).
if (!args.has('--no-services')) {
  const reachable = (url, defaultPort) =>
    new Promise((resolve) => {
      const { hostname, port } = new URL(url);
      const socket = connect({ host: hostname, port: Number(port || defaultPort), timeout: 3000 });
      socket.once('connect', () => (socket.end(), resolve(true)));
      socket.once('error', () => resolve(false));
      socket.once('timeout', () => (socket.destroy(), resolve(false)));
    });
  const databaseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/renkei';
  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  if (!(await reachable(databaseUrl, 5432))) {
    fail(`PostgreSQL does not answer at ${new URL(databaseUrl).host}. Start it (Debian: pg_ctlcluster 15 main start) or set DATABASE_URL.`);
  }
  if (!(await reachable(redisUrl, 6379))) {
    fail(`Redis does not answer at ${new URL(redisUrl).host}. Start it (Debian: redis-server --daemonize yes) or set REDIS_URL.`);
  }
}
say('ready');
