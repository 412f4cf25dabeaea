import { DataSource } from 'typeorm';
import { DashboardsRepository } from '../src/dashboards/dashboards.repository';
import { SecretariatDashboardService } from '../src/dashboards/secretariat-dashboard.service';
import { createOfficeWithManager, createUser, unique } from './support/factories';
import { Agent, TestStack, startStack } from './support/test-app';

interface Row {
  officeId: string;
  officeName: string;
  formId: string;
  subject: { type: string; id: string | null; name: string };
  status: string;
  overdue: boolean;
}

/** The 事務局's pages at any size: filtered, paged and counted by the database, the CSV streamed. */
describe('事務局 matrix: paging, filters, totals, streamed CSV', () => {
  let stack: TestStack;
  let jimukyoku: Agent;
  let tag: string;
  let postedCode: string;
  const offices: Array<{ id: string; name: string }> = [];

  beforeAll(async () => {
    stack = await startStack({}, { worker: false });
    jimukyoku = await stack.login((await createUser(stack.app, 'secretariat', { networkId: 'rurume' })).email);
    // Three offices whose names share a tag: 0, 1 and 2 staff; the first office's pledge issued, then signed and posted.
    tag = unique('規模');
    for (let i = 0; i < 3; i++) {
      const { office, manager } = await createOfficeWithManager(stack.app, 'rurume');
      const name = `${tag}事業所${i}`;
      await stack.app.get(DataSource).query(`UPDATE office SET name = $2 WHERE id = $1`, [office.id, name]);
      offices.push({ id: office.id, name });
      const api = await stack.login(manager.email);
      for (let s = 0; s < i; s++)
        await api
          .post('/api/staff')
          .send({ name: `規模 職員${i}-${s}` })
          .expect(201);
      if (i === 0) {
        const doc = await api.post('/api/documents').send({ form: 'office-pledge' }).expect(201);
        const issued = await api.post(`/api/documents/${doc.body.id}/issue`).expect(201);
        const original = issued.body.exemplars.find((e: { kind: string }) => e.kind === 'original');
        await api.post(`/api/documents/${doc.body.id}/paper-signature`).expect(201);
        await api.post(`/api/exemplars/${original.code}/events`).send({ type: 'mailed' }).expect(201);
        postedCode = original.code;
      }
    }
  });
  afterAll(() => stack?.close());

  it('pages the requirements: the pages joined are the whole list, in order, with the total and the next page', async () => {
    const whole = (await jimukyoku.get(`/api/dashboard/secretariat?q=${encodeURIComponent(tag)}&limit=500`).expect(200)).body;
    // office pledge for each office, and one staff pledge per member: 3 + (0 + 1 + 2).
    expect(whole.total).toBe(6);
    expect(whole.requirements.map((r: Row) => r.officeName)).toEqual([0, 1, 1, 2, 2, 2].map((i) => offices[i].name));
    const paged: Row[] = [];
    for (let page = 1; page <= 3; page++) {
      const { body } = await jimukyoku.get(`/api/dashboard/secretariat?q=${encodeURIComponent(tag)}&limit=2&page=${page}`).expect(200);
      expect(body).toMatchObject({ total: 6, page, limit: 2, next: page < 3 ? page + 1 : null });
      paged.push(...body.requirements);
    }
    expect(paged).toEqual(whole.requirements);
    const beyond = (await jimukyoku.get(`/api/dashboard/secretariat?q=${encodeURIComponent(tag)}&limit=2&page=9`).expect(200)).body;
    expect(beyond).toMatchObject({ total: 6, requirements: [], next: null });
  });

  it('refuses a page larger than the documented maximum, and nonsense paging, by field', async () => {
    const bad = await jimukyoku.get('/api/dashboard/secretariat?limit=501&page=0&officeLimit=abc').expect(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['limit', 'officeLimit', 'page']);
    const spec = (await stack.login((await createUser(stack.app, 'admin')).email)).get('/api/docs-json');
    const parameters = ((await spec).body.paths?.['/api/dashboard/secretariat']?.get?.parameters ?? []) as Array<{
      name: string;
      schema: { maximum?: number };
    }>;
    expect(parameters.find((p) => p.name === 'limit')?.schema.maximum).toBe(500);
    expect(parameters.find((p) => p.name === 'officeLimit')?.schema.maximum).toBe(500);
  });

  it('filters in the database: office text, status, form, overdue; the summary counts what the filter keeps', async () => {
    const q = encodeURIComponent(tag);
    const inTransit = (await jimukyoku.get(`/api/dashboard/secretariat?q=${q}&status=in_transit`).expect(200)).body;
    expect(inTransit.requirements).toEqual([
      expect.objectContaining({ officeId: offices[0].id, formId: 'office-pledge', status: 'in_transit', overdue: false }),
    ]);
    expect(inTransit.summary).toMatchObject({ offices: 1, total: 1, counts: expect.objectContaining({ in_transit: 1, missing: 0 }) });

    const pledges = (await jimukyoku.get(`/api/dashboard/secretariat?q=${q}&form=staff-pledge`).expect(200)).body;
    expect(pledges.total).toBe(3);
    expect(pledges.requirements.every((r: Row) => r.subject.type === 'staff' && r.status === 'missing')).toBe(true);

    const one = (await jimukyoku.get(`/api/dashboard/secretariat?q=${encodeURIComponent(offices[2].name)}`).expect(200)).body;
    expect(new Set(one.requirements.map((r: Row) => r.officeId))).toEqual(new Set([offices[2].id]));
    expect(one.summary).toMatchObject({
      offices: 1,
      officesOwing: 1,
      officesOverdue: 0,
      total: 3,
      counts: expect.objectContaining({ missing: 3 }),
    });

    expect((await jimukyoku.get(`/api/dashboard/secretariat?q=${q}&overdue=1`).expect(200)).body).toMatchObject({
      total: 0,
      requirements: [],
    });

    const all = (await jimukyoku.get(`/api/dashboard/secretariat?q=${q}&limit=500`).expect(200)).body;
    // The first office's one requirement is in the post: it owes nothing.
    expect(all.summary).toMatchObject({
      offices: 3,
      officesOwing: 2,
      total: 6,
      counts: expect.objectContaining({ missing: 5, in_transit: 1 }),
    });
  });

  it('pages the matrix by office, with the offices on the page counted', async () => {
    const q = encodeURIComponent(tag);
    const names: string[] = [];
    for (let page = 1; page <= 3; page++) {
      const { body } = await jimukyoku.get(`/api/dashboard/secretariat?q=${q}&officeLimit=1&officePage=${page}`).expect(200);
      expect(body.matrix).toMatchObject({ total: 3, page, limit: 1 });
      expect(body.matrix.rows).toHaveLength(1);
      expect(body.offices).toEqual([expect.objectContaining({ officeId: body.matrix.rows[0].officeId })]);
      names.push(body.matrix.rows[0].officeName);
    }
    expect(names).toEqual(offices.map((o) => o.name));
    const last = (await jimukyoku.get(`/api/dashboard/secretariat?q=${q}&officeLimit=1&officePage=3`).expect(200)).body;
    expect(last.offices[0]).toMatchObject({ total: 3, received: 0, counts: expect.objectContaining({ missing: 3 }) });
    expect(last.matrix.rows[0]).toMatchObject({ owed: 3, overdue: 0 });
    expect(last.matrix.rows[0].cells[1].label).toBe('2名中 0名受領');
  });

  it('streams the CSV through a cursor, a batch at a time: every row once, in the matrix order, whatever the batch size', async () => {
    const dashboard = stack.app.get(SecretariatDashboardService);
    const whole = (await jimukyoku.get(`/api/dashboard/secretariat?limit=500`).expect(200)).body;
    const repository = stack.app.get(DashboardsRepository);
    const query = dashboard['query']('rurume', {});
    const batches: string[][] = [];
    for await (const batch of repository.eachRequirement(query, 2))
      batches.push(batch.map((r) => `${r.officeId}/${r.formId}/${r.subjectId}`));
    expect(batches.every((b) => b.length <= 2)).toBe(true);
    const keys = batches.flat();
    expect(new Set(keys).size).toBe(keys.length);
    if (whole.total <= 500) expect(keys).toEqual(whole.requirements.map((r: Row) => `${r.officeId}/${r.formId}/${r.subject.id}`));

    const csv = await jimukyoku.get(`/api/dashboard/secretariat.csv?q=${encodeURIComponent(tag)}`).expect(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.headers['content-length']).toBeUndefined(); // streamed, not buffered
    const lines = csv.text.replace(/\r\n$/, '').split('\r\n');
    expect(lines[0]).toBe('\uFEFF"事業所","対象","様式","状態","日付","期限超過","書類番号"');
    expect(lines).toHaveLength(1 + 6);
    expect(lines[1]).toContain(`"${offices[0].name}"`);
    expect(lines[1]).toContain('"原本郵送中"');
  });

  it('the page: the summary first, the matrix and the list a page at a time with links to the next', async () => {
    const html = (await jimukyoku.get(`/secretariat?q=${encodeURIComponent(tag)}&officeLimit=2&limit=4`).expect(200)).text;
    expect(html.indexOf('id="summary"')).toBeLessThan(html.indexOf('id="offices-matrix"'));
    expect(html).toMatch(/<p id="summary">3事業所のうち、未提出のある事業所 <strong>2<\/strong>、期限超過のある事業所 <strong>0<\/strong>/);
    expect(html).toContain('3件中 1〜2件目（1 / 2 ページ）');
    expect(html).toContain('6件中 1〜4件目（1 / 2 ページ）');
    expect(html).toContain(`officePage&#x3D;2`);
    const rows = html.match(/<tr data-office=/g) ?? [];
    expect(rows).toHaveLength(2);
    const bad = await jimukyoku.get('/secretariat?limit=9999');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('件数');
  });

  it('after a receipt, 提出状況へ戻る opens the matrix at the office whose sheet it was', async () => {
    const page = await jimukyoku.post('/secretariat/receipt').type('form').send({ code: postedCode }).expect(200);
    expect(page.text).toContain('「受領」として記録しました');
    expect(page.text).toContain(`<a href="/secretariat?office=${offices[0].id}">提出状況へ戻る</a>`);
    const matrix = (await jimukyoku.get(`/secretariat?office=${offices[0].id}`).expect(200)).text;
    expect(matrix.match(/<tr data-office=/g)).toHaveLength(1);
    expect(matrix).toContain('<span class="state state-received">');
  });

  it('the registration desk shows 50 lines a page, oldest first, and counts them all', async () => {
    const { manager } = await createOfficeWithManager(stack.app, 'rurume');
    const api = await stack.login(manager.email);
    for (let s = 0; s < 51; s++)
      await api
        .post('/api/staff')
        .send({ name: `窓口 職員${String(s).padStart(2, '0')}` })
        .expect(201);
    const first = (await jimukyoku.get('/secretariat/registrations').expect(200)).text;
    const total = Number(/(\d+)件中 1〜50件目/.exec(first)?.[1]);
    expect(total).toBeGreaterThanOrEqual(51);
    expect(first.match(/<tr data-line=/g)).toHaveLength(50);
    const lastPage = Math.ceil(total / 50);
    const last = (await jimukyoku.get(`/secretariat/registrations?status=open&page=${lastPage}`).expect(200)).text;
    expect(last).toContain('窓口 職員50'); // the newest is on the last page, not silently dropped
    expect(last).toContain('rel="prev"');
  });
});
