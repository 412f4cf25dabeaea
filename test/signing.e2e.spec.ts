import { execFileSync } from 'node:child_process';
import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { JOB_IDS, SIGNING_QUEUE } from '../src/common/queues';
import { sealTimestamp } from '../src/signing/pdf-sealer';
import { SigningJobsService } from '../src/signing/signing-jobs.service';
import { createOfficeWithManager } from './support/factories';
import { pdfSignatures as pdfsig, pdfText, squeeze } from './support/pdf-tools';
import { signaturePng } from './support/png';
import { TestSmtp, linkIn, startSmtp } from './support/smtp';
import { Agent, TestStack, formToken, getPdf, startStack } from './support/test-app';
import { TestTsa, startTsa } from './support/tsa';

describe('signing: links, PIN, in person, sealing, copies, verification', () => {
  let stack: TestStack;
  let smtp: TestSmtp;
  let tsa: TestTsa;
  let office: Agent;
  let db: DataSource;

  beforeAll(async () => {
    smtp = await startSmtp();
    tsa = await startTsa();
    stack = await startStack({ SMTP_URL: smtp.url, TSA_URL: tsa.url });
    db = stack.app.get(DataSource);
    office = await stack.login((await createOfficeWithManager(stack.app, 'rurume')).manager.email);
  });
  afterAll(async () => {
    await stack?.close();
    await smtp?.close();
    await tsa?.close();
  });

  /** An issued rurume 別紙4 consent for a new patient. */
  async function issuedConsent(): Promise<{ id: string; number: string }> {
    const patient = await office
      .post('/api/patients')
      .send({ name: '署名 ハル', family: [{ name: '署名 健太', relation: '長男', email: 'kenta@example.jp' }] })
      .expect(201);
    const doc = await office.post('/api/documents').send({ form: 'patient-consent', subjectId: patient.body.id }).expect(201);
    await office.post(`/api/documents/${doc.body.id}/issue`).expect(201);
    return doc.body;
  }

  async function requestSignatures(documentId: string, family: { email: string; accessCode?: string; name?: string }) {
    const { body } = await office
      .post(`/api/documents/${documentId}/signing`)
      .send({
        signers: [
          { role: 'family1', name: '署名 健太', relation: '長男', method: 'email', ...family },
          { role: 'explainer', name: '説明 看護師', method: 'in_person' },
        ],
      })
      .expect(201);
    return body as { id: string; signers: Array<{ id: string; role: string }> };
  }

  /** The patient and the explaining nurse both sign on the office's tablet: the request completes. */
  async function signAllInPerson(documentId: string): Promise<{ id: string }> {
    const { body } = await office
      .post(`/api/documents/${documentId}/signing`)
      .send({
        signers: [
          { role: 'patient', name: '署名 ハル', method: 'in_person' },
          { role: 'explainer', name: '説明 看護師', method: 'in_person' },
        ],
      })
      .expect(201);
    for (const signer of body.signers) {
      await office
        .post(`/api/signing/${body.id}/signers/${signer.id}/in-person`)
        .send({ consent: true, signatureKind: 'typed', typedName: signer.name })
        .expect(201);
    }
    return body;
  }

  async function waitForSeal(requestId: string): Promise<string> {
    for (let i = 0; i < 300; i++) {
      const [row] = await db.query(`SELECT sealed_sha256 FROM signing_request WHERE id = $1`, [requestId]);
      if (row?.sealed_sha256) return row.sealed_sha256;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('not sealed');
  }

  it('runs a consent from e-mailed link and PIN to a sealed PDF every party receives', async () => {
    const doc = await issuedConsent();
    const req = await requestSignatures(doc.id, { email: 'kenta+full@example.jp', accessCode: '4321' });
    const invite = await smtp.waitFor((m) => m.to === 'kenta+full@example.jp');
    expect(invite.subject).toContain('在宅医療における個人情報連携同意書への署名のお願い');
    expect(invite.text).toContain('暗証番号');
    const link = linkIn(invite, '/sign/');
    expect(link.length).toBeGreaterThan('/sign/'.length + 22); // ≥ 128 bits of token

    // The family opens the link: the PIN comes first, and the document is behind it.
    const family = request.agent(stack.app.getHttpServer());
    const pinPage = (await family.get(link).expect(200)).text;
    expect(pinPage).toContain('暗証番号の入力');
    const _csrf = formToken(pinPage); // the family's browser posts what its pages carry
    await family.get(`${link}/document`).expect(401);
    expect((await family.post(`${link}/pin`).type('form').send({ code: '0000', _csrf }).expect(401)).text).toContain('あと4回');
    await family.post(`${link}/pin`).type('form').send({ code: '4321', _csrf }).expect(303);
    const page = await family.get(link).expect(200);
    expect(page.text).toContain('同意して署名する');
    expect(page.text).toContain('個人情報の利用目的を読む'); // rurume has 別紙5
    expect((await family.get(`${link}/document`).expect(200)).text).toContain('署名 ハル');

    // Every problem at once, then a drawn signature.
    const invalid = await family.post(link).type('form').send({ signatureKind: 'drawn', relation: '', _csrf }).expect(400);
    expect(invalid.text).toContain('チェックを入れてください');
    expect(invalid.text).toContain('続柄を入力してください');
    expect(invalid.text).toContain('指で署名してください');
    await family
      .post(link)
      .type('form')
      .send({ consent: 'true', signatureKind: 'drawn', signatureImage: signaturePng(), relation: '長男', _csrf })
      .expect(200);
    await family.get(link).expect(404); // a used link is dead…
    // …and signs nothing
    await family.post(link).type('form').send({ consent: 'true', signatureKind: 'typed', typedName: '二度目', _csrf }).expect(404);

    // The explaining nurse signs on the office's tablet.
    const explainer = req.signers.find((s) => s.role === 'explainer')!;
    const done = await office
      .post(`/api/signing/${req.id}/signers/${explainer.id}/in-person`)
      .send({ consent: true, signatureKind: 'typed', typedName: '説明 看護師' })
      .expect(201);
    expect(done.body).toEqual({ alreadySigned: false, completed: true });

    const sha = await waitForSeal(req.id);
    const sealedDoc = await office.get(`/api/documents/${doc.id}`).expect(200);
    expect(sealedDoc.body.status).toBe('signed');
    const [officeOriginal] = sealedDoc.body.exemplars.filter((e: { holder: string }) => e.holder === 'office');
    const sealed = await getPdf(office, `/api/exemplars/${officeOriginal.code}/pdf`);
    const signatureReport = pdfsig(sealed);
    expect(signatureReport).toContain('Signature Validation: Signature is Valid.');
    expect(signatureReport).toContain('Total document signed');
    expect(signatureReport).toContain('ETSI.CAdES.detached');
    const text = squeeze(pdfText(sealed));
    expect(text).toContain('電子署名の監査記録');
    expect(text).toContain('RFC3161タイムスタンプで証明'); // this stack seals with a timestamping authority
    expect(text).toMatch(/氏名：署名健太.*続柄：長男/); // the signer's details fill the form where the office left them blank
    expect(text).toContain('kenta+full@example.jp'); // the audit page: who, how, when, from where
    expect(text).toContain('対面（事業所の端末）立会:');
    expect(text).toMatch(/封緘前の文書の[0-9a-f]{64}SHA-256/);
    expect(text).toContain('説明看護師'); // the typed signature, in its place
    expect(execFileSync('pdfinfo', ['-'], { input: sealed, encoding: 'utf8' })).toMatch(/Pages:\s+3/); // 2 form pages + audit

    // The family gets its 原本 (rurume: 2通, each party an original) by an expiring link: the identical sealed file.
    const copyMail = await smtp.waitFor((m) => m.to === 'kenta+full@example.jp' && m.subject.includes('署名済み'));
    expect(copyMail.subject).toContain('原本');
    // Behind the same 暗証番号 as the signing link (issue 21).
    const copyLink = linkIn(copyMail, '/d/');
    expect((await family.get(copyLink).expect(401)).text).toContain('暗証番号の入力');
    await family.post(`${copyLink}/pin`).type('form').send({ code: '4321', _csrf }).expect(303);
    const download = await getPdf(family, copyLink);
    expect(download.equals(sealed)).toBe(true);
    const history = await office
      .get(`/api/exemplars/${sealedDoc.body.exemplars.find((e: { holder: string }) => e.holder === 'patient').code}/history`)
      .expect(200);
    expect(history.body.events.map((e: { type: string }) => e.type)).toEqual(['issued', 'signed_electronically', 'handed_to_family']);

    // Anyone can verify the file; a flipped byte fails both pdfsig and the verification page.
    const verified = await stack.http.post('/api/verify').attach('file', sealed, 'consent.pdf').expect(200);
    expect(verified.body).toMatchObject({ sealedByService: true, altered: false, documentNumber: doc.number });
    expect(verified.body.timestamp.authority).toContain('Test Timestamping Authority'); // RFC 3161, over the seal
    const verifier = request.agent(stack.app.getHttpServer());
    const verifyToken = formToken((await verifier.get('/verify').expect(200)).text);
    expect((await verifier.post('/verify').field('_csrf', verifyToken).attach('file', sealed, 'consent.pdf').expect(200)).text).toMatch(
      /タイムスタンプ（RFC 3161）: \d{4}年\d{1,2}月\d{1,2}日 \d{1,2}:\d{2}:\d{2}　発行: Test Timestamping Authority \(renkei-forms tests\)/,
    );
    expect(JSON.stringify(verified.body)).not.toContain('健太');
    const flipped = Buffer.from(sealed);
    flipped[Math.floor(flipped.length / 3)] ^= 0x01;
    expect(pdfsig(flipped)).not.toContain('Signature is Valid');
    const refused = await stack.http.post('/api/verify').attach('file', flipped, 'consent.pdf').expect(200);
    expect(refused.body).toMatchObject({ sealedByService: false, altered: true });
    expect(sha).toMatch(/^[0-9a-f]{64}$/);

    // Sealing ran once even if its job runs again; the signed document cannot be sent for signing again.
    await expect(stack.worker.get(SigningJobsService).remind(req.signers[0].id)).resolves.toBe(false);
    await office
      .post(`/api/documents/${doc.id}/signing`)
      .send({ signers: [{ role: 'explainer', name: 'x', method: 'in_person' }] })
      .expect(409);
  });

  it('does not seal while the timestamping authority fails, and seals with its timestamp once it answers', async () => {
    const doc = await issuedConsent();
    tsa.behaviour = 'http-error';
    const asked = tsa.requests;
    const body = await signAllInPerson(doc.id);
    // The first attempt and its retry both fail: nothing is sealed, and nothing claims to be.
    for (let i = 0; tsa.requests < asked + 2; i++) {
      if (i > 150) throw new Error('the seal was not retried');
      await new Promise((r) => setTimeout(r, 100));
    }
    const [row] = await db.query(`SELECT status, sealed_sha256 FROM signing_request WHERE id = $1`, [body.id]);
    expect(row).toEqual({ status: 'completed', sealed_sha256: null });
    expect((await office.get(`/api/documents/${doc.id}`).expect(200)).body.status).not.toBe('signed');
    const waiting = (await office.get(`/documents/${doc.id}`).expect(200)).text;
    expect(waiting).toContain('封緘（本サービスの電子署名）を待っています');
    expect(waiting).not.toContain('署名を依頼する'); // nor a second request, nor a paper signature, while the seal is pending
    expect(waiting).not.toContain('署名済みの原本が戻った');
    const again = await office
      .post(`/api/documents/${doc.id}/signing`)
      .send({ signers: [{ role: 'explainer', name: '説明 看護師', method: 'in_person' }] })
      .expect(409);
    expect(again.body.message).toContain('封緘を待っています');

    tsa.behaviour = 'grant';
    await waitForSeal(body.id);
    const sealedDoc = await office.get(`/api/documents/${doc.id}`).expect(200);
    expect(sealedDoc.body.status).toBe('signed');
    const sealed = await getPdf(
      office,
      `/api/exemplars/${sealedDoc.body.exemplars.find((e: { holder: string }) => e.holder === 'office').code}/pdf`,
    );
    expect(pdfsig(sealed)).toContain('Signature Validation: Signature is Valid.');
    expect(sealTimestamp(sealed)?.authority).toContain('Test Timestamping Authority');
  });

  it('seals a completed request whose seal job was lost, or ran out of retries, when the sweep finds it', async () => {
    const doc = await issuedConsent();
    tsa.behaviour = 'http-error';
    const asked = tsa.requests;
    const body = await signAllInPerson(doc.id);
    for (let i = 0; tsa.requests < asked + 1; i++) {
      if (i > 100) throw new Error('the seal was not attempted');
      await new Promise((r) => setTimeout(r, 100));
    }
    const signingService = stack.app.get(SigningJobsService);
    const queue = stack.app.get<Queue>(getQueueToken(SIGNING_QUEUE));
    const jobId = JOB_IDS.seal(body.id);
    // Lost: the job is gone while the request waits, unsealed.
    for (let i = 0; !(await (await queue.getJob(jobId))?.isDelayed()); i++) {
      if (i > 100) throw new Error('the seal was not retried');
      await new Promise((r) => setTimeout(r, 20));
    }
    await (await queue.getJob(jobId))!.remove();
    // Out of retries: a job with the same id fails for good.
    await queue.add('seal', { kind: 'seal', requestId: body.id }, { jobId, attempts: 1 });
    for (let i = 0; !(await (await queue.getJob(jobId))?.isFailed()); i++) {
      if (i > 150) throw new Error('the seal job did not fail');
      await new Promise((r) => setTimeout(r, 100));
    }
    // The sweep finds the request unsealed in PostgreSQL and its job failed for good: it queues the seal again.
    tsa.behaviour = 'grant';
    expect((await signingService.sweep()).seals).toBe(1);
    await waitForSeal(body.id);
    expect((await signingService.sweep()).seals).toBe(0);
  });

  it('gives a party whose rule says 写し a stamped copy, and the holders of originals the sealed file', async () => {
    const minato = await createOfficeWithManager(stack.app, 'minato');
    const manager = await stack.login(minato.manager.email);
    const pledge = await manager.post('/api/documents').send({ form: 'office-pledge' }).expect(201);
    await manager.post(`/api/documents/${pledge.body.id}/issue`).expect(201);
    const { body } = await manager
      .post(`/api/documents/${pledge.body.id}/signing`)
      .send({ signers: [{ role: 'manager', name: '管理 太郎', method: 'in_person' }] })
      .expect(201);
    await manager
      .post(`/api/signing/${body.id}/signers/${body.signers[0].id}/in-person`)
      .send({ consent: true, signatureKind: 'typed', typedName: '管理 太郎' })
      .expect(201);
    await waitForSeal(body.id);

    const exemplars = (await manager.get(`/api/documents/${pledge.body.id}`).expect(200)).body.exemplars as Array<{
      code: string;
      kind: string;
      holder: string;
    }>;
    const original = await getPdf(manager, `/api/exemplars/${exemplars.find((e) => e.holder === 'secretariat')!.code}/pdf`);
    const copy = await getPdf(manager, `/api/exemplars/${exemplars.find((e) => e.holder === 'office')!.code}/pdf`);
    expect(exemplars.find((e) => e.holder === 'office')!.kind).toBe('copy');
    expect(pdfsig(original)).toContain('Signature Validation: Signature is Valid.');
    expect(pdfText(copy)).toContain('写し');
    expect(pdfText(original)).not.toContain('写し');
    expect(pdfsig(copy)).not.toContain('Signature is Valid'); // a copy is not the sealed original
  });

  it('locks a link after five wrong PINs, even against the right one', async () => {
    const doc = await issuedConsent();
    const req = await requestSignatures(doc.id, { email: 'kenta+pin@example.jp', accessCode: '2468' });
    const link = linkIn(await smtp.waitFor((m) => m.to === 'kenta+pin@example.jp'), '/sign/');
    const guesser = request.agent(stack.app.getHttpServer());
    const _csrf = formToken((await guesser.get(link).expect(200)).text);
    for (let i = 0; i < 4; i++) await guesser.post(`${link}/pin`).type('form').send({ code: '1111', _csrf }).expect(401);
    expect((await guesser.post(`${link}/pin`).type('form').send({ code: '1111', _csrf }).expect(423)).text).toContain('ロックされました');
    await guesser.post(`${link}/pin`).type('form').send({ code: '2468', _csrf }).expect(423);
    const status = await office.get(`/api/documents/${doc.id}/signing`).expect(200);
    expect(status.body[0].signers.find((s: { role: string }) => s.role === 'family1').locked).toBe(true);
    void req;
  });

  it('resends a link: the new one works and the old one is dead', async () => {
    const doc = await issuedConsent();
    const req = await requestSignatures(doc.id, { email: 'kenta+resend@example.jp' });
    const first = linkIn(await smtp.waitFor((m) => m.to === 'kenta+resend@example.jp'), '/sign/');
    const family = req.signers.find((s) => s.role === 'family1')!;
    await office.post(`/api/signing/${req.id}/signers/${family.id}/resend`).expect(201);
    const second = linkIn(await smtp.waitFor((m) => m.to === 'kenta+resend@example.jp' && !m.text.includes(first)), '/sign/');
    expect(second).not.toBe(first);
    await stack.http.get(first).expect(404);
    await stack.http.get(second).expect(200);
  });

  it('opens links opened at the same moment each to its own signer, and a dead one to none', async () => {
    const names = ['同時 一郎', '同時 二郎', '同時 三郎'];
    const links: string[] = [];
    for (const [i, name] of names.entries()) {
      await requestSignatures((await issuedConsent()).id, { email: `kenta+together${i}@example.jp`, name });
      links.push(linkIn(await smtp.waitFor((m) => m.to === `kenta+together${i}@example.jp`), '/sign/'));
    }
    const pages = await Promise.all([...links, links[1], '/sign/not-a-link-at-all'].map((link) => stack.http.get(link)));
    for (const [i, name] of names.entries()) {
      expect(pages[i].status).toBe(200);
      expect(pages[i].text).toContain(`${name} 様`);
      for (const other of names.filter((n) => n !== name)) expect(pages[i].text).not.toContain(other);
    }
    expect(pages[3].text).toContain(`${names[1]} 様`);
    expect(pages[4].status).toBe(404);
  });

  it('reminds a signer who has not signed with a fresh link (the old one stops working)', async () => {
    const doc = await issuedConsent();
    const req = await requestSignatures(doc.id, { email: 'kenta+remind@example.jp' });
    const first = linkIn(await smtp.waitFor((m) => m.to === 'kenta+remind@example.jp'), '/sign/');
    const family = req.signers.find((s) => s.role === 'family1')!;
    const jobs = stack.worker.get(SigningJobsService);
    await expect(jobs.remind(family.id)).resolves.toBe(false); // not due yet: REMINDER_DAYS after the link
    const [{ remind_at: remindAt }] = await db.query(`SELECT remind_at FROM signer WHERE id = $1`, [family.id]);
    expect(new Date(remindAt).getTime() - Date.now()).toBeGreaterThan(2.9 * 86_400_000);
    const due = (await jobs.dueJobs()).map((j) => j.jobId);
    expect(due).not.toContain(`remind-${family.id}`);
    await db.query(`UPDATE signer SET remind_at = now() - interval '1 minute' WHERE id = $1`, [family.id]);
    expect((await jobs.dueJobs()).map((j) => j.jobId)).toContain(`remind-${family.id}`);
    await expect(jobs.remind(family.id)).resolves.toBe(true);
    await expect(jobs.remind(family.id)).resolves.toBe(false); // sent once
    const reminder = await smtp.waitFor((m) => m.to === 'kenta+remind@example.jp' && m.subject.includes('再送'));
    const second = linkIn(reminder, '/sign/');
    await stack.http.get(first).expect(404);
    await stack.http.get(second).expect(200);
    expect((await jobs.dueJobs()).map((j) => j.jobId)).not.toContain(`remind-${family.id}`);
    const explainer = req.signers.find((s) => s.role === 'explainer')!;
    await expect(stack.worker.get(SigningJobsService).remind(explainer.id)).resolves.toBe(false); // signs in person: no e-mail
  });

  it('records a decline: the request closes and no link can sign it any more', async () => {
    const doc = await issuedConsent();
    const req = await requestSignatures(doc.id, { email: 'kenta+decline@example.jp' });
    const link = linkIn(await smtp.waitFor((m) => m.to === 'kenta+decline@example.jp'), '/sign/');
    const family = request.agent(stack.app.getHttpServer());
    const _csrf = formToken((await family.get(link).expect(200)).text);
    expect((await family.post(`${link}/decline`).type('form').send({ reason: '家族で相談します', _csrf }).expect(200)).text).toContain(
      '辞退しました',
    );
    const status = await office.get(`/api/documents/${doc.id}/signing`).expect(200);
    expect(status.body[0]).toMatchObject({ status: 'declined' });
    expect(status.body[0].signers.find((s: { role: string }) => s.role === 'family1')).toMatchObject({
      status: 'declined',
      declineReason: '家族で相談します',
    });
    await stack.http.get(link).expect(404);
    const explainer = req.signers.find((s) => s.role === 'explainer')!;
    await office
      .post(`/api/signing/${req.id}/signers/${explainer.id}/in-person`)
      .send({ consent: true, signatureKind: 'typed', typedName: 'x' })
      .expect(410);
  });

  it('expires: the link stops working and the office is told', async () => {
    const doc = await issuedConsent();
    const req = await requestSignatures(doc.id, { email: 'kenta+expire@example.jp' });
    const link = linkIn(await smtp.waitFor((m) => m.to === 'kenta+expire@example.jp'), '/sign/');
    await db.query(`UPDATE signing_request SET expires_at = now() - interval '1 minute' WHERE id = $1`, [req.id]);
    expect((await stack.http.get(link).expect(410)).text).toContain('有効期限が切れています');
    expect((await stack.worker.get(SigningJobsService).dueJobs()).map((j) => j.jobId)).toContain(`expire-${req.id}`);
    await expect(stack.worker.get(SigningJobsService).expire(req.id)).resolves.toBe(true);
    const notice = await smtp.waitFor((m) => m.subject.includes('期限が切れました') && m.text.includes(doc.number));
    expect(notice.text).toContain('署名 健太（患者家族1）');
    await expect(stack.worker.get(SigningJobsService).expire(req.id)).resolves.toBe(false);
    expect((await stack.http.get(link).expect(410)).text).toContain('有効期限が切れています'); // still 410 once expired
    expect((await stack.worker.get(SigningJobsService).dueJobs()).map((j) => j.jobId)).not.toContain(`expire-${req.id}`);
  });

  it('counts two signers who finish at the same moment, and seals once', async () => {
    const doc = await issuedConsent();
    const { body } = await office
      .post(`/api/documents/${doc.id}/signing`)
      .send({
        signers: [
          { role: 'patient', name: '署名 ハル', method: 'in_person' },
          { role: 'explainer', name: '説明 看護師', method: 'in_person' },
        ],
      })
      .expect(201);
    const sign = (signerId: string, name: string) =>
      office.post(`/api/signing/${body.id}/signers/${signerId}/in-person`).send({ consent: true, signatureKind: 'typed', typedName: name });
    const results = await Promise.all(body.signers.map((s: { id: string; name: string }) => sign(s.id, s.name)));
    expect(results.map((r) => r.status)).toEqual([201, 201]);
    expect(results.filter((r) => r.body.completed)).toHaveLength(1);
    await waitForSeal(body.id);
    const [{ n }] = await db.query(
      `SELECT count(*)::int AS n FROM custody_event e JOIN exemplar x ON x.id = e.exemplar_id
        WHERE x.document_id = $1 AND e.type = 'signed_electronically'`,
      [doc.id],
    );
    expect(n).toBe(2); // one per original, once
  });

  it('checks the request itself: roles from the catalogue, required ones present, e-mail for e-mail signers', async () => {
    const doc = await issuedConsent();
    const { body } = await office
      .post(`/api/documents/${doc.id}/signing`)
      .send({
        signers: [
          { role: 'cat', name: 'x' },
          { role: 'family1', name: '', method: 'email', email: 'nope', accessCode: '12' },
        ],
      })
      .expect(400);
    expect(body.errors.map((e: { path: string }) => e.path)).toEqual([
      'signers[0].role',
      'signers[1].name',
      'signers[1].email',
      'signers[1].accessCode',
      'signers',
    ]);
    expect(body.errors[4].message).toContain('説明・同意書取得');
  });
});
