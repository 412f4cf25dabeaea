import { INestApplication, INestApplicationContext } from '@nestjs/common';
import request from 'supertest';
import { AppModule } from '../../src/app.module';
import { createHttpApp } from '../../src/app.setup';
import { JOB_IDS, RENDER_QUEUE } from '../../src/common/queues';
import { WorkerModule } from '../../src/worker.module';
import { createWorker } from '../../src/worker.setup';
import { ensureTestDatabase } from './database';
import { closeJobWaits, jobSettled } from './jobs';

export type Agent = ReturnType<typeof request.agent>;

export interface TestStack {
  app: INestApplication;
  /** The in-process worker (null when a test runs workers as separate processes). */
  worker: INestApplicationContext;
  /** Without a session. */
  http: ReturnType<typeof request>;
  /** A client logged in as this user (cookie session, as a browser). */
  login(email: string, password?: string): Promise<Agent>;
  close(): Promise<void>;
}

export const TEST_PASSWORD = 'test-pass-2026';

/**
 * The API and the worker as they run in production, in this process, against the run's own database
 * and Redis prefix (see global-setup). `env` overrides variables for this stack only (e.g. TEMPLATES_DIR).
 */
export async function startStack(env: Record<string, string> = {}, options: { worker: boolean } = { worker: true }): Promise<TestStack> {
  await ensureTestDatabase();
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    // The API and the worker boot side by side: Chromium, Postgres and Redis connections open in parallel.
    const [api, background] = await Promise.allSettled([
      createHttpApp(AppModule, { bufferLogs: true, abortOnError: false }).then(async (created) => {
        await created.init();
        await created.getHttpAdapter().getInstance().ready();
        return created;
      }),
      options.worker ? createWorker(WorkerModule, { bufferLogs: true, abortOnError: false }) : null,
    ]);
    if (api.status === 'rejected' || background.status === 'rejected') {
      await Promise.all([api, background].map((booted) => (booted.status === 'fulfilled' ? booted.value?.close() : undefined)));
      throw api.status === 'rejected' ? api.reason : (background as PromiseRejectedResult).reason;
    }
    const app = api.value;
    const worker = background.value;
    return {
      app,
      worker: worker as INestApplicationContext,
      http: request(app.getHttpServer()),
      async login(email: string, password = TEST_PASSWORD) {
        const agent = request.agent(app.getHttpServer());
        await agent.post('/api/auth/login').send({ email, password }).expect(200);
        // A cookie session changes things only with its CSRF token, as the pages' scripts send it.
        return withCsrfHeader(agent);
      },
      async close() {
        await closeJobWaits();
        await worker?.close();
        await app.close();
      },
    };
  } finally {
    process.env = saved;
  }
}

/** Sends this browser's CSRF token (GET /api/auth/csrf) with every later request of the agent. */
export async function withCsrfHeader(agent: Agent): Promise<Agent> {
  const { csrfToken } = (await agent.get('/api/auth/csrf').expect(200)).body as { csrfToken: string };
  agent.set('X-CSRF-Token', csrfToken);
  return agent;
}

/** The CSRF token a page carries (in each posted form, and in its meta tag): what a browser submits with a form. */
export function formToken(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html) ?? /<meta name="csrf-token" content="([^"]+)">/.exec(html);
  if (!match) throw new Error('the page carries no CSRF token');
  return match[1];
}

/** Waits until the worker has finished a render (on the job's completion, not by polling), and returns its status. */
export async function waitForRender(
  http: TestStack['http'] | Agent,
  id: string,
  timeoutMs = 30_000,
): Promise<{ status: string; error: string | null; sha256: string | null }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await http.get(`/api/renders/${id}`).expect(200);
    if (response.body.status !== 'queued') return response.body;
    if (Date.now() > deadline) throw new Error(`render ${id} still queued after ${timeoutMs} ms`);
    // A retried attempt or a missing job comes back here: the API's answer is what counts.
    await jobSettled(RENDER_QUEUE, JOB_IDS.render(id), Math.max(deadline - Date.now(), 1));
  }
}

export async function getPdf(http: TestStack['http'] | Agent, url: string): Promise<Buffer> {
  const response = await http
    .get(url)
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    })
    .expect(200)
    .expect('Content-Type', /application\/pdf/);
  return response.body as Buffer;
}
