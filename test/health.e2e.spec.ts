import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { JOB_IDS, RENDER_QUEUE } from '../src/common/queues';
import { createOfficeWithManager, createUser } from './support/factories';
import { TestStack, startStack } from './support/test-app';

describe('/health tells the truth: degraded, with the reason, when work is stuck', () => {
  let stack: TestStack;
  let db: DataSource;
  beforeAll(async () => {
    // No worker: nothing processes what is queued, and no heartbeat is published.
    stack = await startStack({ STUCK_MINUTES: '5', SWEEP_SECONDS: '60' }, { worker: false });
    db = stack.app.get(DataSource);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('says degraded without a live worker; the public sees the reasons only, an admin each check', async () => {
    const open = await stack.http.get('/health').expect(503);
    expect(open.body.status).toBe('degraded');
    expect(open.body.reasons).toContain('no_worker');
    expect(Object.keys(open.body)).toEqual(['status', 'reasons']);
    const { office, manager } = await createOfficeWithManager(stack.app, 'rurume');
    void office;
    const clerk = await stack.login(manager.email);
    expect(Object.keys((await clerk.get('/health').expect(503)).body)).toEqual(['status', 'reasons']);
    const admin = await stack.login((await createUser(stack.app, 'admin')).email);
    const { body } = await admin.get('/health').expect(503);
    expect(body.checks.database.status).toBe('up');
    expect(body.checks.redis.status).toBe('up');
    expect(body.checks.workers).toMatchObject({ status: 'down', detail: expect.stringContaining('no worker') });
    await stack.http.get('/health/live').expect(200);
  });

  it('names a batch that has not moved for STUCK_MINUTES, and work due a sweep ago that is not queued', async () => {
    const { manager } = await createOfficeWithManager(stack.app, 'rurume');
    const api = await stack.login(manager.email);
    const csv = Buffer.from('メールアドレス,氏名,職種\r\nstuck@example.jp,停滞 一郎,看護師\r\n');
    const batch = await api.post('/api/batches').attach('file', csv, 'stuck.csv').expect(202);
    const admin = await stack.login((await createUser(stack.app, 'admin')).email);
    const before = (await admin.get('/health')).body;
    expect(before.checks.batches.detail?.batches?.map((b: { id: string }) => b.id) ?? []).not.toContain(batch.body.id);

    await db.query(`UPDATE batch SET progress_at = now() - interval '6 minutes' WHERE id = $1`, [batch.body.id]);
    const stuck = (await admin.get('/health').expect(503)).body;
    expect(stuck.reasons).toContain('batch_stuck');
    expect(stuck.checks.batches.detail.batches.map((b: { id: string }) => b.id)).toContain(batch.body.id);

    // A render queued long ago whose job Redis lost: due, not queued, and the sweeper has had its chance.
    const render = await api
      .post('/api/renders')
      .send({ network: 'rurume', form: 'staff-pledge', data: { officeName: '停滞', staffName: '停滞 二郎', email: 'jiro@example.jp' } })
      .expect(202);
    const queue = stack.app.get<Queue>(getQueueToken(RENDER_QUEUE));
    expect(await queue.getJobState(JOB_IDS.render(render.body.id))).toBe('waiting');
    await db.query(`UPDATE render_request SET created_at = now() - interval '1 hour' WHERE id = $1`, [render.body.id]);
    expect((await admin.get('/health')).body.checks.queues.detail?.render).toBeUndefined(); // queued: only waiting for a worker
    await queue.remove(JOB_IDS.render(render.body.id));
    const lost = (await admin.get('/health').expect(503)).body;
    expect(lost.reasons).toContain('work_unqueued');
    expect(lost.checks.queues.detail.render.oldest).toContain(JOB_IDS.render(render.body.id));
    expect((await stack.http.get('/health').expect(503)).body.reasons).toEqual(expect.arrayContaining(['batch_stuck', 'work_unqueued']));
  });
});
