import request from 'supertest';
import { DataSource } from 'typeorm';
import { TestSmtp, linkIn } from './smtp';
import { Agent, TestStack, formToken } from './test-app';

export interface Consent {
  id: string;
  number: string;
  patientId: string;
  requestId: string;
}

export interface PatientDetails {
  birthDate?: string;
  address?: string;
  phone?: string;
}

/** A patient with one family member (who has an e-mail address), as the office registers them. */
export async function createPatient(office: Agent, name: string, family: { name: string; email: string }, details: PatientDetails = {}) {
  const { birthDate = '1938-04-05', address = '東京都東久留米市滝山1-2-3', phone = '090-1111-2222' } = details;
  const { body } = await office
    .post('/api/patients')
    .send({ name, nameKana: 'しけん', birthDate, address, family: [{ ...family, relation: '長男', phone }] })
    .expect(201);
  return body as { id: string; family: Array<{ id: string }> };
}

/** An issued consent of the office's network (rurume 別紙4 unless said otherwise) for the patient. */
export async function issuedConsent(office: Agent, patientId: string): Promise<{ id: string; number: string }> {
  const doc = await office.post('/api/documents').send({ form: 'patient-consent', subjectId: patientId }).expect(201);
  await office.post(`/api/documents/${doc.body.id}/issue`).expect(201);
  return { id: doc.body.id, number: doc.body.number };
}

/** Sends the consent for signing: the family member by e-mailed link, the explaining staff member in person. */
export async function requestSignatures(office: Agent, documentId: string, family: { name: string; email: string }) {
  const { body } = await office
    .post(`/api/documents/${documentId}/signing`)
    .send({
      signers: [
        { role: 'family1', name: family.name, relation: '長男', method: 'email', email: family.email },
        { role: 'explainer', name: '説明 看護師', method: 'in_person' },
      ],
    })
    .expect(201);
  return body as { id: string; signers: Array<{ id: string; role: string; name: string }> };
}

/** The family member signs through their link (typed), the staff member on the office's device. */
export async function signBoth(
  stack: TestStack,
  smtp: TestSmtp,
  office: Agent,
  req: Awaited<ReturnType<typeof requestSignatures>>,
  email: string,
  typedName = '家族 署名',
) {
  const link = linkIn(await smtp.waitFor((m) => m.to === email && m.subject.includes('署名のお願い')), '/sign/');
  // The family's browser posts what its page carries, CSRF token included.
  const family = request.agent(stack.app.getHttpServer());
  const _csrf = formToken((await family.get(link).expect(200)).text);
  await family.post(link).type('form').send({ consent: 'true', signatureKind: 'typed', typedName, relation: '長男', _csrf }).expect(200);
  const explainer = req.signers.find((s) => s.role === 'explainer')!;
  await office
    .post(`/api/signing/${req.id}/signers/${explainer.id}/in-person`)
    .send({ consent: true, signatureKind: 'typed', typedName: '説明 看護師' })
    .expect(201);
}

export async function waitForSeal(db: DataSource, requestId: string): Promise<string> {
  return waitFor(
    async () => (await db.query(`SELECT sealed_sha256 FROM signing_request WHERE id = $1`, [requestId]))[0]?.sealed_sha256 ?? null,
    'seal',
  );
}

/** A rurume consent signed by the family (by link) and the nurse (in person), sealed and delivered. */
export async function sealedConsent(
  stack: TestStack,
  smtp: TestSmtp,
  office: Agent,
  patientName: string,
  family: { name: string; email: string },
  details: PatientDetails & { typedName?: string } = {},
): Promise<Consent> {
  const patient = await createPatient(office, patientName, family, details);
  const doc = await issuedConsent(office, patient.id);
  const req = await requestSignatures(office, doc.id, family);
  await signBoth(stack, smtp, office, req, family.email, details.typedName);
  await waitForSeal(stack.app.get(DataSource), req.id);
  return { ...doc, patientId: patient.id, requestId: req.id };
}

/** Polls until `probe` gives something (not null/false), or fails naming what it waited for. */
export async function waitFor<T>(probe: () => Promise<T | null | false | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** The consent's 撤回受付票 exemplars, once the worker has sealed them. */
export async function waitForReceipt(office: Agent, documentId: string) {
  return waitFor(async () => {
    const { body } = await office.get(`/api/documents/${documentId}`).expect(200);
    const receipts = (
      body.exemplars as Array<{ sheet: string; pdfSha256: string | null; code: string; holder: string; kind: string }>
    ).filter((e) => e.sheet === 'withdrawal-receipt');
    return receipts.length > 0 && receipts.every((e) => e.pdfSha256) ? receipts : null;
  }, `the withdrawal receipt of ${documentId}`);
}
