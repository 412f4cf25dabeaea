import { spawn } from 'node:child_process';
import { createServer, Server, Socket } from 'node:net';
import { join } from 'node:path';
import { projectRoot } from '../src/common/project-root';
import { dropDatabase } from '../src/database/database.setup';

/**
 * Runs the compiled database step of `npm start` as `npm start` does, and collects what it printed. A step
 * that waits for Redis never ends: it is stopped after a minute and its exit code is then null.
 */
function setupDatabase(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(projectRoot(), 'dist', 'src', 'cli', 'setup-database.cli.js')], {
      cwd: projectRoot(),
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the database step of `npm start` (migrate, seed networks and demo data)', () => {
  const databaseUrl = new URL(process.env.DATABASE_URL!);
  databaseUrl.pathname = `${databaseUrl.pathname}_setup`;
  // Stands where Redis would be: any connection the step opened would be counted here.
  let redis: Server;
  const connections: Socket[] = [];
  beforeAll(async () => {
    redis = createServer((socket) => {
      connections.push(socket);
      socket.destroy();
    });
    await new Promise<void>((resolve) => redis.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => redis?.close(resolve));
    await dropDatabase(databaseUrl.toString());
  });

  it('runs twice on a fresh database, the second time with the demo present, and never touches Redis', async () => {
    const port = (redis.address() as { port: number }).port;
    const env = { DATABASE_URL: databaseUrl.toString(), REDIS_URL: `redis://127.0.0.1:${port}`, NODE_ENV: 'development' };

    const first = await setupDatabase(env);
    expect(first.stderr).not.toContain('Connection is closed');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/created database .*_setup; applied .*; seeded \d+ networks and a demo office; demo data seeded/);

    const second = await setupDatabase(env);
    expect(second.stderr).not.toContain('Connection is closed');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/exists; no pending migrations; .*demo data already present/);

    expect(connections).toHaveLength(0);
  }, 150_000);
});
