#!/usr/bin/env node
// Starts the API and the worker side by side (what docker-compose runs as two services), prints where
// to go, and stops both when either stops or on Ctrl-C.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const port = process.env.PORT || '3000';
const url = process.env.PUBLIC_URL || `http://localhost:${port}`;
const children = ['main', 'worker'].map((name) => {
  const child = spawn(process.execPath, [join(root, 'dist', 'src', `${name}.js`)], { stdio: 'inherit', cwd: root });
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`[start] ${name === 'main' ? 'API' : 'worker'} stopped (${signal ?? `exit ${code}`}); stopping the other`);
    stop(code || 1);
  });
  return child;
});
let stopping = false;
function stop(code) {
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 3000).unref();
  Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.once('exit', r))))).then(() => process.exit(code));
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

setTimeout(() => {
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
  Stop with Ctrl-C.
`);
}, 2500).unref();
