import { DataSource } from 'typeorm';
import { createPatient, waitForSeal } from './support/consents';
import { createOfficeWithManager, createUser } from './support/factories';
import { pdfText, squeeze } from './support/pdf-tools';
import { signaturePng } from './support/png';
import { TestSmtp, startSmtp } from './support/smtp';
import { Agent, TestStack, getPdf, startStack } from './support/test-app';

type Taken = {
  docId: string;
  number: string;
  requestId: string;
  visitId: string;
  visitDocumentId: string;
  signers: Record<string, string>;
};

/** Home visits over HTTP: taking a document, the tablet's data, offline signatures accepted or refused (and why). */
describe('visits: documents taken on a home visit, signed offline, synced', () => {
  let stack: TestStack;
  let smtp: TestSmtp;
  let office: Agent;
  let officeId: string;
  let db: DataSource;

  beforeAll(async () => {
    smtp = await startSmtp();
    stack = await startStack({ SMTP_URL: smtp.url });
    db = stack.app.get(DataSource);
    const created = await createOfficeWithManager(stack.app, 'rurume');
    officeId = created.office.id;
    office = await stack.login(created.manager.email);
  });
  afterAll(async () => {
    await stack?.close();
    await smtp?.close();
  });

  /** An issued consent whose patient, family member and explaining nurse sign in person, taken on the visit. */
  async function taken(name: string): Promise<Taken> {
    const patient = await createPatient(office, name, { name: `${name} 家族`, email: 'family@example.jp' });
    const doc = await office.post('/api/documents').send({ form: 'patient-consent', subjectId: patient.id }).expect(201);
    await office.post(`/api/documents/${doc.body.id}/issue`).expect(201);
    const request = await office
      .post(`/api/documents/${doc.body.id}/signing`)
      .send({
        signers: [
          { role: 'patient', name, method: 'in_person' },
          { role: 'family1', name: `${name} 家族`, relation: '長男', method: 'in_person' },
          { role: 'explainer', name: '訪問 看護師', method: 'in_person' },
        ],
      })
      .expect(201);
    const take = await office.post('/api/visits/documents').send({ documentId: doc.body.id }).expect(201);
    const signers = Object.fromEntries((request.body.signers as Array<{ role: string; id: string }>).map((s) => [s.role, s.id]));
    return { docId: doc.body.id, number: doc.body.number, requestId: request.body.id, ...take.body, signers };
  }

  const drawn = (relation?: string) => ({
    consent: true,
    signatureKind: 'drawn',
    signatureImage: signaturePng(),
    ...(relation ? { relation } : {}),
  });

  function sync(t: Taken, role: string, signature: Record<string, unknown>, signedAt = new Date(Date.now() - 60_000).toISOString()) {
    return office
      .post(`/api/visits/${t.visitId}/signatures`)
      .send({ visitDocumentId: t.visitDocumentId, signerId: t.signers[role], signedAt, signature });
  }

  async function auditActions(targetIds: string[]): Promise<string[]> {
    const rows = await db.query(`SELECT action FROM audit_event WHERE target_id = ANY($1) ORDER BY id`, [targetIds]);
    return rows.map((r: { action: string }) => r.action);
  }

  it('gives the tablet what it keeps offline, accepts the signatures and seals with the device and receipt times', async () => {
    const t = await taken('訪問 花子');
    const current = await office.get('/api/visits/current').expect(200);
    expect(current.body.visit.id).toBe(t.visitId);
    const doc = current.body.visit.documents.find((d: { id: string }) => d.id === t.visitDocumentId);
    expect(doc).toMatchObject({ documentId: t.docId, number: t.number, requestId: t.requestId });
    expect(doc.readingHtml).toContain('訪問 花子');
    expect(doc.readingHtml).not.toMatch(/<style|style="/);
    expect(doc.printedHtml).toContain('<style>');
    expect(doc.signers.map((s: { signsHere: boolean; needsRelation: boolean }) => [s.signsHere, s.needsRelation])).toEqual([
      [true, false],
      [true, true],
      [true, false],
    ]);
    // Taking it twice keeps the one visit and the one entry.
    const again = await office.post('/api/visits/documents').send({ documentId: t.docId }).expect(201);
    expect(again.body).toMatchObject({ visitId: t.visitId, visitDocumentId: t.visitDocumentId });

    // Signed on the tablet ten, nine and eight minutes ago; received now.
    const signedAt = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
    await sync(t, 'patient', drawn(), signedAt(10)).expect(201);
    // What the role asks is the signing page's rule: a family member without 続柄 is refused, and told why.
    const noRelation = await sync(t, 'family1', drawn(), signedAt(9)).expect(400);
    expect(noRelation.body).toMatchObject({ code: 'INVALID_REQUEST' });
    expect(JSON.stringify(noRelation.body)).toContain('続柄を入力してください');
    await sync(t, 'family1', drawn('長男'), signedAt(9)).expect(201);
    const last = await sync(t, 'explainer', { consent: true, signatureKind: 'typed', typedName: '訪問 看護師' }, signedAt(8)).expect(201);
    expect(last.body).toMatchObject({ status: 'accepted', completed: true });
    // The answer was lost and the tablet sends it again: the same signature, nothing twice.
    expect((await sync(t, 'patient', drawn(), signedAt(10)).expect(201)).body.completed).toBe(false);

    await waitForSeal(db, t.requestId);
    const sealedDoc = await office.get(`/api/documents/${t.docId}`).expect(200);
    expect(sealedDoc.body.status).toBe('signed');
    const original = sealedDoc.body.exemplars.find((e: { holder: string }) => e.holder === 'office');
    const text = squeeze(pdfText(await getPdf(office, `/api/exemplars/${original.code}/pdf`)));
    expect(text).toContain('訪問先でオフライン署名（担当:');
    expect(text.match(/端末で署名:/g)?.length).toBe(3);
    expect(text).toContain('受信:');
    const [row] = await db.query(`SELECT signed_offline_at, signed_at, visit_id FROM signer WHERE id = $1`, [t.signers.patient]);
    expect(row.visit_id).toBe(t.visitId);
    expect(new Date(row.signed_at).getTime() - new Date(row.signed_offline_at).getTime()).toBeGreaterThan(9 * 60_000);

    expect(await auditActions([t.docId])).toContain('visit_taken');
    expect(await auditActions([t.signers.patient, t.signers.family1])).toEqual(
      expect.arrayContaining(['visit_synced', 'visit_refused', 'signed']),
    );
    // The office's overview: taken, synced, and the refusal with its reason.
    const overview = (await office.get('/office/signing').expect(200)).text;
    expect(overview).toContain('訪問（最近の');
    expect(overview).toContain(t.number);
    expect(overview).toContain('署名の内容の不備');
  }, 120_000);

  it('takes a decline made on the tablet, with its reason: the request closes and the office is told', async () => {
    const t = await taken('辞退 花子');
    const send = (body: Record<string, unknown>) =>
      office.post(`/api/visits/${t.visitId}/signatures`).send({
        visitDocumentId: t.visitDocumentId,
        signerId: t.signers.family1,
        signedAt: new Date(Date.now() - 60_000).toISOString(),
        ...body,
      });
    // One of the two, never both nor neither.
    await send({ signature: drawn('長男'), decline: { reason: 'x' } }).expect(400);
    await send({}).expect(400);
    await send({ decline: { reason: '家族と相談してから決めたい' } }).expect(201);
    await send({ decline: { reason: '家族と相談してから決めたい' } }).expect(201); // sent again: the same decline
    const [signer] = await db.query(`SELECT status, decline_reason, visit_id FROM signer WHERE id = $1`, [t.signers.family1]);
    expect(signer).toEqual({ status: 'declined', decline_reason: '家族と相談してから決めたい', visit_id: t.visitId });
    const [request] = await db.query(`SELECT status FROM signing_request WHERE id = $1`, [t.requestId]);
    expect(request.status).toBe('declined');
    const mail = await smtp.waitFor((m) => m.text.includes('家族と相談してから決めたい'));
    expect(mail.text).toContain(t.number);
    // The request is over: the patient's signature from the same visit is refused.
    expect((await sync(t, 'patient', drawn()).expect(410)).body.code).toBe('REQUEST_CLOSED');
    const [row] = await db.query(`SELECT kind, status FROM visit_signature WHERE signer_id = $1`, [t.signers.family1]);
    expect(row).toEqual({ kind: 'decline', status: 'accepted' });
  });

  it('refuses a signature for a document withdrawn meanwhile (DOCUMENT_CHANGED)', async () => {
    const t = await taken('取下 花子');
    await office.post(`/api/documents/${t.docId}/withdraw`).expect(201);
    const refused = await sync(t, 'patient', drawn()).expect(409);
    expect(refused.body).toMatchObject({ code: 'DOCUMENT_CHANGED' });
    expect(refused.body.message).toContain('取り下げられた');
    const [row] = await db.query(`SELECT status, refusal_code FROM visit_signature WHERE signer_id = $1`, [t.signers.patient]);
    expect(row).toEqual({ status: 'refused', refusal_code: 'DOCUMENT_CHANGED' });
    expect(await auditActions([t.signers.patient])).toEqual(['visit_refused']);
  });

  it('refuses a signature for a document corrected meanwhile (DOCUMENT_CHANGED)', async () => {
    const t = await taken('訂正 花子');
    const current = await office.get(`/api/documents/${t.docId}`).expect(200);
    const data = { ...current.body.version.data, patient: { ...current.body.version.data.patient, address: '東京都東久留米市本町9-9-9' } };
    await office.post(`/api/documents/${t.docId}/versions`).send({ data }).expect(201);
    const refused = await sync(t, 'patient', drawn()).expect(409);
    expect(refused.body).toMatchObject({ code: 'DOCUMENT_CHANGED' });
    expect(refused.body.message).toContain('訂正');
  });

  it('refuses a signer who signed another way meanwhile (ALREADY_SIGNED)', async () => {
    const t = await taken('既署 花子');
    await office
      .post(`/api/signing/${t.requestId}/signers/${t.signers.patient}/in-person`)
      .send({ consent: true, signatureKind: 'typed', typedName: '既署 花子' })
      .expect(201);
    const refused = await sync(t, 'patient', drawn()).expect(409);
    expect(refused.body).toMatchObject({ code: 'ALREADY_SIGNED' });
    expect(refused.body.message).toContain('別の方法');
    // The other signers still sign.
    await sync(t, 'family1', drawn('長女')).expect(201);
  });

  it('refuses a signature for a request cancelled meanwhile (REQUEST_CLOSED)', async () => {
    const t = await taken('取消 花子');
    await office.post(`/api/signing/${t.requestId}/cancel`).expect(201);
    const refused = await sync(t, 'patient', drawn()).expect(410);
    expect(refused.body).toMatchObject({ code: 'REQUEST_CLOSED' });
  });

  it('refuses every signature once the visit has expired (VISIT_EXPIRED), and the office sees why', async () => {
    const t = await taken('期限 花子');
    // VISIT_HOURS later (the clock moved, not a wait).
    await db.query(
      `UPDATE visit SET expires_at = now() - interval '1 minute', created_at = created_at - interval '24 hours' WHERE id = $1`,
      [t.visitId],
    );
    const refused = await sync(t, 'patient', drawn()).expect(410);
    expect(refused.body).toMatchObject({ code: 'VISIT_EXPIRED' });
    expect(refused.body.message).toContain('期限');
    expect((await office.get('/api/visits/current').expect(200)).body.visit).toBeNull();
    const overview = (await office.get('/office/signing').expect(200)).text;
    expect(overview).toContain('訪問の期限切れ');
    // The next document taken starts a new visit.
    const next = await taken('期限後 花子');
    expect(next.visitId).not.toBe(t.visitId);
  });

  it('takes only what can be signed on a visit, and keeps each visit to its staff member', async () => {
    const patient = await createPatient(office, '対象外 花子', { name: '対象外 家族', email: 'none@example.jp' });
    const doc = await office.post('/api/documents').send({ form: 'patient-consent', subjectId: patient.id }).expect(201);
    // A draft, then an issued document with nobody signing in person: nothing to take.
    expect((await office.post('/api/visits/documents').send({ documentId: doc.body.id }).expect(409)).body.message).toContain('発行済');
    await office.post(`/api/documents/${doc.body.id}/issue`).expect(201);
    await office
      .post(`/api/documents/${doc.body.id}/signing`)
      .send({
        signers: [
          { role: 'family1', name: '対象外 家族', relation: '長男', method: 'email', email: 'none@example.jp' },
          { role: 'explainer', name: '説明 看護師', method: 'email', email: 'nurse@example.jp' },
        ],
      })
      .expect(201);
    expect((await office.post('/api/visits/documents').send({ documentId: doc.body.id }).expect(409)).body.message).toContain('対面');
    await office.post('/api/visits/documents').send({ documentId: 'not-a-uuid' }).expect(400);

    // Another staff member of the same office cannot send into this visit; the device's clock must be plausible.
    const t = await taken('他人 花子');
    const colleague = await stack.login((await createUser(stack.app, 'office_staff', { officeId })).email);
    await colleague
      .post(`/api/visits/${t.visitId}/signatures`)
      .send({ visitDocumentId: t.visitDocumentId, signerId: t.signers.patient, signedAt: new Date().toISOString(), signature: drawn() })
      .expect(404);
    const future = await sync(t, 'patient', drawn(), new Date(Date.now() + 3_600_000).toISOString()).expect(400);
    expect(future.body.message).toContain('端末の時計');
    await sync(t, 'patient', drawn(), 'yesterday').expect(400);
    await stack.http.get('/api/visits/current').expect(401);
    // The web page's 訪問に持ち出す says on the document's page why it cannot.
    const page = await office.post(`/documents/${doc.body.id}/visit`).type('form').send({}).expect(303);
    expect(decodeURIComponent(page.headers.location)).toContain('訪問に持ち出せません');
  });
});
