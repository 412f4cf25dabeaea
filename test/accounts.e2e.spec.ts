import { DataSource } from 'typeorm';
import { createOfficeWithManager, createUser } from './support/factories';
import { Agent, TestStack, startStack } from './support/test-app';

describe('accounts, tenancy and the audit log over HTTP', () => {
  let stack: TestStack;
  let db: DataSource;
  beforeAll(async () => {
    stack = await startStack({ SESSION_IDLE_MINUTES: '30' });
    db = stack.app.get(DataSource);
  });
  afterAll(async () => {
    await stack?.close();
  });

  const auditRows = (action: string, userEmail: string) =>
    db.query(`SELECT action, ip, user_agent, target_type, target_id FROM audit_event WHERE action = $1 AND user_email = $2 ORDER BY id`, [
      action,
      userEmail,
    ]);

  describe('log-in', () => {
    it('logs in and out; a wrong password and an unknown e-mail get the same answer', async () => {
      const user = await createUser(stack.app, 'admin');
      const unknown = await stack.http.post('/api/auth/login').send({ email: 'nobody@example.jp', password: 'whatever1' }).expect(401);
      const wrong = await stack.http.post('/api/auth/login').send({ email: user.email, password: 'wrong-pass-1' }).expect(401);
      expect(wrong.body).toEqual(unknown.body);
      expect(wrong.body.message).toMatch(/^メールアドレスまたはパスワードが正しくありません/);

      const api = await stack.login(user.email);
      expect((await api.get('/api/auth/me').expect(200)).body).toMatchObject({ email: user.email, role: 'admin' });
      await api.post('/api/auth/logout').expect(204);
      await api.get('/api/auth/me').expect(401);
      expect(await auditRows('login', user.email)).toEqual([
        expect.objectContaining({ ip: expect.stringMatching(/127\.0\.0\.1/), user_agent: null }),
      ]);
      expect(await auditRows('login_failed', user.email)).toHaveLength(1);
    });

    // Failures slow down, never lock: see login-security.e2e.spec.ts.

    it('logs out a session left idle longer than the time-out', async () => {
      const user = await createUser(stack.app, 'admin');
      const api = await stack.login(user.email);
      await api.get('/api/auth/me').expect(200);
      await db.query(`UPDATE user_session SET last_seen_at = now() - interval '31 minutes' WHERE user_id = $1`, [user.id]);
      await api.get('/api/auth/me').expect(401);
    });

    it('enforces the networks’ password rule (8+ characters, letters and digits) when creating users', async () => {
      const admin = await stack.login((await createUser(stack.app, 'admin')).email);
      for (const password of ['short1', 'lettersonly', '1234567890']) {
        const { body } = await admin
          .post('/api/users')
          .send({ email: `p${password}@example.jp`, name: '試験', role: 'admin', password })
          .expect(400);
        expect(body.errors.map((e: { path: string }) => e.path)).toEqual(['password']);
      }
      await admin
        .post('/api/users')
        .send({ email: 'ok-user@example.jp', name: '試験', role: 'admin', password: 'good-pass-9' })
        .expect(201);
      await admin
        .post('/api/users')
        .send({ email: 'OK-user@example.jp', name: '試験', role: 'admin', password: 'good-pass-9' })
        .expect(409);
      const office = await stack.login((await createOfficeWithManager(stack.app, 'rurume')).manager.email);
      await office.post('/api/users').send({ email: 'x@example.jp', name: 'x', role: 'admin', password: 'good-pass-9' }).expect(403);
    });

    it('lets the admin register an office in a network, then its manager; each side sees only its offices', async () => {
      const admin = await stack.login((await createUser(stack.app, 'admin')).email);
      const bad = await admin.post('/api/offices').send({ networkId: 'atlantis', name: '', postalCode: '12' }).expect(400);
      expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(['networkId', 'name', 'postalCode']);
      const office = await admin
        .post('/api/offices')
        .send({ networkId: 'minato', name: '港みなと診療所', postalCode: '552-0001' })
        .expect(201);
      await admin
        .post('/api/users')
        .send({
          email: 'minato-manager@example.jp',
          name: '港 管理',
          role: 'office_manager',
          officeId: office.body.id,
          password: 'minato-pass-1',
        })
        .expect(201);
      const manager = await stack.login('minato-manager@example.jp', 'minato-pass-1');
      expect((await manager.get('/api/offices').expect(200)).body.map((o: { id: string }) => o.id)).toEqual([office.body.id]);
      await manager.post('/api/offices').send({ networkId: 'minato', name: 'x' }).expect(403);
      const minato = await stack.login((await createUser(stack.app, 'secretariat', { networkId: 'minato' })).email);
      expect((await minato.get('/api/offices').expect(200)).body.every((o: { networkId: string }) => o.networkId === 'minato')).toBe(true);
    });

    it('sends a browser without a session to the log-in page and back where it was going', async () => {
      const response = await stack.http.get('/secretariat?status=missing').expect(303);
      expect(response.headers.location).toBe('/login?next=%2Fsecretariat%3Fstatus%3Dmissing');
    });
  });

  describe('tenancy: every cross-tenant request is a 404, and is logged', () => {
    let officeA: Agent;
    let emailA: string;
    let other: { documentId: string; consentId: string; code: string; staffId: string; patientId: string };

    beforeAll(async () => {
      const a = await createOfficeWithManager(stack.app, 'rurume');
      emailA = a.manager.email;
      officeA = await stack.login(emailA);
      const b = await stack.login((await createOfficeWithManager(stack.app, 'rurume')).manager.email);
      const staff = await b.post('/api/staff').send({ name: '他社 職員', email: 'other@example.jp' }).expect(201);
      const patient = await b.post('/api/patients').send({ name: '他社 患者' }).expect(201);
      const pledge = await b.post('/api/documents').send({ form: 'office-pledge' }).expect(201);
      const issued = await b.post(`/api/documents/${pledge.body.id}/issue`).expect(201);
      const consent = await b.post('/api/documents').send({ form: 'patient-consent', subjectId: patient.body.id }).expect(201);
      other = {
        documentId: pledge.body.id,
        consentId: consent.body.id,
        code: issued.body.exemplars[0].code,
        staffId: staff.body.id,
        patientId: patient.body.id,
      };
    });

    it('refuses another office’s documents, staff, patients, exemplars and their events', async () => {
      const before = (await auditRows('access_denied', emailA)).length;
      await officeA.get(`/api/documents/${other.documentId}`).expect(404);
      await officeA.post(`/api/documents/${other.documentId}/issue`).expect(404);
      await officeA.post(`/api/documents/${other.documentId}/versions`).send({ data: {} }).expect(404);
      await officeA.get(`/api/patients/${other.patientId}`).expect(404);
      await officeA.post(`/api/staff/${other.staffId}/leave`).expect(404);
      await officeA.post('/api/documents').send({ form: 'staff-pledge', subjectId: other.staffId }).expect(404);
      await officeA.get(`/api/exemplars/${other.code}/history`).expect(404);
      await officeA.get(`/api/exemplars/${other.code}/pdf`).expect(404);
      await officeA.post(`/api/exemplars/${other.code}/events`).send({ type: 'mailed' }).expect(404);
      const denied = await auditRows('access_denied', emailA);
      expect(denied.length - before).toBe(9);
      expect(denied[denied.length - 1]).toMatchObject({ target_type: 'exemplar' });
      // Someone else's records look exactly like missing ones.
      const missing = await officeA.get('/api/documents/00000000-0000-0000-0000-000000000000').expect(404);
      const foreign = await officeA.get(`/api/documents/${other.documentId}`).expect(404);
      expect(foreign.body.code).toBe(missing.body.code);
    });

    it('shows a secretariat its network’s submitted forms only: not patients’ consents, not other networks', async () => {
      const rurume = await stack.login((await createUser(stack.app, 'secretariat', { networkId: 'rurume' })).email);
      await rurume.get(`/api/documents/${other.documentId}`).expect(200);
      await rurume.get(`/api/documents/${other.consentId}`).expect(404);
      await rurume.get(`/api/patients/${other.patientId}`).expect(403);
      const minato = await stack.login((await createUser(stack.app, 'secretariat', { networkId: 'minato' })).email);
      await minato.get(`/api/documents/${other.documentId}`).expect(404);
      await minato.get(`/api/exemplars/${other.code}/history`).expect(404);
      const list = await minato.get('/api/documents').expect(200);
      expect(list.body.every((d: { networkId: string }) => d.networkId === 'minato')).toBe(true);
    });

    it('keeps office users out of the secretariat’s and the admin’s pages', async () => {
      await officeA.get('/api/dashboard/secretariat').expect(403);
      await officeA.post('/api/receipts').send({ code: other.code }).expect(403);
      await officeA.get('/api/audit').expect(403);
      await officeA.get('/secretariat').expect(403);
    });
  });

  describe('audit log', () => {
    it('records views and downloads of patients’ documents with user, time and source; the admin reads and exports it', async () => {
      const { manager } = await createOfficeWithManager(stack.app, 'rurume');
      const office = await stack.login(manager.email);
      const patient = await office.post('/api/patients').send({ name: '監査 患者' }).expect(201);
      const consent = await office.post('/api/documents').send({ form: 'patient-consent', subjectId: patient.body.id }).expect(201);
      await office.get(`/api/documents/${consent.body.id}`).set('User-Agent', 'TabletBrowser/1.0').expect(200);
      const viewed = await auditRows('document_viewed', manager.email);
      expect(viewed).toEqual([
        expect.objectContaining({
          target_type: 'document',
          target_id: consent.body.id,
          user_agent: 'TabletBrowser/1.0',
          ip: expect.any(String),
        }),
      ]);

      const admin = await stack.login((await createUser(stack.app, 'admin')).email);
      const log = await admin.get('/api/audit?action=document_viewed').expect(200);
      expect(log.body.some((e: { targetId: string }) => e.targetId === consent.body.id)).toBe(true);
      const csv = await admin.get('/api/audit/export.csv').expect(200);
      expect(csv.headers['content-type']).toMatch(/text\/csv/);
      expect(csv.text.startsWith('\uFEFF"日時","操作"')).toBe(true);
      await expect(db.query(`DELETE FROM audit_event`)).rejects.toThrow(/append-only/);
    });

    it('exports the secretariat’s matrix as Excel-safe CSV: BOM, quoted cells, formulas neutralised', async () => {
      const { office, manager } = await createOfficeWithManager(stack.app, 'rurume');
      const officeApi = await stack.login(manager.email);
      await officeApi.post('/api/staff').send({ name: '=HYPERLINK("http://evil.example","x")' }).expect(201);
      const jimukyoku = await stack.login((await createUser(stack.app, 'secretariat', { networkId: 'rurume' })).email);
      const csv = await jimukyoku.get(`/api/dashboard/secretariat.csv?office=${office.id}`).expect(200);
      expect(csv.text.startsWith('\uFEFF"事業所","対象","様式","状態"')).toBe(true);
      expect(csv.text).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
      expect(csv.text).not.toMatch(/(^|,)"=/m);
      const bad = await jimukyoku.get('/api/dashboard/secretariat?status=lost&office=12').expect(400);
      expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(['office', 'status']);
    });
  });
});
