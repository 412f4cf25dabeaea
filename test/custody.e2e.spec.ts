import { DataSource } from 'typeorm';
import { NetworksService } from '../src/networks/networks.service';
import type { FormSubject } from '../src/networks/catalogue.types';
import { createOfficeWithManager, createUser } from './support/factories';
import { pdfText, squeeze } from './support/pdf-tools';
import { Agent, TestStack, getPdf, startStack } from './support/test-app';

/** Creates the subject a form is about (a staff member or a patient) in the office of `api`. */
async function subjectFor(api: Agent, subject: FormSubject): Promise<string | null> {
  if (subject === 'staff') {
    return (await api.post('/api/staff').send({ name: '誓約 花子', jobTitle: '看護師', email: 'pledge@example.jp' }).expect(201)).body.id;
  }
  if (subject === 'patient') {
    return (
      await api
        .post('/api/patients')
        .send({ name: '同意 ハル', birthDate: '1940-01-02', family: [{ name: '同意 健太', relation: '長男' }] })
        .expect(201)
    ).body.id;
  }
  return null;
}

async function waitForPrints(api: Agent, documentId: string): Promise<Array<{ code: string; pdfSha256: string | null }>> {
  for (let i = 0; i < 200; i++) {
    const { body } = await api.get(`/api/documents/${documentId}`).expect(200);
    if (body.exemplars.every((e: { pdfSha256: string | null }) => e.pdfSha256)) return body.exemplars;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('exemplars not printed');
}

describe('documents and custody over HTTP', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('issues every form of every network with the exemplars its custody rule calls for', async () => {
    const networks = stack.app.get(NetworksService).list();
    for (const network of networks) {
      const { manager } = await createOfficeWithManager(stack.app, network.id);
      const api = await stack.login(manager.email);
      for (const form of network.forms) {
        const subjectId = await subjectFor(api, form.subject);
        const created = await api.post('/api/documents').send({ form: form.id, subjectId, data: form.sample }).expect(201);
        expect(created.body).toMatchObject({
          status: 'draft',
          number: expect.stringMatching(new RegExp(`^${network.id.toUpperCase()}-\\d{6}$`)),
        });
        const issued = await api.post(`/api/documents/${created.body.id}/issue`).expect(201);
        const exemplars = issued.body.exemplars.map((e: { kind: string; holder: string }) => `${e.kind}:${e.holder}`);
        const expected = [...form.custody.originals.map((h) => `original:${h}`), ...form.custody.copies.map((h) => `copy:${h}`)];
        expect({ form: `${network.id}/${form.id}`, exemplars }).toEqual({ form: `${network.id}/${form.id}`, exemplars: expected });
      }
    }
  });

  it('prints each exemplar with its mark and its code on the sheet: 原本 for the original, 写し for the copy', async () => {
    const { manager } = await createOfficeWithManager(stack.app, 'rurume');
    const api = await stack.login(manager.email);
    const staffId = await subjectFor(api, 'staff');
    const created = await api.post('/api/documents').send({ form: 'staff-pledge', subjectId: staffId }).expect(201);
    expect(created.body.version.data).toMatchObject({ staffName: '誓約 花子', email: 'pledge@example.jp' }); // prefilled from the roster
    await api.post(`/api/documents/${created.body.id}/issue`).expect(201);
    const [original, copy] = await waitForPrints(api, created.body.id);
    for (const [exemplar, mark] of [
      [original, '原本'],
      [copy, '写し'],
    ] as const) {
      const text = squeeze(pdfText(await getPdf(api, `/api/exemplars/${exemplar.code}/pdf`)));
      expect(text).toContain(mark);
      expect(text).toContain(`文書番号${exemplar.code}`);
      expect(text).toContain('誓約花子');
    }
  });

  it('follows a paper original from the office to the 事務局: mailed, received once, shown on the dashboard', async () => {
    const { office, manager } = await createOfficeWithManager(stack.app, 'rurume');
    const secretariat = await createUser(stack.app, 'secretariat', { networkId: 'rurume' });
    const officeApi = await stack.login(manager.email);
    const jimukyoku = await stack.login(secretariat.email);
    const created = await officeApi.post('/api/documents').send({ form: 'office-pledge' }).expect(201);
    const issued = await officeApi.post(`/api/documents/${created.body.id}/issue`).expect(201);
    const original = issued.body.exemplars.find((e: { kind: string }) => e.kind === 'original');
    const copy = issued.body.exemplars.find((e: { kind: string }) => e.kind === 'copy');

    const cell = async () =>
      (await jimukyoku.get(`/api/dashboard/secretariat?office=${office.id}`).expect(200)).body.requirements.find(
        (r: { formId: string }) => r.formId === 'office-pledge',
      );
    expect(await cell()).toMatchObject({ status: 'issued', exemplarCode: original.code });

    await officeApi.post(`/api/documents/${created.body.id}/paper-signature`).expect(201);
    expect(await cell()).toMatchObject({ status: 'signed' });
    await officeApi.post(`/api/exemplars/${original.code}/events`).send({ type: 'mailed', note: '簡易書留' }).expect(201);
    expect(await cell()).toMatchObject({ status: 'in_transit', overdue: false });

    const copyScan = await jimukyoku.post('/api/receipts').send({ code: copy.code }).expect(422);
    expect(copyScan.body).toMatchObject({ code: 'NOT_AN_ORIGINAL', message: expect.stringContaining('写し') });

    const first = await jimukyoku
      .post('/api/receipts')
      .send({ code: ` ${original.code.toLowerCase()} ` })
      .expect(201);
    expect(first.body).toMatchObject({ code: original.code, alreadyRecorded: false, receivedBy: secretariat.name });
    const second = await jimukyoku.post('/api/receipts').send({ code: original.code }).expect(201);
    expect(second.body).toMatchObject({ alreadyRecorded: true, message: expect.stringContaining('受領済み') });

    const today = new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);
    expect(await cell()).toMatchObject({ status: 'received', date: today });
    const history = await jimukyoku.get(`/api/exemplars/${original.code}/history`).expect(200);
    expect(history.body.events.map((e: { type: string }) => e.type)).toEqual(['issued', 'signed', 'mailed', 'received']);
    expect(history.body.chain).toEqual({ valid: true, events: 4, brokenAtSeq: null });
  });

  it('refuses receipts that make no sense: another network’s sheet (as unknown), an original the office keeps', async () => {
    const { manager } = await createOfficeWithManager(stack.app, 'itabashi');
    const officeApi = await stack.login(manager.email);
    const staffId = await subjectFor(officeApi, 'staff');
    const pledge = await officeApi.post('/api/documents').send({ form: 'staff-pledge', subjectId: staffId }).expect(201);
    const kept = (await officeApi.post(`/api/documents/${pledge.body.id}/issue`).expect(201)).body.exemplars[0];
    const officePledge = await officeApi.post('/api/documents').send({ form: 'office-pledge' }).expect(201);
    const bound = (await officeApi.post(`/api/documents/${officePledge.body.id}/issue`).expect(201)).body.exemplars[0];

    const rurume = await stack.login((await createUser(stack.app, 'secretariat', { networkId: 'rurume' })).email);
    // Another network's sheet is answered like a number that does not exist (issue 21): no network named.
    const wrong = await rurume.post('/api/receipts').send({ code: bound.code }).expect(404);
    expect(wrong.body.code).toBe('NOT_FOUND');
    expect(JSON.stringify(wrong.body)).not.toContain('板橋');

    const itabashi = await stack.login((await createUser(stack.app, 'secretariat', { networkId: 'itabashi' })).email);
    // An original the office keeps is not the 事務局's to see: answered like a code that does not exist (issue 13).
    const notSubmitted = await itabashi.post('/api/receipts').send({ code: kept.code }).expect(404);
    expect(notSubmitted.body.message).toContain('事務局へ提出する書類の原本か、番号をお確かめください');
    await itabashi.post('/api/receipts').send({ code: 'NOPE-000000-1' }).expect(404);
    const empty = await itabashi.post('/api/receipts').send({}).expect(400);
    expect(empty.body.errors[0].path).toBe('code');
  });

  it('detects an edited custody event through the hash chain; the ledger refuses edits outright', async () => {
    const { manager } = await createOfficeWithManager(stack.app, 'rurume');
    const api = await stack.login(manager.email);
    const created = await api.post('/api/documents').send({ form: 'office-pledge' }).expect(201);
    const original = (await api.post(`/api/documents/${created.body.id}/issue`).expect(201)).body.exemplars[0];
    await api.post(`/api/exemplars/${original.code}/events`).send({ type: 'mailed', note: '普通郵便' }).expect(201);

    const db = stack.app.get(DataSource);
    await expect(db.query(`UPDATE custody_event SET note = 'x' WHERE note = '普通郵便'`)).rejects.toThrow(/append-only/);
    await expect(db.query(`DELETE FROM custody_event WHERE note = '普通郵便'`)).rejects.toThrow(/append-only/);

    // Someone with the power to switch the trigger off rewrites history…
    await db.query(`ALTER TABLE custody_event DISABLE TRIGGER custody_event_append_only`);
    try {
      await db.query(`UPDATE custody_event SET note = '速達' WHERE note = '普通郵便'`);
    } finally {
      await db.query(`ALTER TABLE custody_event ENABLE TRIGGER custody_event_append_only`);
    }
    // …and the chain shows exactly where.
    const { body } = await api.get(`/api/exemplars/${original.code}/history`).expect(200);
    expect(body.chain).toEqual({ valid: false, events: 2, brokenAtSeq: 2 });
  });

  it('never changes an issued document: a correction is a new document that points to it', async () => {
    const { manager } = await createOfficeWithManager(stack.app, 'rurume');
    const api = await stack.login(manager.email);
    const created = await api.post('/api/documents').send({ form: 'office-pledge' }).expect(201);
    const draftEdit = await api
      .post(`/api/documents/${created.body.id}/versions`)
      .send({ data: { officeName: '改名前', officeAddress: '住所1', managerName: '管理 一' } })
      .expect(201);
    expect(draftEdit.body).toMatchObject({ id: created.body.id, version: { version: 2, data: { officeName: '改名前' } } });

    await api.post(`/api/documents/${created.body.id}/issue`).expect(201);
    await api.post(`/api/documents/${created.body.id}/issue`).expect(409);
    const correction = await api
      .post(`/api/documents/${created.body.id}/versions`)
      .send({ data: { officeName: '改名後', officeAddress: '住所1', managerName: '管理 一' } })
      .expect(201);
    expect(correction.body).toMatchObject({
      status: 'draft',
      correctsDocumentId: created.body.id,
      version: { version: 1, previousVersionId: draftEdit.body.version.id },
    });
    expect(correction.body.id).not.toBe(created.body.id);
    const original = await api.get(`/api/documents/${created.body.id}`).expect(200);
    expect(original.body).toMatchObject({ status: 'issued', version: { version: 2, data: { officeName: '改名前' } } });

    const invalid = await api
      .post(`/api/documents/${created.body.id}/versions`)
      .send({ data: { officeName: '' } })
      .expect(400);
    expect(invalid.body.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['officeName', 'officeAddress', 'managerName']),
    );
  });
});
