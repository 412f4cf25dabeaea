import { DataSource } from 'typeorm';
import { createOfficeWithManager, createUser } from './support/factories';
import { TestSmtp, linkIn, startSmtp } from './support/smtp';
import { Agent, TestStack, startStack } from './support/test-app';

/**
 * Absent and oddly typed fields, sent to the signing, custody and batch endpoints as an attacker would: every
 * answer is a 4xx with a Japanese message (JSON for /api, a page otherwise), never a 500.
 */

const ODD_VALUES: unknown[] = [
  null,
  0,
  -1,
  1e308,
  true,
  false,
  '',
  ' ',
  'x'.repeat(100_000),
  '\u0000',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  [],
  [1, 2],
  [{}],
  {},
  { $gt: '' },
  { __proto__: { admin: true } },
  { constructor: { prototype: { polluted: true } } },
  Array.from({ length: 2000 }, () => ({ role: 'family1' })),
];

/** Whole bodies that are not the object an endpoint expects. */
const ODD_BODIES: Array<{ raw: string; type: string }> = [
  { raw: 'null', type: 'application/json' },
  { raw: '[]', type: 'application/json' },
  { raw: '"text"', type: 'application/json' },
  { raw: '42', type: 'application/json' },
  { raw: '{"unterminated": ', type: 'application/json' },
  { raw: '{"__proto__": {"admin": true}, "constructor": {"prototype": {"x": 1}}}', type: 'application/json' },
  { raw: 'a[b][c][d][e][f][g][h][i][j][k]=1&a[0]=2', type: 'application/x-www-form-urlencoded' },
  { raw: 'signers[0][role][0]=x&signers[999999]=1&type[]=mailed&code[a]=1', type: 'application/x-www-form-urlencoded' },
  { raw: 'just text', type: 'text/plain' },
  { raw: '<xml/>', type: 'application/xml' },
];

interface Endpoint {
  path: string;
  fields: string[];
  /** Whether it answers with pages (HTML) rather than JSON. */
  page?: boolean;
}

describe('attack run: absent or oddly typed fields answer 400, never 500', () => {
  let stack: TestStack;
  let smtp: TestSmtp;
  let office: Agent;
  let jimukyoku: Agent;
  let endpoints: Array<Endpoint & { as: Agent | null }>;
  const failures: string[] = [];

  beforeAll(async () => {
    smtp = await startSmtp();
    stack = await startStack({ SMTP_URL: smtp.url });
    office = await stack.login((await createOfficeWithManager(stack.app, 'rurume')).manager.email);
    jimukyoku = await stack.login((await createUser(stack.app, 'secretariat', { networkId: 'rurume' })).email);
    const patient = await office.post('/api/patients').send({ name: '攻撃 ハル', family: [{ name: '攻撃 健太', relation: '長男' }] });
    const consent = await office.post('/api/documents').send({ form: 'patient-consent', subjectId: patient.body.id }).expect(201);
    const issued = await office.post(`/api/documents/${consent.body.id}/issue`).expect(201);
    const { body: req } = await office
      .post(`/api/documents/${consent.body.id}/signing`)
      .send({
        signers: [
          { role: 'family1', name: '攻撃 健太', relation: '長男', method: 'email', email: 'fuzz@example.jp', accessCode: '1234' },
          { role: 'explainer', name: '説明 看護師', method: 'in_person' },
        ],
      })
      .expect(201);
    const link = linkIn(await smtp.waitFor((m) => m.to === 'fuzz@example.jp'), '/sign/');
    const explainer = req.signers.find((s: { role: string }) => s.role === 'explainer').id;
    const pledge = await office.post('/api/documents').send({ form: 'office-pledge' }).expect(201);
    const bound = (await office.post(`/api/documents/${pledge.body.id}/issue`).expect(201)).body.exemplars[0].code;
    const code = issued.body.exemplars[0].code;
    endpoints = [
      { as: office, path: `/api/documents/${consent.body.id}/signing`, fields: ['signers', 'ordered'] },
      { as: office, path: `/api/signing/${req.id}/signers/${explainer}/in-person`, fields: ['consent', 'signatureKind', 'signatureImage'] },
      { as: null, path: link, fields: ['consent', 'signatureKind', 'signatureImage', 'typedName', 'relation', 'proxyReason'], page: true },
      { as: null, path: `${link}/pin`, fields: ['code'], page: true },
      { as: null, path: `${link}/decline`, fields: ['reason'], page: true },
      { as: null, path: '/api/verify', fields: ['file'] },
      { as: office, path: `/api/exemplars/${code}/events`, fields: ['type', 'note', 'occurredAt'] },
      { as: office, path: `/documents/${consent.body.id}/exemplars/${code}/events`, fields: ['type'], page: true },
      { as: jimukyoku, path: '/api/receipts', fields: ['code'] },
      { as: jimukyoku, path: '/secretariat/receipt', fields: ['code'], page: true },
      { as: jimukyoku, path: `/api/exemplars/${bound}/events`, fields: ['type', 'occurredAt'] },
      { as: office, path: '/api/batches/preview', fields: ['file', 'kind', 'mode', 'duplex'] },
      { as: office, path: '/api/batches', fields: ['file', 'kind', 'mode', 'duplex'] },
      { as: office, path: '/office/batches/preview', fields: ['file', 'kind'], page: true },
      { as: office, path: '/office/batches', fields: ['fileData', 'filename', 'kind', 'mode', 'duplex'], page: true },
    ];
  });
  afterAll(async () => {
    await stack?.close();
    await smtp?.close();
  });

  const post = (endpoint: { as: Agent | null; path: string }) => (endpoint.as ?? stack.http).post(endpoint.path);

  /**
   * Never a 500; a refusal is in Japanese, as JSON for /api and as a page otherwise. `mayPass`: the input is odd
   * but harmless (an unknown field is dropped), so the request may also go through.
   */
  function check(
    label: string,
    response: { status: number; text: string; headers: Record<string, string> },
    page = false,
    mayPass = false,
  ) {
    const japanese = /[\u3040-\u30ff\u4e00-\u9fff]/.test(response.text);
    const html = /text\/html/.test(response.headers['content-type'] ?? '');
    const passed = response.status < 400 && (mayPass || response.status === 303);
    if (response.status >= 500 || (!passed && (response.status < 400 || !japanese || html !== page))) {
      failures.push(`${label}: ${response.status} ${response.text.slice(0, 160)}`);
    }
  }

  it('every field of every endpoint, with every odd value, as JSON', async () => {
    for (const endpoint of endpoints) {
      for (const field of endpoint.fields) {
        for (const value of ODD_VALUES) {
          const response = await post(endpoint).send({ [field]: value });
          check(`${endpoint.path} ${field}=${JSON.stringify(value)?.slice(0, 40)}`, response, endpoint.page);
        }
      }
      check(`${endpoint.path} (no body)`, await post(endpoint), endpoint.page);
    }
    expect(failures).toEqual([]);
  });

  it('bodies that are not objects, do not parse, or come in a type nobody reads', async () => {
    for (const endpoint of endpoints) {
      for (const { raw, type } of ODD_BODIES)
        check(`${endpoint.path} ${type} ${raw}`, await post(endpoint).set('Content-Type', type).send(raw), endpoint.page);
    }
    expect(failures).toEqual([]);
  });

  it('multipart with the file in the wrong field, text where the file goes, two files, nested names', async () => {
    const csv = Buffer.from('氏名,メールアドレス\n攻撃 太郎,taro@example.jp\n');
    const shapes: Array<[string, (r: ReturnType<Agent['post']>) => ReturnType<Agent['post']>]> = [
      ['file as text', (r) => r.field('file', 'not a file')],
      ['file under kind', (r) => r.attach('kind', csv, 'x.csv')],
      ['two files', (r) => r.attach('file', csv, 'a.csv').attach('file', csv, 'b.csv')],
      ['kind twice', (r) => r.field('kind', 'new').field('kind', 'update').attach('file', csv, 'a.csv')],
      ['nested names', (r) => r.field('kind[a][b]', 'new').field('duplex[]', 'true').attach('file', csv, 'a.csv')],
      ['empty file', (r) => r.attach('file', Buffer.alloc(0), 'empty.csv')],
      ['a PDF as roster', (r) => r.attach('file', Buffer.from('%PDF-1.7\n'), 'roster.pdf')],
      ['an image as a PDF', (r) => r.attach('file', Buffer.from([0x89, 0x50, 0x4e, 0x47]), 'x.pdf')],
    ];
    for (const endpoint of endpoints.filter((e) => e.fields.includes('file'))) {
      for (const [label, shape] of shapes) check(`${endpoint.path} multipart ${label}`, await shape(post(endpoint)), endpoint.page, true);
    }
    expect(failures).toEqual([]);
  });

  /** A 4xx in Japanese; or Fastify's own 414 for a path longer than any route takes (refused before routing). */
  const pathRefused = (response: { status: number; text: string }) =>
    response.status === 414 || (response.status >= 400 && response.status < 500 && /[\u3040-\u30ff\u4e00-\u9fff]/.test(response.text));

  it('odd path parameters', async () => {
    const db = stack.app.get(DataSource);
    const [{ id: batchId }] = await db.query(`SELECT gen_random_uuid() AS id`);
    const odd = ['%00', 'x'.repeat(5000), '..%2F..%2Fetc', '%E3%81%82', '00000000-0000-0000-0000-00000000000Z', batchId];
    for (const value of odd) {
      for (const path of [
        `/api/exemplars/${value}/history`,
        `/api/batches/${value}`,
        `/api/renders/${value}`,
        `/api/documents/${value}/signing`,
      ]) {
        const response = await office.get(path);
        if (!pathRefused(response)) failures.push(`GET ${path}: ${response.status}`);
      }
      for (const path of [`/api/signing/${value}/cancel`, `/api/signing/${value}/signers/${value}/resend`]) {
        const response = await office.post(path);
        if (!pathRefused(response)) failures.push(`POST ${path}: ${response.status}`);
      }
      const sign = await stack.http.get(`/sign/${value}`);
      if (sign.status >= 500) failures.push(`GET /sign/${value}: ${sign.status}`);
    }
    expect(failures).toEqual([]);
  });
});
