import { spawn } from 'node:child_process';
import { DataSource } from 'typeorm';
import { sha256Hex } from '../src/common/hash';
import { todayInJapan } from '../src/common/japan-date';
import { projectRoot } from '../src/common/project-root';
import { loadConfig } from '../src/config/env';
import { dropDatabase, setUpDatabase } from '../src/database/database.setup';
import { loadCatalogue } from '../src/networks/catalogue.loader';
import { TemplateEngine } from '../src/templates/template.engine';
import { PdfStoreService } from '../src/rendering/pdf-store.service';
import { createOfficeWithManager, createUser } from './support/factories';
import { pdfSignatures } from './support/pdf-tools';
import { TestS3, startS3 } from './support/s3-server';
import { Agent, TestStack, getPdf, startStack } from './support/test-app';

/**
 * PDFs in an S3-compatible bucket (s3rver on loopback, started here): what a sealed consent leaves where, a
 * changed object refused, and `npm run storage:move` both ways. The command runs compiled: `npm run build` first.
 */
describe('PDFs in object storage (a real S3-compatible server)', () => {
  let s3: TestS3;
  let stack: TestStack;
  let office: Agent;
  let db: DataSource;

  // A database of its own: `storage:move` moves every PDF in the database, and the PDFs other files left in
  // this worker's database are not this file's to count.
  const databaseUrl = new URL(process.env.DATABASE_URL!);
  databaseUrl.pathname = `${databaseUrl.pathname}_storage`;

  beforeAll(async () => {
    s3 = await startS3();
    await setUpDatabase(databaseUrl.toString(), loadCatalogue(new TemplateEngine(loadConfig().templatesDir)));
    stack = await startStack({ STORAGE_URL: s3.url, DATABASE_URL: databaseUrl.toString() });
    db = stack.app.get(DataSource);
    office = await stack.login((await createOfficeWithManager(stack.app, 'rurume')).manager.email);
  });
  afterAll(async () => {
    await stack?.close();
    await s3?.close();
    await dropDatabase(databaseUrl.toString());
  });

  /** The command as an operator runs it, in its own process (asynchronously: the S3 server lives in this one). */
  function move(to: string): Promise<{ status: number | null; output: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn('node', ['dist/src/cli/storage-move.cli.js', '--to', to], {
        cwd: projectRoot(),
        env: { ...process.env, STORAGE_URL: s3.url, DATABASE_URL: databaseUrl.toString(), NODE_NO_WARNINGS: '1' },
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
      child.on('error', reject);
      child.on('close', (status) => {
        clearTimeout(timer);
        resolve({ status, output });
      });
    });
  }

  const where = async (sha256: string) =>
    (
      (await db.query(`SELECT location, content IS NULL AS empty FROM pdf_blob WHERE sha256 = $1`, [sha256])) as Array<{
        location: string;
        empty: boolean;
      }>
    )[0];

  /** A consent issued, signed in person by everyone and sealed: its office original's code and the sealed file's sha256. */
  async function sealedConsent(): Promise<{ code: string; sha256: string }> {
    const patient = await office.post('/api/patients').send({ name: '保管 ハル' }).expect(201);
    const doc = await office.post('/api/documents').send({ form: 'patient-consent', subjectId: patient.body.id }).expect(201);
    await office.post(`/api/documents/${doc.body.id}/issue`).expect(201);
    const { body } = await office
      .post(`/api/documents/${doc.body.id}/signing`)
      .send({
        signers: [
          { role: 'patient', name: '保管 ハル', method: 'in_person' },
          { role: 'explainer', name: '説明 看護師', method: 'in_person' },
        ],
      })
      .expect(201);
    for (const signer of body.signers)
      await office
        .post(`/api/signing/${body.id}/signers/${signer.id}/in-person`)
        .send({ consent: true, signatureKind: 'typed', typedName: signer.name })
        .expect(201);
    let sha256: string | null = null;
    for (let i = 0; i < 300 && !sha256; i++) {
      [{ sealed_sha256: sha256 }] = await db.query(`SELECT sealed_sha256 FROM signing_request WHERE id = $1`, [body.id]);
      if (!sha256) await new Promise((r) => setTimeout(r, 100));
    }
    if (!sha256) throw new Error('not sealed');
    const sealed = await office.get(`/api/documents/${doc.body.id}`).expect(200);
    const original = sealed.body.exemplars.find((e: { holder: string; kind: string }) => e.holder === 'office');
    return { code: original.code, sha256 };
  }

  let consent: { code: string; sha256: string };

  it('keeps a sealed consent in the bucket under its sha256, not in PostgreSQL, and serves it unchanged', async () => {
    consent = await sealedConsent();
    const object = await s3.get(`pdf/${consent.sha256}`);
    expect(object).not.toBeNull();
    expect(sha256Hex(object!)).toBe(consent.sha256);
    expect(await where(consent.sha256)).toEqual({ location: 's3', empty: true });

    const downloaded = await getPdf(office, `/api/exemplars/${consent.code}/pdf`);
    expect(sha256Hex(downloaded)).toBe(consent.sha256);
    expect(pdfSignatures(downloaded)).toContain('Signature Validation: Signature is Valid.');

    // Every PDF this stack wrote (the printed exemplars too) went to the bucket, none into a row.
    const rows = (await db.query(
      `SELECT sha256 FROM pdf_blob WHERE created_at > now() - interval '10 minutes' AND location = 's3'`,
    )) as Array<{ sha256: string }>;
    expect(rows.length).toBeGreaterThanOrEqual(2);
    const keys = await s3.keys();
    for (const { sha256 } of rows) expect(keys).toContain(`pdf/${sha256}`);
  });

  it('tells an admin on /health where PDFs go, and whether the bucket answers', async () => {
    const admin = await stack.login((await createUser(stack.app, 'admin')).email);
    const { body } = await admin.get('/health');
    expect(body.checks.storage).toEqual({ status: 'up', detail: `s3://${s3.bucket}` });
    expect(body.reasons).not.toContain('storage_down');
  });

  it('refuses a changed object rather than serving it', async () => {
    const original = (await s3.get(`pdf/${consent.sha256}`))!;
    const tampered = Buffer.from(original);
    tampered[200] ^= 0x20;
    await s3.put(`pdf/${consent.sha256}`, tampered);
    const refused = await office.get(`/api/exemplars/${consent.code}/pdf`).expect(500);
    expect(refused.headers['content-type']).not.toContain('application/pdf');
    expect(JSON.stringify(refused.body)).toContain('PDF_CORRUPT');
    await s3.put(`pdf/${consent.sha256}`, original);
    expect(sha256Hex(await getPdf(office, `/api/exemplars/${consent.code}/pdf`))).toBe(consent.sha256);
  });

  it('takes an erased patient’s PDFs out of the bucket as well (the sweeper deletes the objects)', async () => {
    const patient = await office.post('/api/patients').send({ name: '消去 ナツ' }).expect(201);
    const doc = await office.post('/api/documents').send({ form: 'patient-consent', subjectId: patient.body.id }).expect(201);
    await office.post(`/api/documents/${doc.body.id}/issue`).expect(201);
    let printed: string[] = [];
    for (let i = 0; i < 300 && printed.length === 0; i++) {
      const { exemplars } = (await office.get(`/api/documents/${doc.body.id}`).expect(200)).body as {
        exemplars: Array<{ pdfSha256: string | null }>;
      };
      if (exemplars.every((e) => e.pdfSha256)) printed = [...new Set(exemplars.map((e) => e.pdfSha256!))];
      else await new Promise((r) => setTimeout(r, 100));
    }
    expect(printed.length).toBeGreaterThan(0);
    for (const sha256 of printed) expect(await s3.get(`pdf/${sha256}`)).not.toBeNull();

    const erasure = await office
      .post(`/api/patients/${patient.body.id}/rights-requests`)
      .send({ kind: 'erasure', receivedAt: todayInJapan(), receivedVia: 'paper' })
      .expect(201);
    await office
      .post(`/api/patients/${patient.body.id}/erasure`)
      .send({ rightsRequestId: erasure.body.id, confirmName: '消去 ナツ' })
      .expect(201);
    expect(await db.query(`SELECT count(*)::int AS n FROM pdf_blob WHERE sha256 = ANY($1)`, [printed])).toEqual([{ n: 0 }]);
    for (const sha256 of printed) expect(await s3.get(`pdf/${sha256}`)).not.toBeNull(); // until the sweep

    expect(await stack.app.get(PdfStoreService).sweep()).toEqual({ 'erased PDF objects': printed.length });
    for (const sha256 of printed) expect(await s3.get(`pdf/${sha256}`)).toBeNull();
    expect(await db.query(`SELECT count(*)::int AS n FROM pdf_object_deletion`)).toEqual([{ n: 0 }]);
  });

  it('moves every PDF to PostgreSQL and back, checking each, resumably and idempotently', async () => {
    const toPostgres = await move('postgres');
    expect(toPostgres.output).toMatch(/moved \d+ PDFs to PostgreSQL; 0 failed their check; 0 still at the source/);
    expect(toPostgres.status).toBe(0);
    expect(await where(consent.sha256)).toEqual({ location: 'postgres', empty: false });
    expect(await s3.keys()).toEqual([]); // moved, not copied
    expect(sha256Hex(await getPdf(office, `/api/exemplars/${consent.code}/pdf`))).toBe(consent.sha256);

    const [{ count }] = await db.query(`SELECT count(*)::int AS count FROM pdf_blob`);
    const toS3 = await move('s3');
    expect(toS3.output).toContain(`moved ${count} PDFs to s3://${s3.bucket}; 0 failed their check; 0 still at the source`);
    expect(toS3.status).toBe(0);
    expect(await db.query(`SELECT location, count(*)::int FROM pdf_blob WHERE content IS NULL GROUP BY location`)).toEqual([
      { location: 's3', count },
    ]);
    expect((await s3.keys()).length).toBe(count);
    expect(sha256Hex((await s3.get(`pdf/${consent.sha256}`))!)).toBe(consent.sha256);
    expect((await move('s3')).output).toContain('moved 0 PDFs'); // again: nothing to do

    // A changed object is not taken into PostgreSQL: it stays, reported, and the rest move.
    const original = (await s3.get(`pdf/${consent.sha256}`))!;
    await s3.put(`pdf/${consent.sha256}`, Buffer.concat([original, Buffer.from('\n%tampered')]));
    const refused = await move('postgres');
    expect(refused.status).toBe(1);
    expect(refused.output).toContain(`${consent.sha256} not moved`);
    expect(refused.output).toContain(`moved ${count - 1} PDFs to PostgreSQL; 1 failed their check; 1 still at the source`);
    expect(await where(consent.sha256)).toEqual({ location: 's3', empty: true });

    // Put right, the same command finishes the move.
    await s3.put(`pdf/${consent.sha256}`, original);
    const resumed = await move('postgres');
    expect(resumed.output).toContain('moved 1 PDFs to PostgreSQL; 0 failed their check; 0 still at the source');
    expect(await db.query(`SELECT count(*)::int AS count FROM pdf_blob WHERE location = 'postgres' AND content IS NOT NULL`)).toEqual([
      { count },
    ]);
    expect(await s3.keys()).toEqual([]);
    expect(sha256Hex(await getPdf(office, `/api/exemplars/${consent.code}/pdf`))).toBe(consent.sha256);
  });
});
