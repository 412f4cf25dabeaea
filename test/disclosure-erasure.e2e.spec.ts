import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { JOB_IDS, RIGHTS_QUEUE } from '../src/common/queues';
import { todayInJapan } from '../src/common/japan-date';
import { RetentionService } from '../src/rights/retention.service';
import { createPatient, issuedConsent, sealedConsent, waitFor, waitForReceipt } from './support/consents';
import { createOfficeWithManager, createUser, unique } from './support/factories';
import { pdfFonts, pdfInfo, pdfSignatures, pdfText, squeeze } from './support/pdf-tools';
import { TestSmtp, linkIn, startSmtp } from './support/smtp';
import { Agent, TestStack, getPdf, startStack } from './support/test-app';

/** Downloads a ZIP (binary) through the API. */
async function getZip(agent: Agent | TestStack['http'], url: string): Promise<request.Response> {
  return agent
    .get(url)
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
}

/** The ZIP as a person opens it: the list of its files, and each file's bytes (Info-ZIP's unzip). */
function openZip(zip: Buffer): { names: string[]; read: (name: string) => Buffer } {
  const file = join(mkdtempSync(join(tmpdir(), 'renkei-zip-')), 'export.zip');
  writeFileSync(file, zip);
  const names = execFileSync('zipinfo', ['-1', file], { encoding: 'utf8' }).split('\n').filter(Boolean);
  return { names, read: (name) => execFileSync('unzip', ['-p', file, name], { maxBuffer: 64 * 1024 * 1024 }) };
}

describe('disclosure export, erasure and retention', () => {
  let stack: TestStack;
  let smtp: TestSmtp;
  let db: DataSource;
  let office: Agent;
  let manager: { email: string; name: string };
  let officeId: string;

  beforeAll(async () => {
    smtp = await startSmtp();
    stack = await startStack({ SMTP_URL: smtp.url });
    db = stack.app.get(DataSource);
    const created = await createOfficeWithManager(stack.app, 'rurume');
    manager = created.manager;
    officeId = created.office.id;
    office = await stack.login(manager.email);
  });
  afterAll(async () => {
    await stack?.close();
    await smtp?.close();
  });

  it('exports everything held on a patient as a ZIP: every version as PDF, patient.json, the access log, custody, a cover', async () => {
    const family = { name: '開示 健太', email: 'kenta.disclosure@example.jp' };
    const consent = await sealedConsent(stack, smtp, office, '開示 ハル', family);
    // A draft with two versions, never issued: printed for the disclosure on demand.
    const draft = (await office.post('/api/documents').send({ form: 'patient-consent', subjectId: consent.patientId }).expect(201)).body;
    await office
      .post(`/api/documents/${draft.id}/versions`)
      .send({ data: { ...draft.version.data, date: '2026-04-01' } })
      .expect(201);
    // Views and downloads, by the office and by the family.
    const exemplars = (await office.get(`/api/documents/${consent.id}`).expect(200)).body.exemplars as Array<{
      code: string;
      holder: string;
    }>;
    await getPdf(office, `/api/exemplars/${exemplars.find((e) => e.holder === 'office')!.code}/pdf`);
    await office.get(`/office/patients/${consent.patientId}`).expect(200);
    const copy = await smtp.waitFor((m) => m.to === family.email && m.subject.includes('署名済み'));
    await getPdf(stack.http, linkIn(copy, '/d/'));

    const url = `/api/patients/${consent.patientId}/export`;
    const other = await stack.login((await createOfficeWithManager(stack.app, 'rurume')).manager.email);
    await other.get(url).expect(404);
    const secretariat = await stack.login((await createUser(stack.app, 'secretariat', { networkId: 'rurume' })).email);
    await secretariat.get(url).expect(404);
    await stack.http.get(url).expect(401);

    const first = await getZip(office, url);
    expect(first.status).toBe(409); // the draft's versions are being printed
    expect(JSON.parse((first.body as Buffer).toString('utf8')).message).toContain('準備しています');
    const response = await waitFor(async () => {
      const r = await getZip(office, url);
      return r.status === 200 ? r : null;
    }, 'the export');
    expect(response.headers['content-type']).toBe('application/zip');
    expect(response.headers['content-disposition']).toMatch(/attachment; filename="disclosure-\d{4}-\d{2}-\d{2}\.zip"/);
    const zip = openZip(response.body as Buffer);
    expect(zip.names.filter((n) => n.endsWith('.pdf')).sort()).toEqual(
      ['index.pdf', `documents/${consent.number}/v1.pdf`, `documents/${draft.number}/v1.pdf`, `documents/${draft.number}/v2.pdf`].sort(),
    );
    expect(zip.names.filter((n) => n.startsWith('custody/')).sort()).toEqual(exemplars.map((e) => `custody/${e.code}.csv`).sort());

    const sealed = zip.read(`documents/${consent.number}/v1.pdf`);
    expect(pdfSignatures(sealed)).toContain('Signature Validation: Signature is Valid.'); // sealed where sealed
    expect(squeeze(pdfText(zip.read(`documents/${draft.number}/v2.pdf`)))).toContain('開示ハル');
    const cover = zip.read('index.pdf');
    expect(pdfInfo(cover).pageSize).toContain('595.28 x 841.89'); // A4
    expect(pdfFonts(cover).every((f) => f.embedded && f.type === 'CID TrueType')).toBe(true);
    const coverText = squeeze(pdfText(cover));
    for (const expected of [
      '保有個人データの開示資料',
      '開示ハル',
      'patient.json',
      'access-log.csv',
      `documents/${draft.number}/v2.pdf`,
      '改ざんなし',
    ])
      expect(coverText).toContain(expected);

    const json = JSON.parse(zip.read('patient.json').toString('utf8'));
    expect(json.patient).toMatchObject({ name: '開示 ハル', birthDate: '1938-04-05', address: '東京都東久留米市滝山1-2-3' });
    expect(json.family).toEqual([{ name: family.name, relation: '長男', email: family.email, phone: '090-1111-2222', address: null }]);
    expect(json.documents.map((d: { number: string; versions: unknown[] }) => [d.number, d.versions.length]).sort()).toEqual(
      [
        [consent.number, 1],
        [draft.number, 2],
      ].sort(),
    );

    const log = zip.read('access-log.csv').toString('utf8');
    expect(log.startsWith('\uFEFF')).toBe(true); // Excel in Japan opens it as UTF-8
    const rows = log.trim().split('\r\n');
    expect(rows[0]).toBe('"日時（日本時間）","操作","利用者","対象","接続元","端末"');
    expect(log).toContain(`"PDFのダウンロード","${manager.email}"`);
    expect(log).toContain(`"患者・家族によるダウンロード","患者・家族（メールのリンク: ${family.email}）"`);
    expect(log).toContain('"患者情報の閲覧"');
    expect(log).toContain('"書類の閲覧"'); // GET /api/documents/:id of a patient's document
    expect(rows).toHaveLength(5); // the header, then the four views and downloads above, oldest first
    expect(rows.slice(1).map((r) => r.split('","')[1])).toEqual([
      '書類の閲覧',
      'PDFのダウンロード',
      '患者情報の閲覧',
      '患者・家族によるダウンロード',
    ]);
    expect(log).toMatch(/"(::ffff:)?127\.0\.0\.1"/);

    const custody = zip.read(`custody/${exemplars[0].code}.csv`).toString('utf8');
    expect(custody).toContain('"電子署名"');
    // The patient's sheet the service e-mailed after sealing reads メールで送付, not 家族へ手渡し.
    const mailed = zip.read(`custody/${exemplars.find((e) => e.holder === 'patient')!.code}.csv`).toString('utf8');
    expect(mailed).toContain('"メールで送付"');
    expect(mailed).not.toContain('家族へ手渡し');
    const audit = await db.query(`SELECT user_email, detail FROM audit_event WHERE action = 'patient_exported' AND target_id = $1`, [
      consent.patientId,
    ]);
    expect(audit).toHaveLength(1);
    expect(audit[0].user_email).toBe(manager.email);
    // A second export lists the first in its access log.
    const again = openZip((await getZip(office, url)).body as Buffer);
    expect(again.read('access-log.csv').toString('utf8')).toContain('"開示資料の出力"');
  });

  it('erases a patient at their request: no personal data left, PDFs gone, a verifiable chain ending in destroyed', async () => {
    const tag = unique('').slice(1); // this patient's own values: other tests' patients must not match
    const name = `消去${tag}`;
    const patientName = `${name} サダ`;
    const family = { name: `${name} 息子`, email: `erase-${tag}@example.jp` };
    const details = {
      birthDate: '1931-07-17',
      address: `東京都東久留米市消去町${tag}`,
      phone: `03-${tag.slice(0, 4)}-${tag.slice(4)}`,
      typedName: `署名${tag}`,
    };
    const consent = await sealedConsent(stack, smtp, office, patientName, family, details);
    await office
      .post(`/api/documents/${consent.id}/consent-withdrawal`)
      .send({ receivedVia: 'paper', receivedAt: todayInJapan(), note: `${family.name}様の書面` })
      .expect(201);
    await waitForReceipt(office, consent.id);
    await smtp.waitFor((m) => m.to === family.email && m.subject.includes('撤回を受け付けました'));
    const copyLink = linkIn(await smtp.waitFor((m) => m.to === family.email && m.subject.includes('撤回を受け付けました')), '/d/');
    const before = (await office.get(`/api/documents/${consent.id}`).expect(200)).body;
    // A draft never issued, printed as it stands for a disclosure first: its version keeps a PDF of its own.
    const draft = (await office.post('/api/documents').send({ form: 'patient-consent', subjectId: consent.patientId }).expect(201)).body;
    await waitFor(
      async () => ((await getZip(office, `/api/patients/${consent.patientId}/export`)).status === 200 ? true : null),
      'the export',
    );
    const versionPdfs: Array<{ pdf_sha256: string }> = await db.query(
      `SELECT pdf_sha256 FROM document_version WHERE document_id = $1 AND pdf_sha256 IS NOT NULL`,
      [draft.id],
    );
    expect(versionPdfs).toHaveLength(1);
    const pdfs: string[] = [...before.exemplars.map((e: { pdfSha256: string }) => e.pdfSha256), ...versionPdfs.map((v) => v.pdf_sha256)];
    const url = `/api/patients/${consent.patientId}/erasure`;
    const requests = `/api/patients/${consent.patientId}/rights-requests`;

    const erasureRequest = (
      await office
        .post(requests)
        .send({ kind: 'erasure', receivedAt: todayInJapan(), receivedVia: 'paper', detail: `${patientName}の全記録の削除` })
        .expect(201)
    ).body;
    const disclosure = (
      await office.post(requests).send({ kind: 'disclosure', receivedAt: todayInJapan(), receivedVia: 'phone' }).expect(201)
    ).body;

    // Who may not, and what must be kept.
    const staff = await stack.login((await createUser(stack.app, 'office_staff', { officeId })).email);
    expect((await staff.post(url).send({ rightsRequestId: erasureRequest.id })).status).toBe(403);
    const other = await stack.login((await createOfficeWithManager(stack.app, 'rurume')).manager.email);
    await other.post(url).send({ rightsRequestId: erasureRequest.id }).expect(404);
    await office.post(url).send({}).expect(400);
    await office.post(url).send({ rightsRequestId: disclosure.id }).expect(400);
    await office.post(url).send({ rightsRequestId: erasureRequest.id, confirmName: '別の 名前' }).expect(400);
    const pending = await office.post(url).send({ rightsRequestId: erasureRequest.id }).expect(409);
    expect(pending.body.message).toContain('未回答の請求（開示）');
    await office.post(`/api/rights-requests/${disclosure.id}/answer`).send({ outcome: 'answered', note: '交付済み' }).expect(201);
    await office.post(`/api/patients/${consent.patientId}/legal-hold`).send({ reason: '' }).expect(400);
    await office
      .post(`/api/patients/${consent.patientId}/legal-hold`)
      .send({ reason: `${patientName}の件で係争中` })
      .expect(201);
    await office.post(`/api/patients/${consent.patientId}/legal-hold`).send({ reason: '二重' }).expect(409);
    const held = await office.post(url).send({ rightsRequestId: erasureRequest.id }).expect(409);
    expect(held.body).toMatchObject({ code: 'ERASURE_BLOCKED' });
    expect(held.body.message).toContain('法的保存が設定されているため消去できません');
    expect(await statusOf(consent.id)).toBe('revoked');
    await office.delete(`/api/patients/${consent.patientId}/legal-hold`).expect(200);

    const secrets = [name, tag, family.email, '1931-07-17', details.address, details.phone, details.typedName];
    expect(await tablesHolding(secrets)).toEqual(
      expect.arrayContaining([
        'patient',
        'family_contact',
        'document_version',
        'signer',
        'download_link',
        'withdrawal_link',
        'mail_outbox',
        'consent_withdrawal',
        'rights_request',
        'legal_hold',
      ]),
    );
    const erased = await office.post(url).send({ rightsRequestId: erasureRequest.id, confirmName: patientName }).expect(201);
    expect(erased.body).toMatchObject({ reason: 'request', confirmedByName: manager.name });
    expect([...erased.body.documentNumbers].sort()).toEqual([consent.number, draft.number].sort());
    await office.post(url).send({ rightsRequestId: erasureRequest.id }).expect(409);

    // No personal data of the patient or family in any table (the same search found it everywhere before).
    expect(await tablesHolding(secrets)).toEqual([]);
    const [{ left }] = await db.query(`SELECT count(*)::int AS left FROM pdf_blob WHERE sha256 = ANY($1)`, [pdfs]);
    expect(left).toBe(0);

    // What remains: the document's number and its ledger, each chain intact and ending in `destroyed`.
    const after = (await office.get(`/api/documents/${consent.id}`).expect(200)).body;
    expect(after).toMatchObject({ status: 'erased', number: consent.number, version: { data: {} } });
    for (const exemplar of after.exemplars as Array<{ code: string; pdfSha256: string | null }>) {
      expect(exemplar.pdfSha256).toBeNull();
      const history = (await office.get(`/api/exemplars/${exemplar.code}/history`).expect(200)).body;
      expect(history.chain.valid).toBe(true);
      expect(history.events.at(-1)).toMatchObject({ type: 'destroyed', actorName: manager.name, note: '消去（本人・家族の請求による）' });
      await office.get(`/api/exemplars/${exemplar.code}/pdf`).expect(410);
    }
    expect((await stack.http.get(copyLink).expect(404)).text).toContain('このリンクは使えません'); // the link itself was erased
    expect((await office.get(`/api/rights-requests/${erasureRequest.id}`).expect(200)).body).toMatchObject({
      status: 'answered',
      detail: null,
    });
    expect((await office.get(`/api/patients/${consent.patientId}`).expect(200)).body).toMatchObject({ name: '（消去済み）', family: [] });
    await office.get(`/api/patients/${consent.patientId}/export`).expect(409);
    expect((await office.get(`/office/patients/${consent.patientId}`).expect(200)).text).toContain('消去の記録');
  });

  it('lists what is past retention every day and erases what a manager confirms, unless it must be kept', async () => {
    const queue = stack.worker.get<Queue>(getQueueToken(RIGHTS_QUEUE));
    const scheduler = await queue.getJobScheduler(JOB_IDS.retentionScan());
    expect(scheduler).toMatchObject({ pattern: '0 30 3 * * *', tz: 'Asia/Tokyo' });

    // A staff pledge of someone who left six years ago; a consent revoked six years ago; one held; one in use.
    const staff = (await office.post('/api/staff').send({ name: '退職 花子', email: 'retired.staff@example.jp' }).expect(201)).body;
    const pledge = (await office.post('/api/documents').send({ form: 'staff-pledge', subjectId: staff.id }).expect(201)).body;
    await office.post(`/api/documents/${pledge.id}/issue`).expect(201);
    await office.post(`/api/staff/${staff.id}/leave`).expect(201);
    await db.query(`UPDATE staff_member SET left_at = now() - interval '6 years' WHERE id = $1`, [staff.id]);
    const revokedConsent = async (patientName: string) => {
      const patient = await createPatient(office, patientName, { name: `${patientName} 家族`, email: `${unique('r')}@example.jp` });
      const doc = await issuedConsent(office, patient.id);
      await office.post(`/api/documents/${doc.id}/paper-signature`).expect(201);
      await office
        .post(`/api/documents/${doc.id}/consent-withdrawal`)
        .send({ receivedVia: 'paper', receivedAt: todayInJapan() })
        .expect(201);
      await waitForReceipt(office, doc.id);
      await db.query(`UPDATE document SET ended_on = (ended_on - interval '6 years')::date WHERE id = $1`, [doc.id]);
      return { ...doc, patientId: patient.id };
    };
    const old = await revokedConsent('保存 キク');
    const kept = await revokedConsent('保存 ウメ');
    await office.post(`/api/patients/${kept.patientId}/legal-hold`).send({ reason: '調査中' }).expect(201);
    const inUse = (await office.post('/api/documents').send({ form: 'patient-consent', subjectId: old.patientId }).expect(201)).body;

    // A document of a network whose folder was removed from templates/ (its forms unknown now): kept, never in the way.
    await db.query(`INSERT INTO network (id, name, operator) VALUES ('retired-net', '廃止ネット', '廃止') ON CONFLICT DO NOTHING`);
    const [gone] = await db.query(`INSERT INTO office (network_id, name) VALUES ('retired-net', '廃止事業所') RETURNING id`);
    await db.query(
      `INSERT INTO document (number, network_id, form_id, office_id, subject_type, status, ended_on)
       VALUES ($1, 'retired-net', 'old-form', $2, 'office', 'withdrawn', '2001-01-01')`,
      [unique('RETIRED'), gone.id],
    );

    // The job (as the scheduler runs it, through the queue).
    const job = await queue.add('retention-scan', { kind: 'retention-scan' });
    const state = await waitFor(
      async () => ((await job.isCompleted()) ? 'completed' : (await job.isFailed()) ? 'failed' : null),
      'the retention check',
    );
    expect([state, (await queue.getJob(job.id!))?.failedReason]).toEqual(['completed', undefined]);
    const listed = (await office.get('/api/retention').expect(200)).body as Array<{
      documentId: string;
      keptBy: string | null;
      dueAt: string;
    }>;
    const ours = (id: string) => listed.find((i) => i.documentId === id);
    expect(ours(pledge.id)).toMatchObject({ keptBy: null });
    expect(ours(old.id)).toMatchObject({ keptBy: null });
    expect(ours(kept.id)).toMatchObject({ keptBy: '法的保存中' });
    expect(ours(inUse.id)).toBeUndefined();
    const notice = await smtp.waitFor((m) => m.to === manager.email && m.subject.includes('保存期間を過ぎた書類'));
    expect(notice.text).toContain('/office/retention');
    expect((await stack.worker.get(RetentionService).scan()).added).toBe(0); // listed once, told once

    const staffUser = await stack.login((await createUser(stack.app, 'office_staff', { officeId })).email);
    expect((await staffUser.post('/api/retention/erasure').send({ documentIds: [old.id] })).status).toBe(403);
    await office
      .post('/api/retention/erasure')
      .send({ documentIds: [inUse.id] })
      .expect(400);
    await office.post('/api/retention/erasure').send({ documentIds: [] }).expect(400);
    const blocked = await office
      .post('/api/retention/erasure')
      .send({ documentIds: [old.id, kept.id] })
      .expect(409);
    expect(blocked.body.message).toContain('法的保存');
    expect(await statusOf(old.id)).toBe('revoked'); // nothing half-done
    const done = await office
      .post('/api/retention/erasure')
      .send({ documentIds: [old.id, pledge.id] })
      .expect(201);
    expect(done.body).toMatchObject({ reason: 'retention', documentNumbers: [old.number, pledge.number] });
    expect(await statusOf(old.id)).toBe('erased');
    expect(await statusOf(pledge.id)).toBe('erased');
    const exemplar = (await office.get(`/api/documents/${pledge.id}`).expect(200)).body.exemplars[0];
    const history = (await office.get(`/api/exemplars/${exemplar.code}/history`).expect(200)).body;
    expect(history.chain.valid).toBe(true);
    expect(history.events.at(-1)).toMatchObject({ type: 'destroyed', note: '消去（保存期間の満了による）' });
    expect((await office.get('/api/retention').expect(200)).body.map((i: { documentId: string }) => i.documentId)).not.toContain(old.id);
    expect((await office.get(`/api/patients/${old.patientId}`).expect(200)).body.name).toBe('保存 キク'); // the patient stays
  }, 120_000);

  /** The tables (all but the PDFs' bytes) in which any of these values still appears. */
  async function tablesHolding(secrets: string[]): Promise<string[]> {
    const tables: Array<{ table_name: string }> = await db.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'pdf_blob'`,
    );
    const holding: string[] = [];
    for (const { table_name } of tables) {
      const dump = JSON.stringify(await db.query(`SELECT * FROM "${table_name}"`));
      if (secrets.some((secret) => dump.includes(secret))) holding.push(table_name);
    }
    return holding.sort();
  }

  const statusOf = async (id: string) => (await office.get(`/api/documents/${id}`).expect(200)).body.status as string;
});
