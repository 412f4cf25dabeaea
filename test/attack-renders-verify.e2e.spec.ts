import { PDFDocument, StandardFonts } from 'pdf-lib';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { sealPdf } from '../src/signing/pdf-sealer';
import { generateDevCertificate, sealCertificateFromP12 } from '../src/signing/seal-certificate';
import { createOfficeWithManager, createUser } from './support/factories';
import { Agent, TestStack, formToken, getPdf, startStack, waitForRender } from './support/test-app';

/** A PDF anyone can make, with the service's name in its text and metadata. */
async function lookalike(): Promise<Buffer> {
  const document = await PDFDocument.create();
  document.setProducer('renkei-forms');
  document.setCreator('renkei-forms');
  const page = document.addPage();
  page.drawText('renkei-forms sealed by renkei-seal /Type /Sig', { font: await document.embedFont(StandardFonts.Helvetica) });
  // pdf-lib writes its strings as hex: the bytes themselves, as the attacker had them, in a comment.
  return Buffer.concat([Buffer.from(await document.save({ useObjectStreams: false })), Buffer.from('% renkei-forms renkei-seal\n')]);
}

describe('attack run: renders belong to their creator; /verify trusts only its own seal', () => {
  let stack: TestStack;
  let db: DataSource;
  let officeA: Agent;
  let officeB: Agent;
  let jimukyoku: Agent;
  let admin: Agent;

  beforeAll(async () => {
    stack = await startStack();
    db = stack.app.get(DataSource);
    officeA = await stack.login((await createOfficeWithManager(stack.app, 'rurume')).manager.email);
    officeB = await stack.login((await createOfficeWithManager(stack.app, 'rurume')).manager.email);
    jimukyoku = await stack.login((await createUser(stack.app, 'secretariat', { networkId: 'rurume' })).email);
    admin = await stack.login((await createUser(stack.app, 'admin')).email);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('another office, the 事務局 and an admin get 404 for a render and its PDF, exactly as for none; each try audited', async () => {
    const data = { officeName: '秘密の訪問看護', staffName: '秘密 花子', email: 'secret.render@example.jp' };
    const created = await officeA.post('/api/renders').send({ network: 'rurume', form: 'staff-pledge', data }).expect(202);
    const id = created.body.id as string;
    expect(await waitForRender(officeA, id)).toMatchObject({ status: 'done' });
    expect((await getPdf(officeA, `/api/renders/${id}/pdf`)).length).toBeGreaterThan(1000);

    const none = '00000000-0000-4000-8000-000000000000';
    for (const outsider of [officeB, jimukyoku, admin]) {
      for (const suffix of ['', '/pdf']) {
        const refused = await outsider.get(`/api/renders/${id}${suffix}`).expect(404);
        const missing = await outsider.get(`/api/renders/${none}${suffix}`).expect(404);
        expect(refused.body).toEqual({ ...missing.body, message: missing.body.message.replace(none, id) });
        expect(JSON.stringify(refused.body)).not.toContain('秘密');
      }
      const page = await outsider.get(`/renders/${id}`).expect(404);
      expect(page.text).toContain(`印刷依頼「${id}」はありません`);
      expect(page.text).not.toContain('秘密');
    }
    await stack.http.get(`/api/renders/${id}/pdf`).expect(401);
    const [{ count }] = await db.query(
      `SELECT count(*)::int AS count FROM audit_event WHERE action = 'access_denied' AND target_type = 'render' AND target_id = $1`,
      [id],
    );
    expect(count).toBe(9);
    // Its creator still has it, page and all.
    expect((await officeA.get(`/renders/${id}`).expect(200)).text).toContain('PDFができました');
  });

  it('a PDF that merely contains "renkei-forms" (or a fake signature) is not sealed by this service', async () => {
    const fake = await lookalike();
    expect(fake.includes('renkei-forms')).toBe(true);
    const withRange = Buffer.concat([fake, Buffer.from('\n/ByteRange [0 10 20 30] /Contents <3082010a0282010100>\n%%EOF\n')]);
    for (const pdf of [fake, withRange]) {
      const { body } = await stack.http.post('/api/verify').attach('file', pdf, 'fake.pdf').expect(200);
      expect(body).toMatchObject({ sealedByService: false, altered: false, documentNumber: null });
      expect(body.message).toMatch(/^本サービスが封緘した文書ではありません/);
    }
    const verifier = request.agent(stack.app.getHttpServer());
    const _csrf = formToken((await verifier.get('/verify').expect(200)).text);
    const page = await verifier.post('/verify').field('_csrf', _csrf).attach('file', fake, 'fake.pdf').expect(200);
    expect(page.text).toContain('本サービスが封緘した文書ではありません');
    expect(page.text).not.toContain('封緘後に内容が追加・変更されています');
  });

  it('a PAdES seal made by this very code with another certificate is not this service’s seal', async () => {
    const stranger = sealCertificateFromP12(generateDevCertificate('stranger'), 'stranger');
    const sealed = await sealPdf(await lookalike(), stranger, {
      reason: 'renkei-forms',
      location: 'るるめネット',
      contactInfo: 'http://localhost',
      signingTime: new Date(),
    });
    for (const pdf of [sealed, Buffer.concat([sealed, Buffer.from('\n% appended\n%%EOF\n')])]) {
      const { body } = await stack.http.post('/api/verify').attach('file', pdf, 'stranger.pdf').expect(200);
      expect(body).toMatchObject({ sealedByService: false, altered: false });
    }
  });

  it('the service’s own seal: unchanged is sealed; with bytes added after it, or a byte changed inside, it is "sealed, then changed"', async () => {
    const patient = await officeA.post('/api/patients').send({ name: '検証 ハル', family: [{ name: '検証 健太', relation: '長男' }] });
    const doc = await officeA.post('/api/documents').send({ form: 'patient-consent', subjectId: patient.body.id }).expect(201);
    await officeA.post(`/api/documents/${doc.body.id}/issue`).expect(201);
    const { body: req } = await officeA
      .post(`/api/documents/${doc.body.id}/signing`)
      .send({
        signers: [
          { role: 'patient', name: '検証 ハル', method: 'in_person' },
          { role: 'explainer', name: '説明 看護師', method: 'in_person' },
        ],
      })
      .expect(201);
    for (const signer of req.signers) {
      await officeA
        .post(`/api/signing/${req.id}/signers/${signer.id}/in-person`)
        .send({ consent: true, signatureKind: 'typed', typedName: signer.name })
        .expect(201);
    }
    let sealedSha: string | null = null;
    for (let i = 0; i < 300 && !sealedSha; i++) {
      [{ sealed_sha256: sealedSha }] = await db.query(`SELECT sealed_sha256 FROM signing_request WHERE id = $1`, [req.id]);
      if (!sealedSha) await new Promise((r) => setTimeout(r, 100));
    }
    expect(sealedSha).toBeTruthy();
    const exemplars = (await officeA.get(`/api/documents/${doc.body.id}`).expect(200)).body.exemplars;
    const sealed = await getPdf(officeA, `/api/exemplars/${exemplars.find((e: { holder: string }) => e.holder === 'patient').code}/pdf`);

    const genuine = await stack.http.post('/api/verify').attach('file', sealed, 'consent.pdf').expect(200);
    expect(genuine.body).toMatchObject({ sealedByService: true, altered: false, documentNumber: doc.body.number });
    // No TSA in this stack: a bare seal, said so; the document is still in use.
    expect(genuine.body).toMatchObject({ level: 'B-B', timestamps: [], verifiableUntil: null, state: 'valid', stateSince: null });

    const appended = Buffer.concat([sealed, Buffer.from('\n1 0 obj\n<< /Forged true >>\nendobj\n%%EOF\n')]);
    const flipped = Buffer.from(sealed);
    const [, signedUpTo] = /\/ByteRange \[\s*0\s+(\d+)/.exec(sealed.toString('latin1'))!;
    flipped[Math.floor(Number(signedUpTo) / 2)] ^= 0x01;
    for (const pdf of [appended, flipped]) {
      const { body } = await stack.http.post('/api/verify').attach('file', pdf, 'consent.pdf').expect(200);
      expect(body).toMatchObject({ sealedByService: false, altered: true, documentNumber: null, level: null, state: null });
      expect(body.message).toContain('封緘後に内容が追加・変更されています');
    }
  });
});
