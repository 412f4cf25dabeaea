import { execFileSync } from 'node:child_process';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { sha256Hex } from '../src/common/hash';
import { createOfficeWithManager } from './support/factories';
import { pdfText, squeeze } from './support/pdf-tools';
import { signaturePng } from './support/png';
import { TestSmtp, linkIn, startSmtp } from './support/smtp';
import { Agent, TestStack, formToken, getPdf, startStack } from './support/test-app';

/** Signing as the office sees it, over HTTP: notices, overview, confirmed cancel, resend after a lock, order, 対面に切替. */
describe('signing, as the office sees it', () => {
  let stack: TestStack;
  let smtp: TestSmtp;
  let office: Agent;
  let managerEmail: string;
  let db: DataSource;

  beforeAll(async () => {
    smtp = await startSmtp();
    stack = await startStack({ SMTP_URL: smtp.url });
    db = stack.app.get(DataSource);
    managerEmail = (await createOfficeWithManager(stack.app, 'rurume')).manager.email;
    office = await stack.login(managerEmail);
  });
  afterAll(async () => {
    await stack?.close();
    await smtp?.close();
  });

  /** An issued rurume 別紙4 consent for a new patient. */
  async function issuedConsent(): Promise<{ id: string; number: string }> {
    const patient = await office
      .post('/api/patients')
      .send({ name: '順番 ハル', family: [{ name: '順番 健太', relation: '長男' }] })
      .expect(201);
    const doc = await office.post('/api/documents').send({ form: 'patient-consent', subjectId: patient.body.id }).expect(201);
    await office.post(`/api/documents/${doc.body.id}/issue`).expect(201);
    return doc.body;
  }

  type Request = { id: string; signers: Array<{ id: string; role: string }> };
  async function sendForSigning(documentId: string, signers: Array<Record<string, unknown>>, ordered = false): Promise<Request> {
    return (await office.post(`/api/documents/${documentId}/signing`).send({ signers, ordered }).expect(201)).body as Request;
  }
  const idOf = (req: Request, role: string) => req.signers.find((s) => s.role === role)!.id;
  const family = (email: string, extra: Record<string, unknown> = {}) => ({
    role: 'family1',
    name: '順番 健太',
    relation: '長男',
    method: 'email',
    email,
    ...extra,
  });
  const explainer = { role: 'explainer', name: '説明 看護師', method: 'in_person' };
  const typed = (name: string) => ({ consent: true, signatureKind: 'typed', typedName: name });
  // What the document's page is sent back with: news (?message=) or a refusal, shown as an error (?error=).
  const messageOf = (location: string) => {
    const query = new URL(location, 'http://x').searchParams;
    return query.get('error') ?? query.get('message') ?? '';
  };

  async function auditCount(signerId: string, action: string): Promise<number> {
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM audit_event WHERE target_id = $1 AND action = $2`, [signerId, action]);
    return n;
  }

  it('a decline with its reason: the office is mailed, and sees it on the overview, the document and the list', async () => {
    const doc = await issuedConsent();
    await sendForSigning(doc.id, [family('decline.office@example.jp'), explainer]);
    const link = linkIn(await smtp.waitFor((m) => m.to === 'decline.office@example.jp'), '/sign/');
    const browser = request.agent(stack.app.getHttpServer());
    const _csrf = formToken((await browser.get(link).expect(200)).text);
    await browser.post(`${link}/decline`).type('form').send({ reason: '母と相談してから決めます', _csrf }).expect(200);

    const notice = await smtp.waitFor((m) => m.to === managerEmail && m.subject.includes('辞退') && m.text.includes(doc.number));
    expect(notice.text).toContain('母と相談してから決めます');
    expect(notice.text).toContain('順番 健太（患者家族1）');

    const overview = (await office.get('/office/signing').expect(200)).text;
    expect(overview).toContain(doc.number);
    expect(overview).toContain('理由: 母と相談してから決めます');
    const page = (await office.get(`/documents/${doc.id}`).expect(200)).text;
    expect(page).toContain('署名依頼は辞退されました');
    expect(page).toContain('母と相談してから決めます');
    expect(page).toContain('状態: 署名辞退');
    const list = (await office.get('/office').expect(200)).text;
    const row = list.split('<tr>').find((r) => r.includes(doc.number))!;
    expect(row).toContain('署名辞退');
    expect(row).not.toContain('発行済');
    expect(list).toContain('href="/office/signing"');
  });

  it('lists open requests expiring soonest first, with each signer’s sent and opened times', async () => {
    const later = await issuedConsent();
    const sooner = await issuedConsent();
    const a = await sendForSigning(later.id, [family('later@example.jp'), explainer]);
    const b = await sendForSigning(sooner.id, [family('sooner@example.jp'), explainer]);
    await db.query(`UPDATE signing_request SET expires_at = now() + interval '1 day' WHERE id = $1`, [b.id]);
    const link = linkIn(await smtp.waitFor((m) => m.to === 'sooner@example.jp'), '/sign/');
    await stack.http.get(link).expect(200);
    const overview = (await office.get('/office/signing').expect(200)).text;
    expect(overview.indexOf(sooner.number)).toBeGreaterThan(-1);
    expect(overview.indexOf(sooner.number)).toBeLessThan(overview.indexOf(later.number));
    expect(overview).toContain('期限間近');
    const [signer] = await db.query(`SELECT sent_at, viewed_at FROM signer WHERE id = $1`, [idOf(b, 'family1')]);
    expect(signer.sent_at).not.toBeNull();
    expect(signer.viewed_at).not.toBeNull();
    void a;
  });

  it('a resend after a PIN lock gives a working link: the lock is cleared and logged; the office hears of completion', async () => {
    const doc = await issuedConsent();
    const req = await sendForSigning(doc.id, [family('locked@example.jp', { accessCode: '2468' }), explainer]);
    const link = linkIn(await smtp.waitFor((m) => m.to === 'locked@example.jp'), '/sign/');
    const guesser = request.agent(stack.app.getHttpServer());
    const _csrf = formToken((await guesser.get(link).expect(200)).text);
    for (let i = 0; i < 4; i++) await guesser.post(`${link}/pin`).type('form').send({ code: '1111', _csrf }).expect(401);
    await guesser.post(`${link}/pin`).type('form').send({ code: '1111', _csrf }).expect(423);
    expect((await office.get(`/documents/${doc.id}`).expect(200)).text).toContain('暗証番号ロック中');

    // The office resends from the document's page.
    const resent = await office
      .post(`/documents/${doc.id}/signing-requests/${req.id}/signers/${idOf(req, 'family1')}/resend`)
      .type('form')
      .send({})
      .expect(303);
    expect(messageOf(resent.headers.location)).toContain('新しいリンクを送りました');
    expect(await auditCount(idOf(req, 'family1'), 'access_code_unlocked')).toBe(1);
    const fresh = linkIn(await smtp.waitFor((m) => m.to === 'locked@example.jp' && !m.text.includes(link)), '/sign/');

    const familyBrowser = request.agent(stack.app.getHttpServer());
    const token = formToken((await familyBrowser.get(fresh).expect(200)).text);
    await familyBrowser.post(`${fresh}/pin`).type('form').send({ code: '2468', _csrf: token }).expect(303);
    await familyBrowser
      .post(fresh)
      .type('form')
      .send({ consent: 'true', signatureKind: 'drawn', signatureImage: signaturePng(), relation: '長男', _csrf: token })
      .expect(200);
    await office
      .post(`/api/signing/${req.id}/signers/${idOf(req, 'explainer')}/in-person`)
      .send(typed('説明 看護師'))
      .expect(201);
    const done = await smtp.waitFor(
      (m) => m.to === managerEmail && m.subject.includes('全員の署名がそろいました') && m.text.includes(doc.number),
    );
    expect(done.text).toContain('順番 健太（患者家族1）');
  });

  it('holds the order on every path: link, in person, resend', async () => {
    // In person before the e-mail signer above: refused over the API and on the office's page.
    const first = await issuedConsent();
    const req = await sendForSigning(first.id, [family('order.first@example.jp'), explainer], true);
    const refused = await office
      .post(`/api/signing/${req.id}/signers/${idOf(req, 'explainer')}/in-person`)
      .send(typed('説明 看護師'))
      .expect(409);
    expect(refused.body.message).toContain('先に 順番 健太 さん（患者家族1）の署名が必要です');
    const page = await office
      .post(`/documents/${first.id}/signing/${req.id}/${idOf(req, 'explainer')}`)
      .type('form')
      .send({ consent: 'true', signatureKind: 'typed', typedName: '説明 看護師' })
      .expect(303);
    expect(messageOf(page.headers.location)).toContain('上から順番に署名');
    expect((await office.get(`/documents/${first.id}`).expect(200)).text).toContain('順番待ち');

    // The e-mail signer below an in-person one: no link yet, a resend is refused, and a link out of turn opens nothing.
    const second = await issuedConsent();
    const later = await sendForSigning(
      second.id,
      [{ role: 'patient', name: '順番 ハル', method: 'in_person' }, family('order.second@example.jp'), explainer],
      true,
    );
    await office.post(`/api/signing/${later.id}/signers/${idOf(later, 'family1')}/resend`).expect(409);
    const web = await office
      .post(`/documents/${second.id}/signing-requests/${later.id}/signers/${idOf(later, 'family1')}/resend`)
      .type('form')
      .send({})
      .expect(303);
    expect(messageOf(web.headers.location)).toContain(
      'リンクを再送できません: この依頼は「上から順番に署名」です。先に 順番 ハル さん（患者）の署名が必要です',
    );
    expect(smtp.messages.some((m) => m.to === 'order.second@example.jp')).toBe(false);
    await db.query(`UPDATE signer SET token_hash = $1 WHERE id = $2`, [sha256Hex('out-of-turn-token-123456'), idOf(later, 'family1')]);
    expect((await stack.http.get('/sign/out-of-turn-token-123456').expect(409)).text).toContain('前の方の署名がまだ済んでいません');

    // Once the patient signs in person, the family's turn comes: their link arrives and works.
    await office
      .post(`/api/signing/${later.id}/signers/${idOf(later, 'patient')}/in-person`)
      .send(typed('順番 ハル'))
      .expect(201);
    const link = linkIn(await smtp.waitFor((m) => m.to === 'order.second@example.jp'), '/sign/');
    await stack.http.get(link).expect(200);
  });

  it('an e-mail signer signs in person only after 対面に切替, which the audit log and the sealed PDF record', async () => {
    const doc = await issuedConsent();
    const req = await sendForSigning(doc.id, [family('switch@example.jp', { accessCode: '1357' }), explainer]);
    const link = linkIn(await smtp.waitFor((m) => m.to === 'switch@example.jp'), '/sign/');
    const familyId = idOf(req, 'family1');
    const refused = await office.post(`/api/signing/${req.id}/signers/${familyId}/in-person`).send(typed('順番 健太')).expect(409);
    expect(refused.body.message).toContain('先に「対面に切替」を行ってください');
    // The in-person page leads to the confirmation first; posting a signature there is refused.
    const opened = await office.get(`/documents/${doc.id}/signing/${req.id}/${familyId}`).expect(303);
    expect(opened.headers.location).toBe(`/documents/${doc.id}/signing-requests/${req.id}/signers/${familyId}/switch`);
    const confirm = (await office.get(opened.headers.location).expect(200)).text;
    expect(confirm).toContain('対面に切替');
    expect(confirm).toContain('監査ログと封緘した PDF の監査記録に残ります');
    expect(await auditCount(familyId, 'signer_switched_to_in_person')).toBe(0);

    const switched = await office.post(opened.headers.location).type('form').send({}).expect(303);
    expect(messageOf(switched.headers.location)).toContain('対面での署名に切り替えました');
    expect(await auditCount(familyId, 'signer_switched_to_in_person')).toBe(1);
    await stack.http.get(link).expect(404); // the e-mailed link is dead
    await office.post(opened.headers.location).type('form').send({}).expect(303); // twice changes nothing
    expect(await auditCount(familyId, 'signer_switched_to_in_person')).toBe(1);
    // Over the API too: a second switch is refused, and nothing more is logged.
    await office.post(`/api/signing/${req.id}/signers/${familyId}/switch-to-in-person`).expect(409);
    expect(await auditCount(familyId, 'signer_switched_to_in_person')).toBe(1);

    await office
      .post(`/api/signing/${req.id}/signers/${familyId}/in-person`)
      .send({ ...typed('順番 健太'), relation: '長男' })
      .expect(201);
    await office
      .post(`/api/signing/${req.id}/signers/${idOf(req, 'explainer')}/in-person`)
      .send(typed('説明 看護師'))
      .expect(201);
    let sealed: string | null = null;
    for (let i = 0; i < 300 && !sealed; i++) {
      [{ sealed_sha256: sealed }] = await db.query(`SELECT sealed_sha256 FROM signing_request WHERE id = $1`, [req.id]);
      if (!sealed) await new Promise((r) => setTimeout(r, 100));
    }
    expect(sealed).not.toBeNull();
    const { body } = await office.get(`/api/documents/${doc.id}`).expect(200);
    const original = body.exemplars.find((e: { holder: string }) => e.holder === 'office');
    const sealedPdf = await getPdf(office, `/api/exemplars/${original.code}/pdf`);
    expect(squeeze(pdfText(sealedPdf))).toContain('電子署名の監査記録');
    // In reading order (the audit table's narrow cells interleave in -layout): the switch, when and by whom.
    const reading = squeeze(execFileSync('pdftotext', ['-raw', '-', '-'], { input: sealedPdf, encoding: 'utf8' }));
    expect(reading).toMatch(/（メールから対面に切替:\d{4}年\d{1,2}月\d{1,2}日\d{1,2}:\d{2}試験office_manager）/);
  });

  it('cancel asks first, then tells the family by e-mail and kills the link', async () => {
    const doc = await issuedConsent();
    const req = await sendForSigning(doc.id, [family('cancel@example.jp'), explainer]);
    const link = linkIn(await smtp.waitFor((m) => m.to === 'cancel@example.jp'), '/sign/');
    const confirm = (await office.get(`/documents/${doc.id}/signing-requests/${req.id}/cancel`).expect(200)).text;
    expect(confirm).toContain('順番 健太（患者家族1）cancel@example.jp');
    expect(confirm).toContain('取り消したことをメールでお知らせします');
    await stack.http.get(link).expect(200); // asking changed nothing
    const done = await office.post(`/documents/${doc.id}/signing-requests/${req.id}/cancel`).type('form').send({}).expect(303);
    expect(messageOf(done.headers.location)).toBe('署名依頼を取り消しました（1名にメールでお知らせしました）');
    const told = await smtp.waitFor((m) => m.to === 'cancel@example.jp' && m.subject.includes('取り消しました'));
    expect(told.text).toContain('署名の必要はありません');
    expect(told.text).not.toContain('/sign/');
    await stack.http.get(link).expect(404);
    const again = await office.post(`/documents/${doc.id}/signing-requests/${req.id}/cancel`).type('form').send({}).expect(303);
    expect(messageOf(again.headers.location)).toContain('既に終了しています');
  });

  it('promises a staff signer no e-mail that never comes; the family is promised theirs', async () => {
    const staff = await office.post('/api/staff').send({ name: '誓約 花子', email: 'pledge.staff@example.jp' }).expect(201);
    const pledge = await office.post('/api/documents').send({ form: 'staff-pledge', subjectId: staff.body.id }).expect(201);
    await office.post(`/api/documents/${pledge.body.id}/issue`).expect(201);
    await sendForSigning(pledge.body.id, [{ role: 'staff', name: '誓約 花子', method: 'email', email: 'pledge.staff@example.jp' }]);
    const link = linkIn(await smtp.waitFor((m) => m.to === 'pledge.staff@example.jp'), '/sign/');
    const browser = request.agent(stack.app.getHttpServer());
    const _csrf = formToken((await browser.get(link).expect(200)).text);
    const done = (
      await browser.post(link).type('form').send({ consent: 'true', signatureKind: 'typed', typedName: '誓約 花子', _csrf }).expect(200)
    ).text;
    expect(done).toContain('署名済みの書類は依頼元の事業所が保管します');
    expect(done).not.toContain('メールでお知らせします');

    // The family's last signature: their exemplar is on its way by e-mail, and they are told so.
    const doc = await issuedConsent();
    const req = await sendForSigning(doc.id, [family('promised@example.jp'), explainer]);
    await office
      .post(`/api/signing/${req.id}/signers/${idOf(req, 'explainer')}/in-person`)
      .send(typed('説明 看護師'))
      .expect(201);
    const familyLink = linkIn(await smtp.waitFor((m) => m.to === 'promised@example.jp'), '/sign/');
    const token = formToken((await browser.get(familyLink).expect(200)).text);
    const last = (
      await browser
        .post(familyLink)
        .type('form')
        .send({ ...typed('順番 健太'), consent: 'true', relation: '長男', _csrf: token })
        .expect(200)
    ).text;
    expect(last).toContain('準備ができたらメールでお知らせします');
  });

  it('keeps the tick, the way of signing and the drawn signature across a validation error', async () => {
    const doc = await issuedConsent();
    await sendForSigning(doc.id, [family('keep@example.jp'), explainer]);
    const link = linkIn(await smtp.waitFor((m) => m.to === 'keep@example.jp'), '/sign/');
    const browser = request.agent(stack.app.getHttpServer());
    const _csrf = formToken((await browser.get(link).expect(200)).text);
    const drawn = signaturePng();
    const page = (
      await browser
        .post(link)
        .type('form')
        .send({ consent: 'true', signatureKind: 'drawn', signatureImage: drawn, relation: '', _csrf })
        .expect(400)
    ).text;
    expect(page).toContain('続柄を入力してください');
    expect(page).toMatch(/id="consent" checked/);
    expect(page).toContain(`value="${drawn}"`);
    expect(page).toContain('data-kind="drawn"');
    expect(page).toMatch(/value="drawn" id="kind-drawn" checked/);
    // A made-up image is not put back.
    const bad = (
      await browser.post(link).type('form').send({ signatureKind: 'drawn', signatureImage: 'data:text/html,<b>x</b>', _csrf }).expect(400)
    ).text;
    expect(bad).toContain('id="signatureImage" value=""');
  });
});
