import request from 'supertest';
import { createHash } from 'node:crypto';
import { todayInJapan } from '../src/common/japan-date';
import { DataSource } from 'typeorm';
import { readSignatures } from '../src/signing/pdf-archive';
import { ArchiveRenewalService } from '../src/signing/archive-renewal.service';
import { SweeperService } from '../src/sweeper/sweeper.service';
import { requestSignatures, sealedConsent, signBoth, waitForReceipt, waitForSeal } from './support/consents';
import { createOfficeWithManager } from './support/factories';
import { pdfSignatures } from './support/pdf-tools';
import { TestSmtp, startSmtp } from './support/smtp';
import { TestCa, startTestCa } from './support/test-ca';
import { Agent, TestStack, formToken, getPdf, startStack } from './support/test-app';
import { TestTsa, startTsa } from './support/tsa';

describe('sealing B-LTA with a CA that publishes OCSP and CRLs, and /verify telling the whole truth', () => {
  let ca: TestCa;
  let tsa: TestTsa;
  let smtp: TestSmtp;
  let stack: TestStack;
  let office: Agent;
  let db: DataSource;

  beforeAll(async () => {
    ca = await startTestCa();
    const tsaCertificate = ca.issueTsaCertificate(3650);
    tsa = await startTsa({ certificate: tsaCertificate.der, key: tsaCertificate.key, chain: [ca.intermediate.der, ca.root.der] });
    smtp = await startSmtp();
    stack = await startStack({ SMTP_URL: smtp.url, TSA_URL: tsa.url, SEAL_P12_PATH: ca.sealP12Path, SEAL_P12_PASSWORD: 'test' });
    db = stack.app.get(DataSource);
    office = await stack.login((await createOfficeWithManager(stack.app, 'rurume')).manager.email);
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
    await smtp?.close();
    await tsa?.close();
    await ca?.close();
  });

  const verifyApi = async (pdf: Buffer) => (await stack.http.post('/api/verify').attach('file', pdf, 'consent.pdf').expect(200)).body;
  const verifyPage = async (pdf: Buffer) => {
    const browser = request.agent(stack.app.getHttpServer());
    const _csrf = formToken((await browser.get('/verify').expect(200)).text);
    return (await browser.post('/verify').field('_csrf', _csrf).attach('file', pdf, 'consent.pdf').expect(200)).text;
  };
  const exemplarOf = async (documentId: string, holder: string) => {
    const { body } = await office.get(`/api/documents/${documentId}`).expect(200);
    const exemplar = body.exemplars.find((e: { holder: string; sheet: string }) => e.holder === holder && e.sheet === 'form');
    return getPdf(office, `/api/exemplars/${exemplar.code}/pdf`);
  };

  it('a sealed consent is B-LTA; /verify names its level, both timestamps, until when, and that it is valid; once withdrawn, says so and when', async () => {
    const consent = await sealedConsent(stack, smtp, office, '長期 ハル', { name: '長期 健太', email: 'kenta.lta@example.jp' });
    const familyCopy = await exemplarOf(consent.id, 'patient');

    const signatures = readSignatures(familyCopy);
    expect(signatures.map((s) => [s.kind, s.holds])).toEqual([
      ['seal', true],
      ['document-timestamp', true],
    ]);
    expect(pdfSignatures(familyCopy).split('Signature #2')[0]).toContain('Signature Validation: Signature is Valid.');
    expect(ca.crlRequests).toBeGreaterThan(0);

    const body = await verifyApi(familyCopy);
    expect(body).toMatchObject({
      sealedByService: true,
      altered: false,
      documentNumber: consent.number,
      level: 'B-LTA',
      state: 'valid',
      stateSince: null,
    });
    expect(body.timestamps).toEqual([
      { kind: 'signature', time: expect.any(String), issuer: 'renkei Test TSA (renkei-forms tests)' },
      { kind: 'document', time: expect.any(String), issuer: 'renkei Test TSA (renkei-forms tests)' },
    ]);
    expect(new Date(body.verifiableUntil).getTime()).toBeGreaterThan(Date.now() + 9 * 365 * 86_400_000);
    expect(JSON.stringify(body)).not.toContain('長期'); // no personal data
    const page = await verifyPage(familyCopy);
    expect(page).toContain('長期署名（PAdES B-LTA）');
    expect(page).toContain('文書タイムスタンプ:');
    expect(page).toContain('現在も有効な文書です');

    // Bytes appended after our last document timestamp: sealed, then changed.
    const appended = Buffer.concat([familyCopy, Buffer.from('\n% appended\n%%EOF\n')]);
    expect(await verifyApi(appended)).toMatchObject({ sealedByService: false, altered: true, state: null, level: null });
    // A byte changed inside the validation data (after the seal, before the document timestamp's end): changed too.
    const dssAt = familyCopy.indexOf('/Type /DSS');
    const flipped = Buffer.from(familyCopy);
    flipped[dssAt + 2] ^= 0x01;
    expect(await verifyApi(flipped)).toMatchObject({ sealedByService: false, altered: true });

    // The family withdraws their consent; the copy they hold still verifies, and says it was withdrawn, and when.
    await office
      .post(`/api/documents/${consent.id}/consent-withdrawal`)
      .send({ receivedVia: 'phone', receivedAt: todayInJapan() })
      .expect(201);
    const after = await verifyApi(familyCopy);
    expect(after).toMatchObject({ sealedByService: true, altered: false, state: 'revoked', stateSince: todayInJapan() });
    const [year, month, day] = todayInJapan().split('-').map(Number);
    expect(await verifyPage(familyCopy)).toContain(`この同意は${year}年${month}月${day}日に撤回されました`);
    // The new fields are in the OpenAPI contract.
    const openApi = (await stack.http.get('/api/docs-json').expect(200)).body;
    const schema = openApi.components.schemas.VerificationDto;
    expect(schema.properties.level.enum).toEqual(['B-B', 'B-T', 'B-LT', 'B-LTA']);
    expect(schema.properties.state.enum).toEqual(['valid', 'revoked', 'withdrawn', 'superseded']);
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['sealedByService', 'altered', 'timestamps', 'verifiableUntil', 'stateSince']),
    );
    expect(openApi.paths['/api/verify'].post.responses['200'].content['application/json'].schema.$ref).toBe(
      '#/components/schemas/VerificationDto',
    );
    await waitForReceipt(office, consent.id); // sealed with this authority's certificate, before the next test changes it
  });

  it('the one sweeper renews every sealed file whose timestamp certificate ends within ARCHIVE_RENEW_DAYS: form and 撤回受付票', async () => {
    const useTsa = (days: number) => {
      const issued = ca.issueTsaCertificate(days);
      tsa.useCertificate({ certificate: issued.der, key: issued.key, chain: [ca.intermediate.der, ca.root.der] });
    };
    useTsa(30); // the authority's certificate ends in a month
    const consent = await sealedConsent(stack, smtp, office, '更新 ハル', { name: '更新 健太', email: 'kenta.renew@example.jp' });
    const familyCopy = await exemplarOf(consent.id, 'patient');
    await office
      .post(`/api/documents/${consent.id}/consent-withdrawal`)
      .send({ receivedVia: 'paper', receivedAt: todayInJapan() })
      .expect(201);
    const receipts = await waitForReceipt(office, consent.id);
    const receiptCode = receipts.find((e) => e.holder === 'office')!.code;
    const receiptBefore = await getPdf(office, `/api/exemplars/${receiptCode}/pdf`);
    const before = await verifyApi(familyCopy);
    expect(new Date(before.verifiableUntil).getTime()).toBeLessThan(Date.now() + 31 * 86_400_000);

    useTsa(3650);
    // Two renewals of one file at once (two workers' sweeps): one renews it, the other finds it done.
    const renewal = stack.worker.get(ArchiveRenewalService);
    const familySha = createHash('sha256').update(familyCopy).digest('hex');
    expect((await Promise.all([renewal.renew(familySha), renewal.renew(familySha)])).filter(Boolean)).toHaveLength(1);
    const sweep = await stack.worker.get(SweeperService).sweepAll();
    expect(sweep.errors).toEqual([]);
    expect(sweep.requeued.archiveRenewals).toBe(1); // the 撤回受付票 (the consent's file is renewed; the first test's are not due)

    const renewed = await exemplarOf(consent.id, 'patient');
    expect(renewed.subarray(0, familyCopy.length).equals(familyCopy)).toBe(true); // appended; earlier bytes untouched
    const signatures = readSignatures(renewed);
    expect(signatures.map((s) => [s.kind, s.holds])).toEqual([
      ['seal', true],
      ['document-timestamp', true],
      ['document-timestamp', true],
    ]);
    expect(pdfSignatures(renewed).split('Signature #2')[0]).toContain('Signature Validation: Signature is Valid.');
    const body = await verifyApi(renewed);
    expect(body).toMatchObject({ sealedByService: true, altered: false, level: 'B-LTA', state: 'revoked' });
    expect(body.timestamps.map((t: { kind: string }) => t.kind)).toEqual(['signature', 'document', 'document']);
    expect(new Date(body.verifiableUntil).getTime()).toBeGreaterThan(Date.now() + 9 * 365 * 86_400_000);
    // The copy the family was sent before the renewal still verifies as ours, unchanged.
    expect(await verifyApi(familyCopy)).toMatchObject({ sealedByService: true, altered: false, level: 'B-LTA' });

    const receiptAfter = await getPdf(office, `/api/exemplars/${receiptCode}/pdf`);
    expect(receiptAfter.length).toBeGreaterThan(receiptBefore.length);
    expect(receiptAfter.subarray(0, receiptBefore.length).equals(receiptBefore)).toBe(true);
    expect(readSignatures(receiptAfter).filter((s) => s.kind === 'document-timestamp' && s.holds)).toHaveLength(2);

    // Recorded on the exemplars' ledgers (their state unchanged) and in the audit log.
    const history = (await office.get(`/api/exemplars/${receiptCode}/history`).expect(200)).body;
    expect(history.events.map((e: { type: string }) => e.type)).toContain('archive_renewed');
    expect(history.chain.valid).toBe(true);
    const audit = await db.query(`SELECT detail FROM audit_event WHERE action = 'archive_timestamp_renewed' AND target_id = $1`, [
      consent.id,
    ]);
    expect(audit).toHaveLength(2);
    expect(JSON.stringify(audit)).not.toContain('更新');

    // Nothing is due any more.
    expect((await stack.worker.get(SweeperService).sweepAll()).requeued.archiveRenewals).toBe(0);
  });

  it('a consent superseded by a signed correction: its copy verifies, and says since when it is superseded', async () => {
    const family = { name: '訂正 健太', email: 'kenta.corrected@example.jp' };
    const consent = await sealedConsent(stack, smtp, office, '訂正 ハル', family);
    const familyCopy = await exemplarOf(consent.id, 'patient');
    const current = (await office.get(`/api/documents/${consent.id}`).expect(200)).body;
    const data = { ...current.version.data, patient: { ...current.version.data.patient, address: '東京都東久留米市滝山9-9-9' } };
    const correction = (await office.post(`/api/documents/${consent.id}/versions`).send({ data }).expect(201)).body;
    await office.post(`/api/documents/${correction.id}/issue`).expect(201);
    expect(await verifyApi(familyCopy)).toMatchObject({ state: 'valid' }); // issued, not yet signed: not superseded
    const req = await requestSignatures(office, correction.id, { ...family, email: 'kenta.corrected2@example.jp' });
    await signBoth(stack, smtp, office, req, 'kenta.corrected2@example.jp');
    await waitForSeal(db, req.id);
    expect(await verifyApi(familyCopy)).toMatchObject({ sealedByService: true, state: 'superseded', stateSince: todayInJapan() });
    expect(await verifyPage(familyCopy)).toContain('訂正版に差し替えられています');
  });
});
