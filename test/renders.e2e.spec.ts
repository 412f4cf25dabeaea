import { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { FormPdfService } from '../src/rendering/form-pdf.service';
import { RenderProcessor } from '../src/rendering/render.processor';
import { pdfFonts, pdfInfo, pdfText, squeeze } from './support/pdf-tools';
import { createUser } from './support/factories';
import { Agent, TestStack, getPdf, startStack, waitForRender } from './support/test-app';

describe('rendering over HTTP (API → queue → worker → PDF)', () => {
  let stack: TestStack;
  let api: Agent;
  beforeAll(async () => {
    stack = await startStack();
    api = await stack.login((await createUser(stack.app, 'admin')).email);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('lists the five networks with their forms, field schemas and custody rules', async () => {
    const { body } = await api.get('/api/networks').expect(200);
    expect(body.map((n: { id: string }) => n.id)).toEqual(
      expect.arrayContaining(['itabashi', 'minato', 'musashimurayama', 'rurume', 'takarazuka']),
    );
    const rurume = body.find((n: { id: string }) => n.id === 'rurume');
    const pledge = rurume.forms.find((f: { id: string }) => f.id === 'staff-pledge');
    expect(pledge).toMatchObject({
      number: '別紙2',
      title: 'るるめネットにおける情報保持誓約書',
      custody: { originals: ['secretariat'], copies: ['office'], submitted: true },
    });
    expect(pledge.schema.required).toEqual(expect.arrayContaining(['officeName', 'staffName', 'email']));
    expect(pledge.schema.properties.email).toMatchObject({ type: 'string', format: 'email' });
  });

  it('renders a form: 202, then the PDF with the filled values, IPAex fonts embedded, A4', async () => {
    const data = { date: '2026-04-01', officeName: '東久留米訪問看護ステーション', staffName: '佐藤 一郎', email: 'ichiro@example.jp' };
    const created = await api.post('/api/renders').send({ network: 'rurume', form: 'staff-pledge', data }).expect(202);
    expect(created.body).toMatchObject({ status: 'queued', network: 'rurume', form: 'staff-pledge' });

    const done = await waitForRender(api, created.body.id);
    expect(done).toMatchObject({ status: 'done', error: null });
    expect(done.sha256).toMatch(/^[0-9a-f]{64}$/);

    const pdf = await getPdf(api, created.body.pdfUrl);
    const text = squeeze(pdfText(pdf));
    expect(text).toContain('るるめネットにおける情報保持誓約書');
    expect(text).toContain('佐藤一郎');
    expect(text).toContain('ichiro@example.jp');
    expect(text).toContain('西暦2026年4月1日');
    expect(pdfInfo(pdf)).toMatchObject({ pages: 1, pageSize: expect.stringContaining('(A4)') });
    const fonts = pdfFonts(pdf);
    expect(fonts.every((f) => f.embedded && f.type === 'CID TrueType')).toBe(true);
    expect(fonts.map((f) => f.name).join(' ')).toMatch(/IPAexMincho/);
  });

  it('stores a PDF once per content: the same data twice gives the same sha256 and one row', async () => {
    const data = { officeName: '同一内容の事業所', staffName: '同一 太郎', email: 'same@example.jp' };
    const ids = await Promise.all(
      [1, 2].map(async () => (await api.post('/api/renders').send({ network: 'rurume', form: 'staff-pledge', data }).expect(202)).body.id),
    );
    const [a, b] = await Promise.all(ids.map((id) => waitForRender(api, id)));
    expect(a.sha256).toBe(b.sha256);
    const rows = await stack.app.get(DataSource).query('SELECT count(*)::int AS n FROM pdf_blob WHERE sha256 = $1', [a.sha256]);
    expect(rows[0].n).toBe(1);
  });

  it('treats a retried job of a finished render as a no-op: nothing is printed or stored again', async () => {
    const data = { officeName: '再試行の事業所', staffName: '再試行 花子', email: 'retry@example.jp' };
    const created = await api.post('/api/renders').send({ network: 'rurume', form: 'staff-pledge', data }).expect(202);
    const done = await waitForRender(api, created.body.id);
    const printing = jest.spyOn(stack.worker.get(FormPdfService), 'renderForm');
    try {
      const retry = { data: { renderId: created.body.id }, attemptsMade: 1, opts: { attempts: 3 } } as Job;
      await expect(stack.worker.get(RenderProcessor).process(retry)).resolves.toEqual({ sha256: done.sha256 });
      expect(printing).not.toHaveBeenCalled();
    } finally {
      printing.mockRestore();
    }
  });

  it('refuses invalid data with every invalid field, its path and a Japanese message, and stores nothing', async () => {
    const db = stack.app.get(DataSource);
    const before = await db.query('SELECT count(*)::int AS n FROM render_request');
    const { body } = await api
      .post('/api/renders')
      .send({ network: 'rurume', form: 'staff-pledge', data: { staffName: '', email: 'not-an-email', date: '2026-13-01', extra: 'x' } })
      .expect(400);
    expect(body.code).toBe('INVALID_FORM_DATA');
    const byPath = Object.fromEntries(body.errors.map((e: { path: string; message: string }) => [e.path, e.message]));
    expect(Object.keys(byPath).sort()).toEqual(['date', 'email', 'extra', 'officeName', 'staffName']);
    expect(byPath.officeName).toBe('事業所名は必須です');
    expect(byPath.staffName).toBe('利用者名は必須です');
    expect(byPath.email).toMatch(/メールアドレスの形式/);
    expect(byPath.date).toMatch(/日付/);
    const after = await db.query('SELECT count(*)::int AS n FROM render_request');
    expect(after[0].n).toBe(before[0].n);
  });

  it('reports nested paths in lists and groups', async () => {
    const { body } = await api
      .post('/api/renders')
      .send({
        network: 'rurume',
        form: 'staff-change',
        data: {
          members: [
            { name: '山田', email: 'bad', action: '新規' },
            { name: '', gender: '不明' },
          ],
        },
      })
      .expect(400);
    const paths = body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['members[0].email', 'members[1].gender']));
  });

  it('answers 404 naming what exists for an unknown network or form', async () => {
    const network = await api.post('/api/renders').send({ network: 'nowhere', form: 'staff-pledge', data: {} }).expect(404);
    expect(network.body).toMatchObject({ code: 'NETWORK_NOT_FOUND', available: expect.arrayContaining(['rurume', 'minato']) });
    const form = await api.post('/api/renders').send({ network: 'takarazuka', form: 'staff-pledge', data: {} }).expect(404);
    expect(form.body.code).toBe('FORM_NOT_FOUND');
    expect(form.body.available).toEqual(expect.arrayContaining(['patient-consent']));
    await api.get('/api/networks/nowhere').expect(404);
    await api.get('/api/renders/00000000-0000-0000-0000-000000000000').expect(404);
    await api.get('/api/renders/not-a-uuid').expect(404);
  });

  it('refuses to render for someone who has not logged in', async () => {
    const { body } = await stack.http.post('/api/renders').send({ network: 'rurume', form: 'staff-pledge', data: {} }).expect(401);
    expect(body.code).toBe('UNAUTHENTICATED');
    await stack.http.get('/api/networks').expect(200); // the catalogue itself is public
  });

  it('refuses a malformed request body with 400', async () => {
    const { body } = await api.post('/api/renders').send({ network: 3, data: 'x' }).expect(400);
    expect(body.code).toBe('INVALID_REQUEST');
    expect(body.errors.map((e: { path: string }) => e.path)).toEqual(['network', 'form', 'data']);
  });

  it('marks a render that does not fit its sheet as failed, stores no PDF, and says why', async () => {
    // Each value is within its field's limit, but eleven rows of 40-character names cannot fit 別紙3.
    const members = Array.from({ length: 11 }, (_, i) => ({
      name: '長'.repeat(40),
      jobTitle: '職'.repeat(20),
      email: `member${i}@example.jp`,
      action: '新規',
    }));
    const data = { officeName: '事業所', managerName: '管理者', officeAddress: '東久留米市', officePhone: '042-000-0000', members };
    const created = await api.post('/api/renders').send({ network: 'rurume', form: 'staff-change', data }).expect(202);
    const done = await waitForRender(api, created.body.id);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/用紙に収まりません/);
    expect(done.sha256).toBeNull();
    const pdf = await api.get(created.body.pdfUrl).expect(422);
    expect(pdf.body.code).toBe('RENDER_FAILED');
  });

  it('reports database, Redis and the worker’s browser on /health: the status to anyone, each check to an admin', async () => {
    const { body } = await api.get('/health').expect(200);
    expect(body).toMatchObject({ status: 'ok', reasons: [] });
    expect(body.checks.database.status).toBe('up');
    expect(body.checks.redis.status).toBe('up');
    expect(body.checks.workers).toMatchObject({ status: 'up' });
    // The headless shell by default (the full browser says Chrome/…): the worker's printer of src/config/env.ts.
    expect(body.checks.workers.detail.workers[0].version).toMatch(process.env.CHROMIUM_PATH ? /Chrome\/\d+/ : /^HeadlessChrome\/\d+/);
    expect((await stack.http.get('/health').expect(200)).body).toEqual({ status: 'ok', reasons: [] });
    expect((await stack.http.get('/health/live').expect(200)).body).toEqual({ status: 'ok' });
  });

  it('serves the OpenAPI document', async () => {
    const { body } = await api.get('/api/docs-json').expect(200);
    expect(Object.keys(body.paths)).toEqual(expect.arrayContaining(['/api/networks', '/api/renders', '/api/renders/{id}/pdf', '/health']));
    await api.get('/api/docs').expect(200);
  });
});
