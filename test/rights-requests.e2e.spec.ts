import { DataSource } from 'typeorm';
import { todayInJapan } from '../src/common/japan-date';
import { createPatient, issuedConsent } from './support/consents';
import { createOfficeWithManager, createUser } from './support/factories';
import { Agent, TestStack, startStack } from './support/test-app';

const daysAgo = (n: number) => todayInJapan(new Date(Date.now() - n * 86_400_000));
const plusDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

describe("patients' rights requests (開示・訂正・利用停止・消去)", () => {
  let stack: TestStack;
  let db: DataSource;
  let office: Agent;

  beforeAll(async () => {
    stack = await startStack({ RIGHTS_DUE_DAYS: '10' });
    db = stack.app.get(DataSource);
    office = await stack.login((await createOfficeWithManager(stack.app, 'rurume')).manager.email);
  });
  afterAll(async () => {
    await stack?.close();
  });

  const answer = (id: string, body: object) => office.post(`/api/rights-requests/${id}/answer`).send(body);

  it('refuses bad requests clearly and records nothing: unknown kinds, future dates, another office, the 事務局', async () => {
    const patient = await createPatient(office, '請求 ハナ', { name: '請求 一郎', email: 'ichiro.requests@example.jp' });
    const url = `/api/patients/${patient.id}/rights-requests`;
    const bad = await office.post(url).send({ kind: 'complaint', receivedAt: '2099-12-31', receivedVia: 'fax', detail: 7 }).expect(400);
    expect(bad.body.errors.map((e: { path: string; label: string }) => `${e.path}:${e.label}`).sort()).toEqual([
      'detail:請求の内容',
      'kind:請求の種類',
      'receivedAt:受付日',
      'receivedVia:受付方法',
    ]);
    await office.post(url).send({ kind: 'disclosure', receivedAt: '2026-13-01', receivedVia: 'phone' }).expect(400);
    const other = await stack.login((await createOfficeWithManager(stack.app, 'rurume')).manager.email);
    await other.post(url).send({ kind: 'disclosure', receivedAt: todayInJapan(), receivedVia: 'phone' }).expect(404);
    await other.get(url).expect(404);
    const secretariat = await stack.login((await createUser(stack.app, 'secretariat', { networkId: 'rurume' })).email);
    await secretariat.post(url).send({ kind: 'disclosure', receivedAt: todayInJapan(), receivedVia: 'phone' }).expect(404);
    await office
      .post(`/api/patients/00000000-0000-4000-8000-000000000000/rights-requests`)
      .send({ kind: 'disclosure', receivedAt: todayInJapan(), receivedVia: 'phone' })
      .expect(404);
    expect((await office.get(url).expect(200)).body).toEqual([]);
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM rights_request WHERE patient_id = $1`, [patient.id]);
    expect(n).toBe(0);
    // The web form answers with the same page, each message beside its field.
    const page = await office
      .post(`/office/patients/${patient.id}/rights-requests`)
      .type('form')
      .send({ kind: 'x', receivedAt: '2099-01-01' })
      .expect(400);
    expect(page.text).toContain('請求の種類は次のいずれかです');
    expect(page.text).toContain('未来の日付は入力できません');
    expect(page.text).toContain('受付方法は次のいずれかです');
    expect(page.text).toContain('<details class="action" open>');
  });

  it('takes each kind through to its answer; an overdue one stands out on the office page and the patient page', async () => {
    const patient = await createPatient(office, '権利 サチ', { name: '権利 健一', email: 'kenichi.rights@example.jp' });
    const url = `/api/patients/${patient.id}/rights-requests`;

    // 開示, received 12 days ago: due 10 days later (RIGHTS_DUE_DAYS=10), so overdue.
    const disclosure = await office
      .post(url)
      .send({ kind: 'disclosure', receivedAt: daysAgo(12), receivedVia: 'paper', detail: '保有する個人データの開示' })
      .expect(201);
    expect(disclosure.body).toMatchObject({ kind: 'disclosure', status: 'open', dueAt: plusDays(daysAgo(12), 10), overdue: true });
    const open = (await office.get('/api/rights-requests?status=open').expect(200)).body;
    expect(open.find((r: { id: string }) => r.id === disclosure.body.id)).toMatchObject({ overdue: true, patientName: '権利 サチ' });
    await office.get('/api/rights-requests?status=closed').expect(400);
    const board = (await office.get('/office').expect(200)).text;
    expect(board).toMatch(/期限超過 \d+件/);
    expect(board).toContain('class="overdue-row"');
    expect((await office.get(`/office/patients/${patient.id}`).expect(200)).text).toContain('期限超過');
    const answered = await answer(disclosure.body.id, { outcome: 'answered', note: '開示資料（ZIP）を交付' }).expect(201);
    expect(answered.body).toMatchObject({
      status: 'answered',
      answerNote: '開示資料（ZIP）を交付',
      answeredByName: '試験 office_manager',
      overdue: false,
    });
    expect((await answer(disclosure.body.id, { outcome: 'answered' })).status).toBe(409);

    // 訂正: a correction of the patient's consent, made as a new document linked to the request.
    const consent = await issuedConsent(office, patient.id);
    const correction = await office
      .post(url)
      .send({ kind: 'correction', receivedAt: todayInJapan(), receivedVia: 'phone', detail: '住所の誤り' })
      .expect(201);
    expect(correction.body.dueAt).toBe(plusDays(todayInJapan(), 10));
    const data = (await office.get(`/api/documents/${consent.id}`).expect(200)).body.version.data;
    const unrelated = await createPatient(office, '別人 ユキ', { name: '別人 一郎', email: 'other.rights@example.jp' });
    const elsewhere = await issuedConsent(office, unrelated.id);
    await office.post(`/api/rights-requests/${correction.body.id}/corrections`).send({ documentId: elsewhere.id, data }).expect(400);
    await office.post(`/api/rights-requests/${disclosure.body.id}/corrections`).send({ documentId: consent.id, data }).expect(409);
    const fixed = { ...data, patient: { ...data.patient, address: '東京都東久留米市本町7-7-7' } };
    const corrected = await office
      .post(`/api/rights-requests/${correction.body.id}/corrections`)
      .send({ documentId: consent.id, data: fixed })
      .expect(201);
    expect(corrected.body).toMatchObject({ correctsDocumentId: consent.id, status: 'draft' });
    expect(corrected.body.version.data.patient.address).toBe('東京都東久留米市本町7-7-7');
    const linked = (await office.get(`/api/rights-requests/${correction.body.id}`).expect(200)).body;
    expect(linked.corrections).toEqual([{ documentId: corrected.body.id, number: corrected.body.number }]);
    await answer(correction.body.id, { outcome: 'answered', note: '訂正版を作成して再度同意をいただきます' }).expect(201);

    // 利用停止: once answered, no new document is made for the patient.
    const suspension = await office
      .post(url)
      .send({ kind: 'suspension', receivedAt: todayInJapan(), receivedVia: 'in_person' })
      .expect(201);
    await office.post('/api/documents').send({ form: 'patient-consent', subjectId: patient.id }).expect(201); // not yet
    await answer(suspension.body.id, { outcome: 'answered', note: 'るるめネットでの利用を停止しました' }).expect(201);
    const stopped = await office.post('/api/documents').send({ form: 'patient-consent', subjectId: patient.id }).expect(409);
    expect(stopped.body.message).toContain('利用を停止しています');
    expect((await office.get('/office').expect(200)).text).toContain('利用停止');

    // 消去: answered only by the erasure itself; refused only with a reason.
    const erasure = await office
      .post(url)
      .send({ kind: 'erasure', receivedAt: todayInJapan(), receivedVia: 'secretariat', detail: '事務局経由の完全削除の希望' })
      .expect(201);
    expect((await answer(erasure.body.id, { outcome: 'answered' })).body.message).toContain('消去を確定する');
    const noReason = await answer(erasure.body.id, { outcome: 'refused' }).expect(400);
    expect(noReason.body.errors).toEqual([{ path: 'note', label: '拒否の理由', message: '拒否の理由を入力してください' }]);
    await answer(erasure.body.id, { outcome: 'maybe', note: 'x' }).expect(400);
    const refused = await answer(erasure.body.id, { outcome: 'refused', note: '診療録として法令上の保存期間中のため' }).expect(201);
    expect(refused.body.status).toBe('refused');

    const all = (await office.get(url).expect(200)).body as Array<{ kind: string; status: string }>;
    expect(all.map((r) => `${r.kind}:${r.status}`).sort()).toEqual([
      'correction:answered',
      'disclosure:answered',
      'erasure:refused',
      'suspension:answered',
    ]);
    const other = await stack.login((await createOfficeWithManager(stack.app, 'rurume')).manager.email);
    await other.get(`/api/rights-requests/${erasure.body.id}`).expect(404);
    await other.post(`/api/rights-requests/${erasure.body.id}/answer`).send({ outcome: 'refused', note: 'x' }).expect(404);
    expect((await other.get('/api/rights-requests').expect(200)).body).toEqual([]);
    const audit = await db.query(`SELECT action FROM audit_event WHERE target_id = $1 ORDER BY id`, [erasure.body.id]);
    expect(audit.map((a: { action: string }) => a.action)).toEqual([
      'rights_request_received',
      'rights_request_answered',
      'access_denied',
      'access_denied',
    ]);
  });
});
