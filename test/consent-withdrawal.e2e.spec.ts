import request from 'supertest';
import { DataSource } from 'typeorm';
import { todayInJapan } from '../src/common/japan-date';
import { SealRecordsService } from '../src/signing/seal-records.service';
import { SigningJobsService } from '../src/signing/signing-jobs.service';
import { createPatient, issuedConsent, requestSignatures, sealedConsent, signBoth, waitFor, waitForReceipt } from './support/consents';
import { createOfficeWithManager, createUser } from './support/factories';
import { pdfSignatures, pdfText, squeeze } from './support/pdf-tools';
import { TestSmtp, linkIn, startSmtp } from './support/smtp';
import { Agent, TestStack, formToken, getPdf, startStack } from './support/test-app';
import { TestTsa, startTsa } from './support/tsa';

const daysAgo = (n: number) => todayInJapan(new Date(Date.now() - n * 86_400_000));

describe('withdrawal of consent (同意の撤回) and documents that left use', () => {
  let stack: TestStack;
  let smtp: TestSmtp;
  let tsa: TestTsa;
  let db: DataSource;
  let office: Agent;
  let managerEmail: string;

  beforeAll(async () => {
    smtp = await startSmtp();
    tsa = await startTsa();
    stack = await startStack({ SMTP_URL: smtp.url, TSA_URL: tsa.url });
    db = stack.app.get(DataSource);
    managerEmail = (await createOfficeWithManager(stack.app, 'rurume')).manager.email;
    office = await stack.login(managerEmail);
  });
  afterAll(async () => {
    await stack?.close();
    await smtp?.close();
    await tsa?.close();
  });

  /** A family member's browser with no link page to open (it answers 410): its CSRF token from /verify. */
  const anonymousBrowser = async () => {
    const family = request.agent(stack.app.getHttpServer());
    return { family, _csrf: formToken((await family.get('/verify').expect(200)).text) };
  };
  const statusOf = async (id: string) => (await office.get(`/api/documents/${id}`).expect(200)).body.status as string;

  it('revokes a sealed consent: a sealed 撤回受付票 for both parties, its pending correction and open request cancelled', async () => {
    const family = { name: '撤回 健太', email: 'kenta.revoke@example.jp' };
    const consent = await sealedConsent(stack, smtp, office, '撤回 ハル', family);
    const signedCopy = await smtp.waitFor((m) => m.to === family.email && m.subject.includes('署名済み'));
    expect(signedCopy.text).toContain('/withdraw/'); // the family may withdraw later through their own link
    const familyDownload = linkIn(signedCopy, '/d/');

    // A correction of the consent is on its way to the family for signature: an open request.
    const current = (await office.get(`/api/documents/${consent.id}`).expect(200)).body;
    const data = { ...current.version.data, patient: { ...current.version.data.patient, address: '東京都東久留米市滝山9-9-9' } };
    const correction = (await office.post(`/api/documents/${consent.id}/versions`).send({ data }).expect(201)).body;
    await office.post(`/api/documents/${correction.id}/issue`).expect(201);
    const correctionRequest = await requestSignatures(office, correction.id, { ...family, email: 'kenta.correction@example.jp' });
    const correctionLink = linkIn(await smtp.waitFor((m) => m.to === 'kenta.correction@example.jp'), '/sign/');

    // Bad input of every kind: a clear 400/404/409, and nothing changes.
    const url = `/api/documents/${consent.id}/consent-withdrawal`;
    const invalid = await office
      .post(url)
      .send({ receivedVia: 'fax', receivedAt: '2099-01-01', note: 'x'.repeat(501) })
      .expect(400);
    expect(invalid.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['note', 'receivedAt', 'receivedVia']);
    expect(invalid.body.errors.find((e: { path: string }) => e.path === 'receivedAt').message).toContain('未来の日付は入力できません');
    await office.post(url).send({ receivedVia: 'phone', receivedAt: '2026-02-30' }).expect(400);
    await office.post(url).send({ receivedVia: 'phone' }).expect(400);
    const early = await office
      .post(url)
      .send({ receivedVia: 'phone', receivedAt: daysAgo(3) })
      .expect(400);
    expect(early.body.errors).toEqual([{ path: 'receivedAt', label: '撤回の受付日', message: expect.stringContaining('同意の日') }]);
    const unsigned = await office
      .post(`/api/documents/${correction.id}/consent-withdrawal`)
      .send({ receivedVia: 'phone', receivedAt: todayInJapan() });
    expect(unsigned.status).toBe(409);
    expect(unsigned.body.message).toContain('まだ署名されていない');
    const other = await stack.login((await createOfficeWithManager(stack.app, 'rurume')).manager.email);
    expect((await other.post(url).send({ receivedVia: 'phone', receivedAt: todayInJapan() })).status).toBe(404);
    const secretariat = await stack.login((await createUser(stack.app, 'secretariat', { networkId: 'rurume' })).email);
    expect((await secretariat.post(url).send({ receivedVia: 'phone', receivedAt: todayInJapan() })).status).toBe(404);
    await stack.http.post(url).send({ receivedVia: 'phone', receivedAt: todayInJapan() }).expect(401);
    expect(await statusOf(consent.id)).toBe('signed');
    expect(await statusOf(correction.id)).toBe('issued');
    expect((await db.query(`SELECT count(*)::int AS n FROM consent_withdrawal WHERE document_id = $1`, [consent.id]))[0].n).toBe(0);

    // A form that is not a consent cannot be "withdrawn" as one.
    const staff = await office.post('/api/staff').send({ name: '誓約 花子', email: 'hanako.pledge@example.jp' }).expect(201);
    const pledge = await office.post('/api/documents').send({ form: 'staff-pledge', subjectId: staff.body.id }).expect(201);
    await office.post(`/api/documents/${pledge.body.id}/issue`).expect(201);
    await office.post(`/api/documents/${pledge.body.id}/paper-signature`).expect(201);
    const notConsent = await office
      .post(`/api/documents/${pledge.body.id}/consent-withdrawal`)
      .send({ receivedVia: 'paper', receivedAt: todayInJapan() });
    expect(notConsent.status).toBe(409);
    expect(notConsent.body.message).toContain('同意書ではない');

    // The withdrawal, received by phone today.
    const recorded = await office
      .post(url)
      .send({ receivedVia: 'phone', receivedAt: todayInJapan(), note: '長男様よりお電話' })
      .expect(201);
    expect(recorded.body).toMatchObject({
      documentId: consent.id,
      receivedVia: 'phone',
      receivedAt: todayInJapan(),
      recordedByName: '試験 office_manager',
    });
    const revoked = (await office.get(`/api/documents/${consent.id}`).expect(200)).body;
    expect(revoked).toMatchObject({ status: 'revoked', endedOn: todayInJapan() });
    expect((await office.post(url).send({ receivedVia: 'phone', receivedAt: todayInJapan() })).status).toBe(409); // once
    await office.post(`/api/documents/${consent.id}/versions`).send({ data }).expect(409); // it cannot be used again

    // Its unsigned correction left use with it: the request is cancelled and its link refused with a reason.
    expect(await statusOf(correction.id)).toBe('withdrawn');
    const requests = (await office.get(`/api/documents/${correction.id}/signing`).expect(200)).body;
    expect(requests.find((r: { id: string }) => r.id === correctionRequest.id).status).toBe('cancelled');
    const refused = await stack.http.get(correctionLink).expect(410);
    expect(refused.text).toContain('署名の必要はありません');
    const { family: someone, _csrf } = await anonymousBrowser();
    await someone
      .post(correctionLink)
      .type('form')
      .send({ consent: 'true', signatureKind: 'typed', typedName: '家族', relation: '長男', _csrf })
      .expect(410);

    // The 撤回受付票: sealed like a signed PDF, one 原本 for each party (rurume: 2通, 双方が所持).
    const receipts = await waitForReceipt(office, consent.id);
    expect(receipts.map((e) => [e.kind, e.holder]).sort()).toEqual([
      ['original', 'office'],
      ['original', 'patient'],
    ]);
    const officeReceipt = await getPdf(office, `/api/exemplars/${receipts.find((e) => e.holder === 'office')!.code}/pdf`);
    const report = pdfSignatures(officeReceipt);
    expect(report).toContain('Signature Validation: Signature is Valid.');
    expect(report).toContain('Total document signed');
    const text = squeeze(pdfText(officeReceipt));
    expect(text).toContain('同意の撤回受付票');
    expect(text).toContain('撤回ハル');
    expect(text).toContain(consent.number);
    expect(text).toContain('電話');
    expect(text).toContain('長男様よりお電話');
    const history = (await office.get(`/api/exemplars/${receipts.find((e) => e.holder === 'patient')!.code}/history`).expect(200)).body;
    expect(history.events.map((e: { type: string }) => e.type)).toEqual(['issued', 'signed_electronically', 'handed_to_family']);
    expect(history.chain.valid).toBe(true);
    expect(JSON.stringify(history.events)).not.toContain(family.email); // the ledger names no one

    // The family gets theirs by e-mail: the identical sealed file. Their copy of the revoked consent is no longer delivered.
    const receiptMail = await smtp.waitFor((m) => m.to === family.email && m.subject.includes('撤回を受け付けました'));
    const download = await getPdf(stack.http, linkIn(receiptMail, '/d/'));
    expect(download.equals(officeReceipt)).toBe(true);
    expect((await stack.http.get(familyDownload).expect(410)).text).toContain('撤回');
    const audit = await db.query(`SELECT detail FROM audit_event WHERE action = 'consent_withdrawn' AND target_id = $1`, [consent.id]);
    expect(audit[0].detail).toMatchObject({ via: 'phone', corrections: [correction.number] });
  });

  it('refuses a link already mailed for a withdrawn draft (410, its page), and sends no reminder for it', async () => {
    const family = { name: '取下 一郎', email: 'ichiro.withdrawn@example.jp' };
    const patient = await createPatient(office, '取下 トメ', family);
    const doc = await issuedConsent(office, patient.id);
    const req = await requestSignatures(office, doc.id, family);
    const link = linkIn(await smtp.waitFor((m) => m.to === family.email), '/sign/');
    await stack.http.get(link).expect(200);

    const withdrawn = await office.post(`/api/documents/${doc.id}/withdraw`).expect(201);
    expect(withdrawn.body.status).toBe('withdrawn');
    const page = await stack.http.get(link).expect(410);
    expect(page.text).toContain('署名のページを開けません');
    expect(page.text).toContain('取り下げたため、署名できません');
    const { family: someone, _csrf } = await anonymousBrowser();
    await someone
      .post(link)
      .type('form')
      .send({ consent: 'true', signatureKind: 'typed', typedName: '取下 一郎', relation: '長男', _csrf })
      .expect(410);
    const [signer] = await db.query(`SELECT status FROM signer WHERE request_id = $1 AND role = 'family1'`, [req.id]);
    expect(signer.status).toBe('pending');
    expect((await db.query(`SELECT status FROM signing_request WHERE id = $1`, [req.id]))[0].status).toBe('cancelled');
    // In person, on the office's device: refused too.
    const explainer = req.signers.find((s) => s.role === 'explainer')!;
    await office
      .post(`/api/signing/${req.id}/signers/${explainer.id}/in-person`)
      .send({ consent: true, signatureKind: 'typed', typedName: '説明' })
      .expect(410);
    // No further mail: the reminder finds nothing to send.
    const before = smtp.messages.filter((m) => m.to === family.email).length;
    const familySigner = req.signers.find((s) => s.role === 'family1')!;
    expect(await stack.worker.get(SigningJobsService).remind(familySigner.id)).toBe(false);
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.messages.filter((m) => m.to === family.email)).toHaveLength(before);
    // Withdrawing twice, or a signed document, is refused.
    await office.post(`/api/documents/${doc.id}/withdraw`).expect(409);
  });

  it('never seals nor delivers a document withdrawn after its last signature: sealing checks its state again', async () => {
    const family = { name: '封緘 次郎', email: 'jiro.unsealed@example.jp' };
    const patient = await createPatient(office, '封緘 キヨ', family);
    const doc = await issuedConsent(office, patient.id);
    const req = await requestSignatures(office, doc.id, family);
    tsa.behaviour = 'http-error'; // the seal waits for the timestamping authority…
    const asked = tsa.requests;
    await signBoth(stack, smtp, office, req, family.email);
    await waitFor(async () => tsa.requests > asked, 'a first seal attempt');
    // …while the office withdraws the document.
    await office.post(`/api/documents/${doc.id}/withdraw`).expect(201);
    tsa.behaviour = 'grant';
    await stack.worker.get(SigningJobsService).sweep();
    await waitFor(
      async () => (await db.query(`SELECT status FROM signing_request WHERE id = $1`, [req.id]))[0].status === 'cancelled',
      'the abandoned seal',
    );
    const [row] = await db.query(`SELECT sealed_sha256 FROM signing_request WHERE id = $1`, [req.id]);
    expect(row.sealed_sha256).toBeNull();
    expect(await statusOf(doc.id)).toBe('withdrawn');
    expect(smtp.messages.some((m) => m.to === family.email && m.subject.includes('署名済み'))).toBe(false);

    // The check inside the recording transaction itself: a source read while the document was issued, recorded after.
    const other = await createPatient(office, '封緘 ミツ', { name: '封緘 三郎', email: 'saburo.unsealed@example.jp' });
    const second = await issuedConsent(office, other.id);
    const secondRequest = await requestSignatures(office, second.id, { name: '封緘 三郎', email: 'saburo.unsealed@example.jp' });
    tsa.behaviour = 'http-error';
    await signBoth(stack, smtp, office, secondRequest, 'saburo.unsealed@example.jp');
    const records = stack.worker.get(SealRecordsService);
    const source = await records.sourceOf(await records.request(secondRequest.id));
    await office.post(`/api/documents/${second.id}/withdraw`).expect(201);
    const files = {
      sealed: Buffer.from('%PDF-1.7 not really'),
      copy: null,
      pageCount: 1,
      preSealSha256: '0'.repeat(64),
      signingTime: new Date(),
      certificateSha256: '0'.repeat(64),
    };
    expect(await records.recordSealed(source, files)).toEqual({ sha256: null, sealedNow: false });
    expect((await db.query(`SELECT status, sealed_sha256 FROM signing_request WHERE id = $1`, [secondRequest.id]))[0]).toEqual({
      status: 'cancelled',
      sealed_sha256: null,
    });
    tsa.behaviour = 'grant';
  });

  it('lets the family withdraw through the link in their copy e-mail; the office is told', async () => {
    const family = { name: '連絡 太郎', email: 'taro.link@example.jp' };
    const consent = await sealedConsent(stack, smtp, office, '連絡 ウメ', family);
    const copy = await smtp.waitFor((m) => m.to === family.email && m.subject.includes('署名済み'));
    const withdrawLink = new URL(/https?:\/\/\S+\/withdraw\/[A-Za-z0-9_-]+/.exec(copy.text)![0]).pathname;
    const browser = request.agent(stack.app.getHttpServer());
    const page = await browser.get(withdrawLink).expect(200);
    expect(page.text).toContain('在宅医療における個人情報連携同意書');
    expect(page.text).toContain(consent.number);
    const _csrf = formToken(page.text);
    const unconfirmed = await browser.post(withdrawLink).type('form').send({ note: '母の意向です', _csrf }).expect(400);
    expect(unconfirmed.text).toContain('チェックを入れてください');
    expect(await statusOf(consent.id)).toBe('signed');
    const done = await browser.post(withdrawLink).type('form').send({ note: '母の意向です', confirm: 'on', _csrf }).expect(200);
    expect(done.text).toContain('撤回を受け付けました');
    const withdrawal = (
      await db.query(`SELECT received_via, recorded_by, recorded_by_name FROM consent_withdrawal WHERE document_id = $1`, [consent.id])
    )[0];
    expect(withdrawal).toEqual({ received_via: 'link', recorded_by: null, recorded_by_name: 'ご本人・ご家族（メールのリンク）' });
    expect(await statusOf(consent.id)).toBe('revoked');
    const notice = await smtp.waitFor((m) => m.to === managerEmail && m.subject.includes('同意の撤回の申し出'));
    expect(notice.text).toContain('母の意向です');
    expect(notice.text).toContain(`/office/patients/${consent.patientId}`);
    expect((await stack.http.get(withdrawLink).expect(410)).text).toContain('撤回されています');
    await stack.http.get('/withdraw/not-a-link').expect(404);
    await smtp.waitFor((m) => m.to === family.email && m.subject.includes('撤回を受け付けました'));
  });

  it('gives a musashimurayama receipt as its consent is kept: the office’s 原本, the family’s stamped 写し, handed over', async () => {
    const mm = await stack.login((await createOfficeWithManager(stack.app, 'musashimurayama')).manager.email);
    const patient = await createPatient(mm, '武蔵 ハナ', { name: '武蔵 一郎', email: 'ichiro.mm@example.jp' });
    const doc = await issuedConsent(mm, patient.id);
    await mm.post(`/api/documents/${doc.id}/paper-signature`).expect(201);
    await mm.post(`/api/documents/${doc.id}/consent-withdrawal`).send({ receivedVia: 'in_person', receivedAt: todayInJapan() }).expect(201);
    const receipts = await waitForReceipt(mm, doc.id);
    expect(receipts.map((e) => [e.kind, e.holder]).sort()).toEqual([
      ['copy', 'patient'],
      ['original', 'office'],
    ]);
    const original = await getPdf(mm, `/api/exemplars/${receipts.find((e) => e.kind === 'original')!.code}/pdf`);
    const copy = await getPdf(mm, `/api/exemplars/${receipts.find((e) => e.kind === 'copy')!.code}/pdf`);
    expect(pdfSignatures(original)).toContain('Signature Validation: Signature is Valid.');
    expect(pdfText(copy)).toContain('写し');
    expect(pdfSignatures(copy)).not.toContain('Signature is Valid');
    // Nobody signed by e-mail: the office hands the family's 写し over, and the document page offers to record it.
    const page = (await mm.get(`/documents/${doc.id}`).expect(200)).text;
    expect(page).toContain('撤回受付票 写し');
    expect(page).toContain('家族へ手渡しを記録');
  });
});
