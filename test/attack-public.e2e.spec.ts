import request from 'supertest';
import { DataSource } from 'typeorm';
import { createOfficeWithManager, createUser, unique } from './support/factories';
import { waitForSeal } from './support/consents';
import { TestSmtp, linkIn, startSmtp } from './support/smtp';
import { Agent, TestStack, formToken, startStack } from './support/test-app';

/**
 * The third attack run's findings on the public side (issue 21), attacked over HTTP as an outsider would: the
 * public application form as a mail relay, family links that skipped the 暗証番号, text PostgreSQL cannot
 * store, receipts that told another network a number exists, and inline scripts in the content policy.
 */
describe('attack run: the public form, family links behind the 暗証番号, odd text, receipts, CSP', () => {
  let stack: TestStack;
  let smtp: TestSmtp;
  let db: DataSource;
  let office: Agent;
  let officeName: string;

  beforeAll(async () => {
    smtp = await startSmtp();
    stack = await startStack({ SMTP_URL: smtp.url });
    db = stack.app.get(DataSource);
    const created = await createOfficeWithManager(stack.app, 'rurume');
    officeName = created.office.name;
    office = await stack.login(created.manager.email);
  });
  afterAll(async () => {
    await stack?.close();
    await smtp?.close();
  });

  const application = (overrides: Record<string, unknown> = {}) => ({
    network: 'rurume',
    officeName: unique('攻撃申込訪問看護'),
    postalCode: '203-0053',
    address: '東京都東久留米市本町1-2-3',
    phone: '042-000-0000',
    managerName: '申込 太郎',
    managerEmail: `${unique('victim')}@example.jp`,
    pledgeMethod: 'paper',
    ...overrides,
  });

  describe('the public application form relays nothing', () => {
    it("mails the network, the number and the time, never the sender's text — to the applicant or the 事務局", async () => {
      const clerk = await createUser(stack.app, 'secretariat', { networkId: 'rurume' });
      const body = application({
        officeName: `=HYPERLINK("http://evil.example/${unique('x')}","請求書")`,
        managerName: '<a href="http://evil.example">至急</a>',
      });
      const created = await stack.http.post('/api/applications').send(body).expect(201);
      expect(Object.keys(created.body).sort()).toEqual(['id', 'number']);
      const receipt = await smtp.waitFor((m) => m.to === body.managerEmail);
      const notice = await smtp.waitFor((m) => m.to === clerk.email && m.text.includes(created.body.number));
      for (const mail of [receipt, notice]) {
        const all = `${mail.subject}\n${mail.text}`;
        expect(all).toContain(created.body.number);
        expect(all).not.toMatch(/HYPERLINK|evil|至急|申込 太郎|東久留米市本町|042-000-0000/);
      }
      expect(receipt.subject).toBe(`【るるめネット】利用申込を受け付けました（${created.body.number}）`);
      // The 事務局 reads what was typed on its own page, escaped.
      const jimukyoku = await stack.login(clerk.email);
      const page = await jimukyoku.get(`/secretariat/applications/${created.body.id}`).expect(200);
      expect(page.text).toContain('HYPERLINK(&quot;http://evil.example/');
      expect(page.text).not.toContain('<a href="http://evil.example">');
    });

    it('refuses CR and LF in every one-line field with 400 naming it (API and the web form), and saves nothing', async () => {
      const count = async () => Number((await db.query(`SELECT count(*) AS n FROM application`))[0].n);
      const before = await count();
      const split = await stack.http
        .post('/api/applications')
        .send(application({ officeName: '攻撃\r\nBcc: everyone@example.jp', managerName: '申込\n太郎', address: '本町\r1-2-3' }))
        .expect(400);
      expect(split.body.code).toBe('INVALID_REQUEST');
      expect(split.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['address', 'managerName', 'officeName']);
      expect(split.body.errors.find((e: { path: string }) => e.path === 'officeName').message).toBe(
        '事業所名に改行や制御文字は使えません（1行で入力してください）',
      );
      // A network form's own one-line fields too (minato's application form).
      const formField = await stack.http
        .post('/api/applications')
        .send(application({ network: 'minato', data: { officeType: '診療所', adminName: '管理\r\n太郎', adminEmail: 'a@example.jp' } }))
        .expect(400);
      expect(formField.body.errors.map((e: { path: string }) => e.path)).toContain('data.adminName');

      const browser = request.agent(stack.app.getHttpServer());
      const _csrf = formToken((await browser.get('/apply/rurume').expect(200)).text);
      const form = await browser
        .post('/apply/rurume')
        .type('form')
        .send({ ...application({ officeName: '攻撃\r\n二行目' }), _csrf })
        .expect(400);
      expect(form.headers['content-type']).toMatch(/text\/html/);
      expect(form.text).toContain('id="f-officeName-error"');
      expect(form.text).toContain('事業所名に改行や制御文字は使えません');
      expect(await count()).toBe(before);

      // A staff form whose rules are the service's comes back with the message beside each field.
      const patients = async () => Number((await db.query(`SELECT count(*) AS n FROM patient`))[0].n);
      const saved = await patients();
      const token = formToken((await office.get('/office/patients/new').expect(200)).text);
      const patient = await office
        .post('/office/patients')
        .type('form')
        .send({ name: '山田\r\nハル', 'family[0][name]': '山田\n次郎', 'family[0][relation]': '長男', _csrf: token })
        .expect(400);
      expect(patient.text).toContain('氏名に改行や制御文字は使えません');
      expect(patient.text).toContain('家族の氏名に改行や制御文字は使えません');
      expect(patient.text).toContain('<form');
      expect(await patients()).toBe(saved);
    });

    it('answers an address that already has an account exactly like any other (201 { id, number }); the 事務局 sees the clash', async () => {
      const { manager } = await createOfficeWithManager(stack.app, 'rurume');
      const taken = await stack.http
        .post('/api/applications')
        .send(application({ managerEmail: manager.email }))
        .expect(201);
      const fresh = await stack.http.post('/api/applications').send(application()).expect(201);
      const shape = (b: { id: string; number: string }) => ({ id: typeof b.id, number: b.number.replace(/\d/g, '0') });
      expect(shape(taken.body)).toEqual(shape(fresh.body));
      expect(taken.headers['content-type']).toBe(fresh.headers['content-type']);

      const clerk = await stack.login((await createUser(stack.app, 'secretariat', { networkId: 'rurume' })).email);
      const review = await clerk.get(`/secretariat/applications/${taken.body.id}`).expect(200);
      expect(review.text).toContain('id="email-taken"');
      expect(review.text).toContain('既にアカウントとして登録されています');
      expect((await clerk.get(`/secretariat/applications/${fresh.body.id}`).expect(200)).text).not.toContain('id="email-taken"');
    });
  });

  describe('the 暗証番号 guards the copy and the withdrawal link', () => {
    const PIN = '2468';

    /** A consent signed by a family member who had a 暗証番号, sealed; the links of their copy e-mail. */
    async function sealedWithPin(email: string) {
      const patient = await office
        .post('/api/patients')
        .send({ name: '暗証 ハル', family: [{ name: '暗証 健太', relation: '長男' }] })
        .expect(201);
      const doc = await office.post('/api/documents').send({ form: 'patient-consent', subjectId: patient.body.id }).expect(201);
      await office.post(`/api/documents/${doc.body.id}/issue`).expect(201);
      const { body: req } = await office
        .post(`/api/documents/${doc.body.id}/signing`)
        .send({
          signers: [
            { role: 'family1', name: '暗証 健太', relation: '長男', method: 'email', email, accessCode: PIN },
            { role: 'explainer', name: '説明 看護師', method: 'in_person' },
          ],
        })
        .expect(201);
      const link = linkIn(await smtp.waitFor((m) => m.to === email && m.subject.includes('署名のお願い')), '/sign/');
      const family = request.agent(stack.app.getHttpServer());
      const _csrf = formToken((await family.get(link).expect(200)).text);
      await family.post(`${link}/pin`).type('form').send({ code: PIN, _csrf }).expect(303);
      await family
        .post(link)
        .type('form')
        .send({ consent: 'true', signatureKind: 'typed', typedName: '暗証 健太', relation: '長男', _csrf });
      const explainer = req.signers.find((s: { role: string }) => s.role === 'explainer');
      await office
        .post(`/api/signing/${req.id}/signers/${explainer.id}/in-person`)
        .send({ consent: true, signatureKind: 'typed', typedName: '説明 看護師' })
        .expect(201);
      await waitForSeal(db, req.id);
      const copy = await smtp.waitFor((m) => m.to === email && m.subject.includes('署名済み'));
      const withdraw = new URL(/https?:\/\/\S+\/withdraw\/[A-Za-z0-9_-]+/.exec(copy.text)![0]).pathname;
      const [signer] = await db.query(`SELECT id FROM signer WHERE request_id = $1 AND role = 'family1'`, [req.id]);
      return {
        documentId: doc.body.id as string,
        number: doc.body.number as string,
        download: linkIn(copy, '/d/'),
        withdraw,
        signerId: signer.id,
      };
    }

    const failures = async (signerId: string) =>
      (await db.query(`SELECT access_failures FROM signer WHERE id = $1`, [signerId]))[0].access_failures as number;
    const statusOf = async (documentId: string) => (await db.query(`SELECT status FROM document WHERE id = $1`, [documentId]))[0].status;

    it('refuses the copy and the withdrawal without the 暗証番号; wrong ones count toward the one lock', async () => {
      const { documentId, number, download, withdraw, signerId } = await sealedWithPin('pin-links@example.jp');
      const outsider = request.agent(stack.app.getHttpServer());

      // Without it: a page asking for it, no PDF, nothing about the consent; the API says what it needs.
      const copyPage = await outsider.get(download).expect(401);
      expect(copyPage.headers['content-type']).toMatch(/text\/html/);
      expect(copyPage.text).toContain('暗証番号の入力');
      const api = await stack.http.get(`/api/downloads/${download.split('/').pop()}`).expect(401);
      expect(api.body.code).toBe('ACCESS_CODE_REQUIRED');
      const withdrawPage = await outsider.get(withdraw).expect(401);
      expect(withdrawPage.text).toContain('暗証番号の入力');
      expect(withdrawPage.text).not.toContain(number);
      expect(withdrawPage.text).not.toContain(officeName);
      const _csrf = formToken(withdrawPage.text);
      await outsider.post(withdraw).type('form').send({ confirm: 'on', note: '勝手に撤回', _csrf }).expect(401);
      expect(await statusOf(documentId)).toBe('signed');
      // A made-up access cookie opens nothing.
      await stack.http.get(download).set('Cookie', 'renkei_family=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA').expect(401);

      // Wrong guesses at either link and the API all count on the signer's one counter, as on the signing page.
      expect((await outsider.post(`${download}/pin`).type('form').send({ code: '0000', _csrf }).expect(401)).text).toContain('あと4回');
      expect((await outsider.post(`${withdraw}/pin`).type('form').send({ code: '1111', _csrf }).expect(401)).text).toContain('あと3回');
      await stack.http
        .get(`/api/downloads/${download.split('/').pop()}`)
        .set('X-Access-Code', '2222')
        .expect(401);
      expect(await failures(signerId)).toBe(3);

      // The right one: this browser downloads the copy and may withdraw (the counter starts afresh).
      const family = request.agent(stack.app.getHttpServer());
      const token = formToken((await family.get(download).expect(401)).text);
      await family.post(`${download}/pin`).type('form').send({ code: PIN, _csrf: token }).expect(303);
      const pdf = await family.get(download).expect(200);
      expect(pdf.headers['content-type']).toBe('application/pdf');
      expect(await failures(signerId)).toBe(0);
      await stack.http
        .get(`/api/downloads/${download.split('/').pop()}`)
        .set('X-Access-Code', PIN)
        .expect(200);
      await family.post(`${withdraw}/pin`).type('form').send({ code: PIN, _csrf: token }).expect(303);
      const form = await family.get(withdraw).expect(200);
      expect(form.text).toContain(number);

      // Five wrong answers at once lock both links for every browser, the right one included.
      const guesses = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          outsider
            .post(`${i % 2 ? download : withdraw}/pin`)
            .type('form')
            .send({ code: '9999', _csrf }),
        ),
      );
      expect(guesses.filter((g) => g.status === 401)).toHaveLength(4);
      expect(guesses.filter((g) => g.status === 423)).toHaveLength(8);
      expect(await failures(signerId)).toBe(5);
      await outsider.post(`${download}/pin`).type('form').send({ code: PIN, _csrf }).expect(423);
      expect((await family.get(download).expect(423)).text).toContain('ロックされました');
      await family.post(withdraw).type('form').send({ confirm: 'on', _csrf: token }).expect(423);
      expect(await statusOf(documentId)).toBe('signed');
      // The office is told once, with the role and the document's number, no name.
      const notices = await db.query(`SELECT body FROM mail_outbox WHERE kind = 'signing-locked' AND document_id = $1`, [documentId]);
      expect(notices).toHaveLength(1);
      expect(notices[0].body).toContain(number);
    });

    it('lets an expired withdrawal link show only the office and its phone, and what to do', async () => {
      const { documentId, withdraw } = await sealedWithPin('pin-expired@example.jp');
      await db.query(`UPDATE withdrawal_link SET expires_at = now() - interval '1 minute' WHERE document_id = $1`, [documentId]);
      const page = await stack.http.get(withdraw).expect(410);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      expect(page.text).toContain('有効期限が切れています');
      expect(page.text).toContain(`${officeName}（電話 042-000-0000）`);
      expect(page.text).toContain('お電話・書面・来所で撤回をお受けします');
      const family = request.agent(stack.app.getHttpServer());
      const _csrf = formToken((await family.get('/verify').expect(200)).text);
      await family.post(withdraw).type('form').send({ confirm: 'on', _csrf }).expect(410);
      expect(await statusOf(documentId)).toBe('signed');
    });
  });

  describe('text PostgreSQL cannot store', () => {
    it('answers a lone surrogate or NUL with 400 naming the field, over the API and in a web form (never 500)', async () => {
      for (const bad of ['\ud800', 'x\udfffy', 'a\u0000b']) {
        const patient = await office
          .post('/api/patients')
          .send({ name: `山田 ${bad}` })
          .expect(400);
        expect(patient.body.errors).toEqual([expect.objectContaining({ path: 'name', label: '氏名' })]);
        expect(patient.body.errors[0].message).toMatch(/^氏名に使えない文字/);
        const applied = await stack.http
          .post('/api/applications')
          .send(application({ managerName: bad }))
          .expect(400);
        expect(applied.body.errors.map((e: { path: string }) => e.path)).toEqual(['managerName']);
        const nested = await office
          .post('/api/patients')
          .send({ name: '山田 ハル', family: [{ name: bad, relation: '長男' }] })
          .expect(400);
        expect(nested.body.errors[0].path).toBe('family[0].name');
      }
      // A form post as JSON (a browser form cannot carry half a surrogate pair): the form again, in Japanese.
      const browser = request.agent(stack.app.getHttpServer());
      const _csrf = formToken((await browser.get('/apply/rurume').expect(200)).text);
      const page = await browser
        .post('/apply/rurume')
        .send({ ...application({ officeName: '攻撃\ud800' }), _csrf })
        .expect(400);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      // The form again, the message beside its field, named as the page names it.
      expect(page.text).toMatch(
        /<p class="field-error" id="f-officeName-error">事業所名に使えない文字（不完全な文字コード）が含まれています<\/p>/,
      );
      // NUL in a form field, as a browser would encode it.
      const nul = await browser
        .post('/apply/rurume')
        .type('form')
        .send(`officeName=a%00b&_csrf=${encodeURIComponent(_csrf)}`)
        .expect(400);
      expect(nul.headers['content-type']).toMatch(/text\/html/);
      expect(nul.text).toContain('使えない文字（制御文字）');
    });
  });

  describe('receipts', () => {
    it("answers another network's number byte for byte like an unknown one", async () => {
      const { manager } = await createOfficeWithManager(stack.app, 'itabashi');
      const itabashi = await stack.login(manager.email);
      const pledge = await itabashi.post('/api/documents').send({ form: 'office-pledge' }).expect(201);
      const bound = (await itabashi.post(`/api/documents/${pledge.body.id}/issue`).expect(201)).body.exemplars[0].code as string;
      const unknown = `${bound.slice(0, -1)}9`; // the ninth exemplar of a sheet that has one or two
      expect(unknown).not.toBe(bound);
      expect((await db.query(`SELECT count(*)::int AS n FROM exemplar WHERE code = $1`, [unknown]))[0].n).toBe(0);

      const rurume = await stack.login((await createUser(stack.app, 'secretariat', { networkId: 'rurume' })).email);
      const cross = await rurume.post('/api/receipts').send({ code: bound });
      const none = await rurume.post('/api/receipts').send({ code: unknown });
      expect(cross.status).toBe(404);
      expect(none.status).toBe(404);
      expect(cross.text.replace(bound, '#')).toBe(none.text.replace(unknown, '#'));
      expect(cross.headers['content-type']).toBe(none.headers['content-type']);
      expect(cross.text).not.toMatch(/板橋|itabashi|WRONG_NETWORK/);

      // The 事務局's page the same way.
      const _csrf = formToken((await rurume.get('/secretariat/receipt').expect(200)).text);
      const crossPage = await rurume.post('/secretariat/receipt').type('form').send({ code: bound, _csrf });
      const nonePage = await rurume.post('/secretariat/receipt').type('form').send({ code: unknown, _csrf });
      expect(crossPage.status).toBe(404);
      expect(crossPage.text.replace(bound, '#')).toBe(nonePage.text.replace(unknown, '#'));
    });
  });

  describe('content-security policy', () => {
    const directive = (policy: string, name: string) =>
      policy
        .split(';')
        .map((d) => d.trim())
        .find((d) => d.startsWith(`${name} `)) ?? '';

    it("allows no inline script on any page, and no inline style but on a form's printed sheet", async () => {
      for (const path of ['/login', '/apply/rurume', '/verify', '/withdraw/not-a-link', '/no-such-page']) {
        const policy = String((await stack.http.get(path)).headers['content-security-policy']);
        expect(directive(policy, 'script-src')).toBe("script-src 'self'");
        expect(directive(policy, 'style-src')).toBe("style-src 'self'");
        expect(directive(policy, 'script-src-attr')).toBe("script-src-attr 'none'");
        expect(policy).not.toContain('unsafe-inline');
      }
      const officePage = String((await office.get('/office').expect(200)).headers['content-security-policy']);
      expect(officePage).not.toContain('unsafe-inline');
      // A form's sheet as printed keeps its inline CSS, never inline scripts.
      const sheet = String((await stack.http.get('/apply/rurume/pledge').expect(200)).headers['content-security-policy']);
      expect(directive(sheet, 'script-src')).toBe("script-src 'self'");
      expect(directive(sheet, 'style-src')).toBe("style-src 'self' 'unsafe-inline'");
      // Swagger UI alone, on its own route.
      const docs = String((await stack.http.get('/api/docs')).headers['content-security-policy']);
      expect(directive(docs, 'script-src')).toContain("'unsafe-inline'");
    });

    it('every answer carries the browser protections: no framing by other sites, no sniffing, no referrer', async () => {
      for (const answer of [
        await stack.http.get('/login'),
        await stack.http.get('/sign/not-a-real-link-at-all-0000000000'),
        await stack.http.get('/api/forms'),
        await stack.http.get('/no-such-page'),
        await stack.http.get('/assets/app.css'),
        await office.get('/office'),
      ])
        expect(answer.headers).toMatchObject({
          'x-frame-options': 'SAMEORIGIN',
          'x-content-type-options': 'nosniff',
          'referrer-policy': 'no-referrer',
          'strict-transport-security': 'max-age=31536000; includeSubDomains',
          'cross-origin-opener-policy': 'same-origin',
          'cross-origin-resource-policy': 'same-origin',
          'x-permitted-cross-domain-policies': 'none',
        });
    });
  });
});
