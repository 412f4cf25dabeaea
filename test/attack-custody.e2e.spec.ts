import { DataSource } from 'typeorm';
import { createOfficeWithManager, createUser } from './support/factories';
import { Agent, TestStack, startStack } from './support/test-app';

/**
 * Findings of the attack run (issue 13) on custody, attacked over HTTP as the attacker did: the 事務局 reading
 * patients' custody history, the office undoing the 事務局's receipt, dates from 1970.
 */
describe('attack run: custody history, event order and dates', () => {
  let stack: TestStack;
  let db: DataSource;
  let office: Agent;
  let officeId: string;
  let jimukyoku: Agent;
  let jimukyokuEmail: string;
  let admin: Agent;

  beforeAll(async () => {
    stack = await startStack();
    db = stack.app.get(DataSource);
    const created = await createOfficeWithManager(stack.app, 'rurume');
    officeId = created.office.id;
    office = await stack.login(created.manager.email);
    jimukyokuEmail = (await createUser(stack.app, 'secretariat', { networkId: 'rurume' })).email;
    jimukyoku = await stack.login(jimukyokuEmail);
    admin = await stack.login((await createUser(stack.app, 'admin')).email);
  });
  afterAll(async () => {
    await stack?.close();
  });

  type Exemplar = { code: string; kind: string; holder: string; id: string };

  async function issue(form: string, subjectId: string | null = null): Promise<{ id: string; exemplars: Exemplar[] }> {
    const created = await office.post('/api/documents').send({ form, subjectId }).expect(201);
    return (await office.post(`/api/documents/${created.body.id}/issue`).expect(201)).body;
  }

  async function consent(): Promise<{ id: string; exemplars: Exemplar[] }> {
    const patient = await office
      .post('/api/patients')
      .send({ name: '秘密 ハル', address: '東京都東久留米市秘密町1-1', family: [{ name: '秘密 健太', relation: '長男' }] })
      .expect(201);
    return issue('patient-consent', patient.body.id);
  }

  const travelling = (doc: { exemplars: Exemplar[] }) => doc.exemplars.find((e) => e.kind === 'original' && e.holder === 'secretariat')!;

  async function deniedRows(exemplarId: string): Promise<Array<{ user_email: string; detail: Record<string, unknown> }>> {
    return db.query(`SELECT user_email, detail FROM audit_event WHERE action = 'access_denied' AND target_id = $1`, [exemplarId]);
  }

  async function cell(formId: string) {
    const { body } = await jimukyoku.get(`/api/dashboard/secretariat?office=${officeId}`).expect(200);
    return body.requirements.find((r: { formId: string; status: string }) => r.formId === formId);
  }

  it('the 事務局 never reads a patient consent’s custody history: 404 exactly like a missing code, and audited', async () => {
    const doc = await consent();
    for (const exemplar of doc.exemplars) {
      const history = await jimukyoku.get(`/api/exemplars/${exemplar.code}/history`).expect(404);
      const missing = await jimukyoku.get(`/api/exemplars/RURUME-999999-9/history`).expect(404);
      expect(history.body).toEqual({ ...missing.body, message: missing.body.message.replace('RURUME-999999-9', exemplar.code) });
      expect(JSON.stringify(history.body)).not.toMatch(/秘密|events|actorName/);
      // Recording on it, or "receiving" it, is refused the same way.
      const received = await jimukyoku.post(`/api/exemplars/${exemplar.code}/events`).send({ type: 'received' }).expect(404);
      expect(received.body.code).toBe('NOT_FOUND');
      await jimukyoku.post('/api/receipts').send({ code: exemplar.code }).expect(404);
      const rows = await deniedRows(exemplar.id);
      expect(rows.length).toBeGreaterThanOrEqual(3);
      expect(rows.every((r) => r.user_email === jimukyokuEmail && r.detail.role === 'secretariat')).toBe(true);
      expect(rows.map((r) => r.detail.attempted)).toEqual(expect.arrayContaining(['received']));
    }
    // The document and its PDFs were already hidden; the office still sees its own history.
    await jimukyoku.get(`/api/documents/${doc.id}`).expect(404);
    const own = await office.get(`/api/exemplars/${doc.exemplars[0].code}/history`).expect(200);
    expect(own.body.events.map((e: { type: string }) => e.type)).toEqual(['issued']);
  });

  it('the 事務局 still reads the history of what is submitted to it', async () => {
    const doc = await issue('office-pledge');
    const { body } = await jimukyoku.get(`/api/exemplars/${travelling(doc).code}/history`).expect(200);
    expect(body).toMatchObject({ kind: 'original', holder: 'secretariat', chain: { valid: true } });
  });

  it('the office cannot undo the 事務局’s receipt: no print, mailing, signature or destruction after it', async () => {
    const doc = await issue('office-pledge');
    const original = travelling(doc);
    await office.post(`/api/documents/${doc.id}/paper-signature`).expect(201);
    await office.post(`/api/exemplars/${original.code}/events`).send({ type: 'mailed' }).expect(201);
    // In transit: the office may not destroy what the 事務局 is about to receive.
    const inTransit = await office.post(`/api/exemplars/${original.code}/events`).send({ type: 'destroyed' }).expect(409);
    expect(inTransit.body).toMatchObject({ code: 'INVALID_STATE', message: expect.stringContaining('郵送済み') });
    await jimukyoku.post('/api/receipts').send({ code: original.code }).expect(201);
    expect(await cell('office-pledge')).toMatchObject({ status: 'received' });

    for (const type of ['printed', 'mailed', 'destroyed', 'signed']) {
      const refused = await office.post(`/api/exemplars/${original.code}/events`).send({ type }).expect(409);
      expect(refused.body).toMatchObject({ code: 'INVALID_STATE', message: expect.stringContaining('事務局が受領しています') });
    }
    // An admin is held to the same order; the web form answers with a Japanese page.
    await admin.post(`/api/exemplars/${original.code}/events`).send({ type: 'printed' }).expect(409);
    const page = await office.post(`/documents/${doc.id}/exemplars/${original.code}/events`).type('form').send({ type: 'printed' });
    expect(page.status).toBe(409);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('受領を取り消すことはできません');

    const history = await jimukyoku.get(`/api/exemplars/${original.code}/history`).expect(200);
    expect(history.body.events.map((e: { type: string }) => e.type)).toEqual(['issued', 'signed', 'mailed', 'received']);
    expect(await cell('office-pledge')).toMatchObject({ status: 'received' });

    // What the 事務局 may do still works: it returns the sheet, the office mails it again, it is received again.
    await jimukyoku.post(`/api/exemplars/${original.code}/events`).send({ type: 'returned' }).expect(201);
    await office.post(`/api/exemplars/${original.code}/events`).send({ type: 'mailed' }).expect(201);
    await jimukyoku.post('/api/receipts').send({ code: original.code }).expect(201);
  });

  it('a 「廃棄」 by the office never blocks the 事務局’s receipt, and a signed sheet is not "printed" again', async () => {
    const doc = await issue('office-pledge');
    const original = travelling(doc);
    await office.post(`/api/documents/${doc.id}/paper-signature`).expect(201);
    const reprint = await office.post(`/api/exemplars/${original.code}/events`).send({ type: 'printed' }).expect(409);
    expect(reprint.body.message).toContain('「署名（紙）」の後に「印刷」を記録することはできません');
    await office.post(`/api/exemplars/${original.code}/events`).send({ type: 'destroyed' }).expect(201);
    // The paper reaches the 事務局 anyway: its receipt wins, and the ledger keeps both.
    const receipt = await jimukyoku.post('/api/receipts').send({ code: original.code }).expect(201);
    expect(receipt.body.alreadyRecorded).toBe(false);
    expect(await cell('office-pledge')).toMatchObject({ status: 'received' });
    const history = await jimukyoku.get(`/api/exemplars/${original.code}/history`).expect(200);
    expect(history.body.events.map((e: { type: string }) => e.type)).toEqual(['issued', 'signed', 'destroyed', 'received']);
    // Nothing the office records follows a destruction.
    const copy = doc.exemplars.find((e) => e.kind === 'copy')!;
    await office.post(`/api/exemplars/${copy.code}/events`).send({ type: 'destroyed' }).expect(201);
    const after = await office.post(`/api/exemplars/${copy.code}/events`).send({ type: 'printed' }).expect(409);
    expect(after.body.message).toContain('廃棄済み');
  });

  it('refuses event dates before the document was issued, in the future, impossible or of the wrong type', async () => {
    const doc = await issue('office-pledge');
    const code = travelling(doc).code;
    const issuedAt = new Date(
      (await office.get(`/api/exemplars/${code}/history`).expect(200)).body.events[0].occurredAt as string,
    ).getTime();
    const cases: Array<[unknown, RegExp]> = [
      ['1970-01-01T00:00:00Z', /発行（\d{4}年\d{1,2}月\d{1,2}日 \d{1,2}:\d{2}）より前にはできません/],
      [new Date(issuedAt - 2 * 86_400_000).toISOString(), /より前にはできません/],
      [new Date(Date.now() + 3_600_000).toISOString(), /過去の日時/],
      ['2026-02-31T10:00:00+09:00', /ISO 8601/],
      ['yesterday', /ISO 8601/],
      [0, /ISO 8601/],
      [{ $gt: '' }, /ISO 8601/],
    ];
    for (const [occurredAt, message] of cases) {
      const { body } = await office.post(`/api/exemplars/${code}/events`).send({ type: 'printed', occurredAt }).expect(400);
      expect({ occurredAt, errors: body.errors }).toEqual({
        occurredAt,
        errors: [{ path: 'occurredAt', label: '日時', message: expect.stringMatching(message) }],
      });
    }
    const history = await office.get(`/api/exemplars/${code}/history`).expect(200);
    expect(history.body.events).toHaveLength(1); // nothing was recorded
    const ok = await office
      .post(`/api/exemplars/${code}/events`)
      .send({ type: 'printed', occurredAt: new Date(Math.max(issuedAt, Date.now() - 1000)).toISOString() })
      .expect(201);
    expect(ok.body.event.type).toBe('printed');
  });
});
