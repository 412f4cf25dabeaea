import { createHmac } from 'node:crypto';
import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import { todayInJapan } from '../src/common/japan-date';
import { RightsJobsService } from '../src/rights/rights-jobs.service';
import { createPatient, issuedConsent, requestSignatures, sealedConsent, waitFor } from './support/consents';
import { createOfficeWithManager, createUser, unique } from './support/factories';
import { TestSmtp, linkIn, startSmtp } from './support/smtp';
import { SigningJobsService } from '../src/signing/signing-jobs.service';
import { Agent, TEST_PASSWORD, TestStack, formToken, startStack } from './support/test-app';
import { ReceivedHook, WebhookReceiver, startReceiver } from './support/webhook-receiver';

/** Fast retries and polling, and a receiver on loopback (allowed only with WEBHOOK_ALLOW_PRIVATE=1). */
const ENV = { WEBHOOK_ALLOW_PRIVATE: '1', WEBHOOK_RETRY_SECONDS: '1,1,2,2', WEBHOOK_POLL_MS: '100' };

const OFFICE_EVENTS = [
  'document.issued',
  'signing.sent',
  'signing.opened',
  'signing.signed',
  'signing.declined',
  'signing.expired',
  'document.sealed',
  'consent.withdrawn',
  'rights_request.created',
  'rights_request.overdue',
  'exemplar.received',
];

function verified(hook: ReceivedHook, secret: string): { type: string; timestamp: string; data: Record<string, unknown> } {
  const headers = {
    'webhook-id': String(hook.headers['webhook-id']),
    'webhook-timestamp': String(hook.headers['webhook-timestamp']),
    'webhook-signature': String(hook.headers['webhook-signature']),
  };
  return new Webhook(secret).verify(hook.body, headers) as { type: string; timestamp: string; data: Record<string, unknown> };
}

describe('integrations: API keys and signed webhooks', () => {
  let stack: TestStack;
  let smtp: TestSmtp;
  let receiver: WebhookReceiver;
  let db: DataSource;
  let office: Agent;
  let other: Agent;
  let officeId: string;

  beforeAll(async () => {
    smtp = await startSmtp();
    receiver = await startReceiver();
    stack = await startStack({ SMTP_URL: smtp.url, ...ENV });
    db = stack.app.get(DataSource);
    const mine = await createOfficeWithManager(stack.app, 'rurume');
    officeId = mine.office.id;
    office = await stack.login(mine.manager.email);
    other = await stack.login((await createOfficeWithManager(stack.app, 'rurume')).manager.email);
  });
  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
    await smtp?.close();
  });

  const withKey = (key: string) => ({
    get: (url: string) => stack.http.get(url).set('Authorization', `Bearer ${key}`),
    post: (url: string) => stack.http.post(url).set('Authorization', `Bearer ${key}`),
    delete: (url: string) => stack.http.delete(url).set('Authorization', `Bearer ${key}`),
  });

  describe('API keys', () => {
    it('acts as the office with its manager’s rights, is shown once, is named in the audit log, and stops at once when revoked', async () => {
      const created = await office.post('/api/api-keys').send({ name: '介護記録システム' }).expect(201);
      expect(Object.keys(created.body).sort()).toEqual(['id', 'key', 'name']);
      const { id, key } = created.body as { id: string; key: string };
      expect(key).toMatch(/^rk_[A-Za-z0-9_-]{40,}$/);
      // The list never shows the key; the database keeps only its hash.
      const listed = await office.get('/api/api-keys').expect(200);
      expect(listed.body).toEqual([expect.objectContaining({ id, name: '介護記録システム', lastUsedAt: null })]);
      expect(JSON.stringify(listed.body)).not.toContain(key);
      const stored = JSON.stringify(await db.query(`SELECT * FROM api_key WHERE id = $1`, [id]));
      expect(stored).not.toContain(key);

      // No CSRF token, no cookie: the key alone.
      const api = withKey(key);
      const patient = await api
        .post('/api/patients')
        .send({ name: 'キー 花子', nameKana: 'きー はなこ', birthDate: '1940-01-02', family: [] })
        .expect(201);
      const audit = await db.query(`SELECT user_email, detail FROM audit_event WHERE action = 'patient_added' AND target_id = $1`, [
        patient.body.id,
      ]);
      expect(audit).toHaveLength(1);
      expect(audit[0].user_email).toContain('APIキー「介護記録システム」');
      expect(audit[0].detail.apiKey).toEqual({ id, name: '介護記録システム' });
      expect((await office.get('/api/api-keys').expect(200)).body[0].lastUsedAt).not.toBeNull();

      // The office's own, never another office's.
      const othersPatient = await createPatient(other, unique('他院 患者'), { name: '他院 家族', email: `${unique('o')}@example.jp` });
      const othersDoc = await other.post('/api/documents').send({ form: 'patient-consent', subjectId: othersPatient.id }).expect(201);
      const peek = await api.get(`/api/documents/${othersDoc.body.id}`);
      expect([403, 404]).toContain(peek.status);
      expect(JSON.stringify(peek.body)).not.toContain(othersDoc.body.number);
      const list = await api.get('/api/documents').expect(200);
      expect(JSON.stringify(list.body)).not.toContain(othersDoc.body.id);
      // A key makes no keys (a stolen key cannot make itself a spare).
      await api.post('/api/api-keys').send({ name: 'spare' }).expect(403);

      await office.delete(`/api/api-keys/${id}`).expect(204);
      const after = await api.get('/api/documents');
      expect(after.status).toBe(401);
      expect(after.body.code).toBe('UNAUTHENTICATED');
      await office.delete(`/api/api-keys/${id}`).expect(404);
      expect((await office.get('/api/api-keys').expect(200)).body).toEqual([]);
      const revokedAudit = await db.query(`SELECT detail FROM audit_event WHERE action = 'api_key_revoked' AND target_id = $1`, [id]);
      expect(revokedAudit[0].detail).toEqual({ name: '介護記録システム' });
      // An unknown key, and a key of the right shape that never existed: 401 alike.
      await stack.http.get('/api/documents').set('Authorization', 'Bearer rk_nothing').expect(401);
    });

    it('needs the CSRF token for a key made with a log-in session (page or API), as every other form', async () => {
      const { manager, office: place } = await createOfficeWithManager(stack.app, 'rurume');
      const browser = request.agent(stack.app.getHttpServer());
      await browser.post('/api/auth/login').send({ email: manager.email, password: TEST_PASSWORD }).expect(200);
      await browser.post('/integrations/keys').type('form').send({ name: '偽の依頼' }).expect(403);
      await browser.post('/api/api-keys').send({ name: '偽の依頼' }).expect(403);
      await browser
        .post('/integrations/webhooks')
        .type('form')
        .send({ url: `${receiver.url}/forged`, events: 'document.issued' })
        .expect(403);
      expect((await db.query(`SELECT count(*)::int AS n FROM api_key WHERE office_id = $1`, [place.id]))[0].n).toBe(0);
      const _csrf = formToken((await browser.get('/integrations').expect(200)).text);
      const made = await browser.post('/integrations/keys').type('form').send({ name: '本物', _csrf }).expect(201);
      expect(made.text).toMatch(/value="rk_[A-Za-z0-9_-]+"/);
    });

    it('refuses a key without a name, and to staff and admins', async () => {
      const bad = await office.post('/api/api-keys').send({ name: '  ' }).expect(400);
      expect(JSON.stringify(bad.body)).toContain('キーの名前');
      const staff = await createUser(stack.app, 'office_staff', { officeId });
      await (await stack.login(staff.email)).post('/api/api-keys').send({ name: 'x' }).expect(403);
      expect((await db.query(`SELECT count(*)::int AS n FROM api_key WHERE office_id = $1`, [officeId]))[0].n).toBe(1);
    });
  });

  describe('webhooks', () => {
    it('refuses unknown events, the 事務局’s events to an office, and a URL that is not http(s)', async () => {
      const unknown = await office
        .post('/api/webhooks')
        .send({ url: `${receiver.url}/x`, events: ['document.deleted'] })
        .expect(400);
      expect(JSON.stringify(unknown.body)).toContain('イベント');
      // An office cannot subscribe to the 事務局's events.
      await office
        .post('/api/webhooks')
        .send({ url: `${receiver.url}/x`, events: ['application.submitted'] })
        .expect(400);
      await office
        .post('/api/webhooks')
        .send({ url: 'ftp://example.jp/x', events: ['document.issued'] })
        .expect(400);
      expect((await office.get('/api/webhooks').expect(200)).body).toEqual([]);
    });

    it('delivers every event of a consent’s life, signed (Standard Webhooks), to its own office only, with no personal data', async () => {
      const hook = await office
        .post('/api/webhooks')
        .send({ url: `${receiver.url}/office-a`, events: OFFICE_EVENTS, description: '記録システム' })
        .expect(201);
      expect(Object.keys(hook.body).sort()).toEqual(['id', 'secret']);
      const secret = hook.body.secret as string;
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]+$/);
      expect(JSON.stringify((await office.get('/api/webhooks').expect(200)).body)).not.toContain(secret);
      // Another office listens for everything it may: it hears nothing of this office.
      await other
        .post('/api/webhooks')
        .send({ url: `${receiver.url}/office-b`, events: OFFICE_EVENTS })
        .expect(201);

      const family = { name: '連携 健一', email: `${unique('kenichi')}@example.jp` };
      const patientName = '連携 ウメ';
      const details = { address: '東京都東久留米市滝山7-7-7', phone: '090-7777-8888', typedName: '連携 健一 署名' };
      const consent = await sealedConsent(stack, smtp, office, patientName, family, details);
      await office
        .post(`/api/documents/${consent.id}/consent-withdrawal`)
        .send({ receivedVia: 'phone', receivedAt: todayInJapan(), note: '長男 連携 健一 様よりお電話 090-7777-8888' })
        .expect(201);

      const expected = ['document.issued', 'signing.sent', 'signing.opened', 'signing.signed', 'document.sealed', 'consent.withdrawn'];
      for (const type of expected) await receiver.waitFor((h) => h.path === '/office-a' && h.type === type, type);
      await receiver.waitFor(
        (h) => h.path === '/office-a' && h.type === 'signing.signed' && h.body.includes('explainer'),
        'second signature',
      );
      const mine = receiver.received.filter((h) => h.path === '/office-a');
      const bodies = mine.map((h) => verified(h, secret));
      expect(new Set(bodies.map((b) => b.type))).toEqual(new Set(expected));
      for (const body of bodies) {
        expect(Object.keys(body).sort()).toEqual(['data', 'timestamp', 'type']);
        expect(new Date(body.timestamp).getTime()).not.toBeNaN();
        expect(body.data.documentId).toBe(consent.id);
        expect(body.data.officeId).toBe(officeId);
      }
      const sealed = bodies.find((b) => b.type === 'document.sealed')!;
      expect(sealed.data).toMatchObject({
        number: consent.number,
        form: 'patient-consent',
        signingRequestId: consent.requestId,
        status: 'signed',
      });
      expect(
        bodies
          .filter((b) => b.type === 'signing.signed')
          .map((b) => b.data.signerRole)
          .sort(),
      ).toEqual(['explainer', 'family1']);
      // The raw recipe of docs/integrations.md: HMAC-SHA256 with the decoded secret over "id.timestamp.body".
      const raw = createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64'))
        .update(`${mine[0].headers['webhook-id']}.${mine[0].headers['webhook-timestamp']}.${mine[0].body}`)
        .digest('base64');
      expect(mine[0].headers['webhook-signature']).toBe(`v1,${raw}`);
      // A tampered body fails verification.
      expect(() => verified({ ...mine[0], body: mine[0].body.replace('"type"', '"typ\\u0065"') }, secret)).toThrow();
      // Nothing of the people: names, addresses, e-mails, phones, the typed signature, the note.
      const everything = mine.map((h) => `${JSON.stringify(h.headers)}\n${h.body}`).join('\n');
      for (const personal of [
        patientName,
        family.name,
        family.email,
        details.address,
        details.phone,
        details.typedName,
        '説明 看護師',
        '長男',
        'お電話',
        'しけん',
      ])
        expect(everything).not.toContain(personal);
      expect(everything).not.toMatch(/[\w.+-]+@[\w-]+\.[\w.]+/);

      // Office B's endpoint got nothing of office A's consent (only its own events would come).
      expect(receiver.received.filter((h) => h.path === '/office-b' && h.body.includes(consent.id))).toEqual([]);

      // The deliveries page: each with its status code and time.
      const deliveries = await waitFor(async () => {
        const listed = await office.get(`/api/webhooks/${hook.body.id}/deliveries`).expect(200);
        return listed.body.deliveries.every((d: { status: string }) => d.status === 'delivered') ? listed : null;
      }, 'every delivery recorded');
      expect(deliveries.body.total).toBeGreaterThanOrEqual(expected.length + 1);
      for (const d of deliveries.body.deliveries)
        expect(d).toMatchObject({
          status: 'delivered',
          statusCode: 200,
          nextRetryAt: null,
          attempts: [expect.objectContaining({ statusCode: 200 })],
        });
    });

    it('announces a decline and an expiry, with the signer’s role and never the reason typed', async () => {
      const { manager } = await createOfficeWithManager(stack.app, 'rurume');
      const agent = await stack.login(manager.email);
      const hook = await agent
        .post('/api/webhooks')
        .send({ url: `${receiver.url}/closed`, events: ['signing.declined', 'signing.expired'] })
        .expect(201);
      const family = { name: '辞退 一郎', email: `${unique('decline')}@example.jp` };
      const patient = await createPatient(agent, '辞退 ハナ', family);
      const declined = await requestSignatures(agent, (await issuedConsent(agent, patient.id)).id, family);
      const link = linkIn(await smtp.waitFor((m) => m.to === family.email), '/sign/');
      const browser = request.agent(stack.app.getHttpServer());
      const _csrf = formToken((await browser.get(link).expect(200)).text);
      await browser.post(`${link}/decline`).type('form').send({ reason: '家族で相談します', _csrf }).expect(200);
      const decline = await receiver.waitFor((h) => h.path === '/closed' && h.type === 'signing.declined', 'signing.declined');
      expect(verified(decline, hook.body.secret).data).toMatchObject({
        signingRequestId: declined.id,
        signerRole: 'family1',
        status: 'declined',
      });
      expect(decline.body).not.toContain('相談');

      const expiring = await requestSignatures(agent, (await issuedConsent(agent, patient.id)).id, {
        ...family,
        email: `${unique('x')}@example.jp`,
      });
      await db.query(`UPDATE signing_request SET expires_at = now() - interval '1 minute' WHERE id = $1`, [expiring.id]);
      await stack.worker.get(SigningJobsService).expire(expiring.id);
      const expired = await receiver.waitFor((h) => h.path === '/closed' && h.type === 'signing.expired', 'signing.expired');
      expect(verified(expired, hook.body.secret).data).toMatchObject({
        signingRequestId: expiring.id,
        status: 'expired',
        unsignedRoles: ['family1', 'explainer'],
      });
      for (const personal of [family.name, family.email, '辞退 ハナ']) expect(decline.body + expired.body).not.toContain(personal);
    });

    it('reaches the 事務局 with its network’s events (applications, registrations), never another network’s', async () => {
      const clerk = await createUser(stack.app, 'secretariat', { networkId: 'rurume' });
      const secretariat = await stack.login(clerk.email);
      const hook = await secretariat
        .post('/api/webhooks')
        .send({ url: `${receiver.url}/jimukyoku`, events: ['application.submitted', 'registration.opened', 'registration.done'] })
        .expect(201);
      const application = {
        network: 'rurume',
        officeName: unique('連携申込訪問看護'),
        postalCode: '203-0053',
        address: '東京都東久留米市本町9-9-9',
        phone: '042-999-9999',
        managerName: '申込 連携太郎',
        managerEmail: `${unique('apply')}@example.jp`,
        pledgeMethod: 'paper',
      };
      const created = await stack.http.post('/api/applications').send(application).expect(201);
      const got = await receiver.waitFor((h) => h.path === '/jimukyoku' && h.body.includes(created.body.id), 'application.submitted');
      const body = verified(got, hook.body.secret);
      expect(body).toMatchObject({ type: 'application.submitted', data: { applicationId: created.body.id, status: 'pending' } });
      for (const personal of [
        application.officeName,
        application.address,
        application.phone,
        application.managerName,
        application.managerEmail,
      ])
        expect(got.body).not.toContain(personal);
      // Another network's application never reaches it.
      const elsewhere = await stack.http
        .post('/api/applications')
        .send({ ...application, network: 'musashimurayama', officeName: unique('別網'), managerEmail: `${unique('m')}@example.jp` });
      expect(elsewhere.status).toBe(201);
      // Deliveries are written with the change: none for this 事務局, and so nothing will ever be sent to it.
      const queued = await db.query(`SELECT count(*)::int AS n FROM webhook_delivery WHERE endpoint_id = $1 AND payload LIKE $2`, [
        hook.body.id,
        `%${elsewhere.body.id}%`,
      ]);
      expect(queued[0].n).toBe(0);
      const own = await db.query(`SELECT count(*)::int AS n FROM webhook_delivery WHERE endpoint_id = $1 AND payload LIKE $2`, [
        hook.body.id,
        `%${created.body.id}%`,
      ]);
      expect(own[0].n).toBe(1);
      // A staff member added by an office of the network: a line on the desk, then done.
      const staff = await office
        .post('/api/staff')
        .send({ name: '登録 連携子', jobTitle: '看護師', email: `${unique('staff')}@example.jp` })
        .expect(201);
      const opened = await receiver.waitFor(
        (h) => h.path === '/jimukyoku' && h.type === 'registration.opened' && h.body.includes(staff.body.id),
        'registration.opened',
      );
      const line = verified(opened, hook.body.secret).data;
      expect(line).toMatchObject({ officeId, staffId: staff.body.id, kind: 'add', status: 'open' });
      await secretariat.post(`/api/registrations/${line.registrationId}/done`).send({ mcsId: 'MCS-778899' }).expect(200);
      const done = await receiver.waitFor(
        (h) => h.path === '/jimukyoku' && h.type === 'registration.done' && h.body.includes(String(line.registrationId)),
        'registration.done',
      );
      expect(verified(done, hook.body.secret).data).toMatchObject({ registrationId: line.registrationId, status: 'done' });
      for (const personal of ['登録 連携子', '看護師', 'MCS-778899', '@example.jp'])
        expect(opened.body + done.body).not.toContain(personal);
      // A 事務局 cannot see or change an office's webhooks, nor an office the 事務局's.
      const officeHook = await office
        .post('/api/webhooks')
        .send({ url: `${receiver.url}/office-c`, events: ['document.issued'] })
        .expect(201);
      await secretariat.delete(`/api/webhooks/${officeHook.body.id}`).expect(404);
      await secretariat.get(`/api/webhooks/${officeHook.body.id}/deliveries`).expect(404);
      await office.delete(`/api/webhooks/${officeHook.body.id}`).expect(204);
      await office.delete(`/api/webhooks/${hook.body.id}`).expect(404);
    });

    it('sends again a delivery its receiver answered 500, later, with the same webhook-id; a test and a retry on request', async () => {
      let calls = 0;
      receiver.answer('/flaky', () => (++calls === 1 ? 500 : 204));
      const hook = await office
        .post('/api/webhooks')
        .send({ url: `${receiver.url}/flaky`, events: ['document.issued'] })
        .expect(201);
      const patient = await createPatient(office, unique('再送 患者'), { name: '再送 家族', email: `${unique('r')}@example.jp` });
      const doc = await issuedConsent(office, patient.id);
      const first = await receiver.waitFor((h) => h.path === '/flaky' && h.status === 500, 'the first attempt (500)');
      const second = await receiver.waitFor((h) => h.path === '/flaky' && h.status === 204, 'the retry (204)');
      expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
      expect(Number(second.headers['webhook-timestamp'])).toBeGreaterThanOrEqual(Number(first.headers['webhook-timestamp']));
      expect(verified(second, hook.body.secret).data).toMatchObject({ documentId: doc.id, number: doc.number });
      // The receiver answers before the worker records the answer: wait for the record.
      const deliveries = await waitFor(async () => {
        const listed = (await office.get(`/api/webhooks/${hook.body.id}/deliveries`).expect(200)).body.deliveries;
        return listed[0]?.status === 'delivered' ? listed : null;
      }, 'the delivery recorded');
      expect(deliveries).toHaveLength(1);
      expect(deliveries[0]).toMatchObject({ event: 'document.issued', status: 'delivered', statusCode: 204 });
      expect(deliveries[0].attempts.map((a: { statusCode: number }) => a.statusCode)).toEqual([500, 204]);
      expect(deliveries[0].attempts[0].nextRetryAt).not.toBeNull();

      // A test event now, and a retry of the delivered one: both arrive.
      const test = await office.post(`/api/webhooks/${hook.body.id}/test`).expect(202);
      await receiver.waitFor((h) => h.path === '/flaky' && h.type === 'webhook.test', 'the test event');
      await office.post(`/api/webhooks/${hook.body.id}/deliveries/${deliveries[0].id}/retry`).expect(202);
      await waitFor(
        async () => receiver.received.filter((h) => h.headers['webhook-id'] === first.headers['webhook-id']).length === 3,
        'the retry asked for',
      );
      await office.post(`/api/webhooks/${hook.body.id}/deliveries/${test.body.deliveryId}x/retry`).expect(404);
      await other.post(`/api/webhooks/${hook.body.id}/test`).expect(404);
    });

    it('announces rights requests (received, and once when overdue) and a received original, to the office', async () => {
      const { office: place, manager } = await createOfficeWithManager(stack.app, 'rurume');
      const agent = await stack.login(manager.email);
      const hook = await agent
        .post('/api/webhooks')
        .send({ url: `${receiver.url}/rights`, events: ['rights_request.created', 'rights_request.overdue', 'exemplar.received'] })
        .expect(201);
      const patient = await createPatient(agent, '請求 連携', { name: '請求 家族', email: `${unique('q')}@example.jp` });
      const monthAgo = todayInJapan(new Date(Date.now() - 30 * 86_400_000));
      const rights = await agent
        .post(`/api/patients/${patient.id}/rights-requests`)
        .send({ kind: 'disclosure', receivedAt: monthAgo, receivedVia: 'phone', detail: '請求 連携 の記録一式' })
        .expect(201);
      const created = await receiver.waitFor((h) => h.path === '/rights' && h.type === 'rights_request.created', 'rights_request.created');
      expect(verified(created, hook.body.secret).data).toMatchObject({
        rightsRequestId: rights.body.id,
        kind: 'disclosure',
        officeId: place.id,
      });
      // The sweeper's part: once, however often it runs.
      const jobs = stack.worker.get(RightsJobsService);
      expect(await jobs.announceOverdue()).toBeGreaterThanOrEqual(1);
      await jobs.announceOverdue();
      const overdue = await receiver.waitFor((h) => h.path === '/rights' && h.type === 'rights_request.overdue', 'rights_request.overdue');
      expect(verified(overdue, hook.body.secret).data).toMatchObject({ rightsRequestId: rights.body.id, status: 'open' });

      const doc = await agent.post('/api/documents').send({ form: 'office-pledge' }).expect(201);
      const issued = await agent.post(`/api/documents/${doc.body.id}/issue`).expect(201);
      const original = issued.body.exemplars.find((e: { kind: string }) => e.kind === 'original');
      await agent.post(`/api/documents/${doc.body.id}/paper-signature`).expect(201);
      await agent.post(`/api/exemplars/${original.code}/events`).send({ type: 'mailed' }).expect(201);
      const clerk = await stack.login((await createUser(stack.app, 'secretariat', { networkId: 'rurume' })).email);
      await clerk.post('/api/receipts').send({ code: original.code }).expect(201);
      const received = await receiver.waitFor((h) => h.path === '/rights' && h.type === 'exemplar.received', 'exemplar.received');
      expect(verified(received, hook.body.secret).data).toMatchObject({ code: original.code, documentId: doc.body.id, kind: 'original' });
      const mine = receiver.received.filter((h) => h.path === '/rights');
      expect(mine.filter((h) => h.type === 'rights_request.overdue')).toHaveLength(1);
      for (const personal of ['請求 連携', '請求 家族', '記録一式']) expect(mine.map((h) => h.body).join('')).not.toContain(personal);
    });

    it('gives up after the last retry, and disables an endpoint failing for the configured time, e-mailing its owner', async () => {
      await stack.close();
      stack = await startStack({ SMTP_URL: smtp.url, ...ENV, WEBHOOK_RETRY_SECONDS: '2', WEBHOOK_DISABLE_AFTER_SECONDS: '1' });
      db = stack.app.get(DataSource);
      const { manager } = await createOfficeWithManager(stack.app, 'rurume');
      const agent = await stack.login(manager.email);
      receiver.answer('/down', () => 503);
      const hook = await agent
        .post('/api/webhooks')
        .send({ url: `${receiver.url}/down`, events: ['document.issued'] })
        .expect(201);
      await agent.post(`/api/webhooks/${hook.body.id}/test`).expect(202);
      const mail = await smtp.waitFor((m) => m.to === manager.email && m.subject.includes('Webhook'));
      expect(mail.text).toContain(`${receiver.url}/down`);
      const [listed] = (await agent.get('/api/webhooks').expect(200)).body;
      expect(listed.disabledAt).not.toBeNull();
      const { deliveries } = (await agent.get(`/api/webhooks/${hook.body.id}/deliveries`).expect(200)).body;
      expect(deliveries[0].attempts.map((a: { statusCode: number }) => a.statusCode)).toEqual([503, 503]);
      expect(['failed', 'cancelled']).toContain(deliveries[0].status);
      await agent.post(`/api/webhooks/${hook.body.id}/test`).expect(409);
    });

    it('still delivers after the service and its worker are stopped and started again', async () => {
      let up = false;
      receiver.answer('/restart', () => (up ? 200 : 500));
      const { manager } = await createOfficeWithManager(stack.app, 'rurume');
      let agent = await stack.login(manager.email);
      const created = await agent
        .post('/api/webhooks')
        .send({ url: `${receiver.url}/restart`, events: ['document.issued'] })
        .expect(201);
      const test = await agent.post(`/api/webhooks/${created.body.id}/test`).expect(202);
      const failed = await receiver.waitFor((h) => h.path === '/restart' && h.status === 500, 'the failed attempt');
      await stack.close();
      up = true;
      stack = await startStack({ SMTP_URL: smtp.url, ...ENV });
      const delivered = await receiver.waitFor((h) => h.path === '/restart' && h.status === 200, 'delivery after the restart');
      expect(delivered.headers['webhook-id']).toBe(failed.headers['webhook-id']);
      verified(delivered, created.body.secret);
      agent = await stack.login(manager.email);
      const recorded = await waitFor(async () => {
        const { deliveries } = (await agent.get(`/api/webhooks/${created.body.id}/deliveries`).expect(200)).body;
        const mine = deliveries.find((d: { id: string }) => d.id === test.body.deliveryId);
        return mine?.status === 'delivered' ? mine : null;
      }, 'the delivery recorded after the restart');
      expect(recorded).toMatchObject({ status: 'delivered', statusCode: 200 });
    });
  });

  it('refuses a private address without WEBHOOK_ALLOW_PRIVATE: when a webhook is added, and again when it is sent', async () => {
    receiver.answer('/private', () => 200);
    const { manager } = await createOfficeWithManager(stack.app, 'rurume');
    let agent = await stack.login(manager.email);
    const allowed = await agent
      .post('/api/webhooks')
      .send({ url: `${receiver.url}/private`, events: ['document.issued'] })
      .expect(201);
    await stack.close();
    stack = await startStack({ SMTP_URL: smtp.url, ...ENV, WEBHOOK_ALLOW_PRIVATE: '0' });
    agent = await stack.login(manager.email);
    for (const url of [`${receiver.url}/private`, 'http://localhost:9/x', 'https://169.254.169.254/latest/meta-data', 'https://[::1]/x']) {
      const refused = await agent
        .post('/api/webhooks')
        .send({ url, events: ['document.issued'] })
        .expect(400);
      expect(refused.body.errors).toEqual([expect.objectContaining({ path: 'url', message: expect.stringContaining('内部のアドレス') })]);
    }
    // Added while it was allowed: refused at the time of sending, and the receiver never reached.
    const test = await agent.post(`/api/webhooks/${allowed.body.id}/test`).expect(202);
    const refused = await waitFor(async () => {
      const { deliveries } = (await agent.get(`/api/webhooks/${allowed.body.id}/deliveries`).expect(200)).body;
      const mine = deliveries.find((d: { id: string }) => d.id === test.body.deliveryId);
      return mine?.attempts.length ? mine : null;
    }, 'the refused attempt');
    expect(refused.attempts[0]).toMatchObject({ statusCode: null, error: expect.stringContaining('内部のアドレス') });
    expect(receiver.received.filter((h) => h.path === '/private')).toEqual([]);
  });

  it('describes keys and webhooks in the OpenAPI document', async () => {
    const { body } = await stack.http.get('/api/docs-json').expect(200);
    for (const path of ['/api/api-keys', '/api/api-keys/{id}', '/api/webhooks', '/api/webhooks/{id}/deliveries', '/api/webhooks/{id}/test'])
      expect(Object.keys(body.paths)).toContain(path);
    expect(body.paths['/api/webhooks/{id}/deliveries/{deliveryId}/retry'].post).toBeDefined();
    expect(JSON.stringify(body.tags)).toContain('Standard Webhooks');
    expect(body.components.schemas.CreatedApiKeyDto.properties).toHaveProperty('key');
  });

  it('keeps an unauthenticated request out of every integration route', async () => {
    for (const [method, url] of [
      ['get', '/api/api-keys'],
      ['post', '/api/webhooks'],
      ['get', '/api/webhooks'],
    ] as const)
      expect((await request(stack.app.getHttpServer())[method](url)).status).toBe(401);
  });
});
