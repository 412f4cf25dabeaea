import request from 'supertest';
import { DataSource } from 'typeorm';
import { createOfficeWithManager, createUser, unique } from './support/factories';
import { ReceivedMail, TestSmtp, startSmtp } from './support/smtp';
import { Agent, TestStack, formToken, startStack } from './support/test-app';

/** The invitation link in a mail, as a path (/invite/<token>). */
function inviteLink(mail: ReceivedMail): string {
  const match = /https?:\/\/\S+?(\/invite\/[A-Za-z0-9_-]+)/.exec(mail.text);
  if (!match) throw new Error(`no invitation link in 「${mail.subject}」: ${mail.text}`);
  return match[1];
}

/** The lines of one 「■ …」 section of a follow-up mail. */
function section(text: string, heading: string): string[] {
  const start = text.indexOf(`■ ${heading}`);
  if (start < 0) return [];
  const lines = text.slice(start).split('\n').slice(1);
  const items: string[] = [];
  for (const line of lines) {
    if (!line.startsWith('・')) break;
    items.push(line.slice(1));
  }
  return items;
}

describe("the 事務局's desk: applications, invitations, registrations, training, follow-ups", () => {
  let stack: TestStack;
  let smtp: TestSmtp;
  let db: DataSource;
  let rurume: Agent;
  let minato: Agent;

  const application = (overrides: Record<string, unknown> = {}) => ({
    network: 'rurume',
    officeName: unique('くるめ申込訪問看護'),
    postalCode: '203-0053',
    address: '東京都東久留米市本町1-2-3',
    phone: '042-000-0000',
    managerName: '申込 太郎',
    managerEmail: `${unique('applicant')}@example.jp`,
    pledgeMethod: 'paper',
    ...overrides,
  });
  const count = async (table: string) => Number((await db.query(`SELECT count(*) AS n FROM ${table}`))[0].n);
  const mailTo = (to: string, subject: RegExp) => smtp.waitFor((m) => m.to === to && subject.test(m.subject));

  beforeAll(async () => {
    smtp = await startSmtp();
    stack = await startStack({ SMTP_URL: smtp.url });
    db = stack.app.get(DataSource);
    rurume = await stack.login((await createUser(stack.app, 'secretariat', { networkId: 'rurume' })).email);
    minato = await stack.login((await createUser(stack.app, 'secretariat', { networkId: 'minato' })).email);
  });
  afterAll(async () => {
    await stack?.close();
    await smtp?.close();
  });

  describe('apply → review → invitation', () => {
    it('takes an application, the 事務局 approves it, the manager sets a password and sees the new office', async () => {
      const body = application();
      const created = await stack.http.post('/api/applications').send(body).expect(201);
      expect(created.body).toEqual({ id: expect.any(String), number: expect.stringMatching(/^申込-\d{6}$/) });
      const receipt = await mailTo(body.managerEmail, /利用申込を受け付けました（申込-\d{6}）/);
      // The public form relays nothing the applicant typed (issue 21): the network, the number, the time.
      expect(receipt.subject).toContain(created.body.number);
      expect(receipt.text).toContain(created.body.number);
      expect(receipt.text).not.toContain(body.officeName);
      expect(receipt.text).not.toContain(body.managerName);

      // Only its network's 事務局 sees it; the other is answered as if it did not exist.
      const pending = await rurume.get('/api/applications?status=pending').expect(200);
      expect(pending.body.map((a: { id: string }) => a.id)).toContain(created.body.id);
      expect((await minato.get('/api/applications?status=pending').expect(200)).body.map((a: { id: string }) => a.id)).not.toContain(
        created.body.id,
      );
      await minato.get(`/api/applications/${created.body.id}`).expect(404);
      await minato.post(`/api/applications/${created.body.id}/approve`).expect(404);
      const review = await rurume.get(`/api/applications/${created.body.id}`).expect(200);
      expect(review.body.forms.map((f: { which: string; label: string }) => f.label)).toEqual(['別紙1 るるめネットにおける情報管理誓約書']);
      expect(review.body.forms[0].data).toMatchObject({ officeName: body.officeName, managerName: '申込 太郎' });

      const approved = await rurume.post(`/api/applications/${created.body.id}/approve`).expect(200);
      expect(approved.body).toMatchObject({ status: 'approved', officeId: expect.any(String) });
      await rurume.post(`/api/applications/${created.body.id}/approve`).expect(409);

      const invitation = await mailTo(body.managerEmail, /パスワードを設定してください/);
      expect(invitation.text).toContain('8文字以上で、英字と数字を混ぜてください');
      expect(invitation.text).toContain('別紙1 るるめネットにおける情報管理誓約書は、ログイン後に事業所の画面から印刷し');
      const link = inviteLink(invitation);
      const token = link.split('/').pop()!;

      const weak = await stack.http.post(`/api/invitations/${token}`).send({ password: 'short' }).expect(400);
      expect(weak.body.errors).toEqual([{ path: 'password', label: 'パスワード', message: 'パスワードは8文字以上にしてください' }]);
      const accepted = await stack.http.post(`/api/invitations/${token}`).send({ password: 'kurume-2026-pass' }).expect(200);
      expect(accepted.body.user).toMatchObject({ email: body.managerEmail, role: 'office_manager', officeId: approved.body.officeId });
      const reused = await stack.http.post(`/api/invitations/${token}`).send({ password: 'another-2026-pass' }).expect(404);
      expect(reused.body.message).toContain('使用済み');

      const manager = await stack.login(body.managerEmail, 'kurume-2026-pass');
      const offices = await manager.get('/api/offices').expect(200);
      expect(offices.body).toEqual([expect.objectContaining({ id: approved.body.officeId, name: body.officeName, address: body.address })]);
      const board = await manager.get('/api/dashboard/office').expect(200);
      expect(board.body.office.name).toBe(body.officeName);
      // The office pledge is issued for the manager to print and sign; the manager is on the roster and the desk.
      const pledge = board.body.documents.find((d: { formId: string }) => d.formId === 'office-pledge');
      expect(pledge).toMatchObject({ status: 'issued' });
      expect(pledge.version.data).toMatchObject({ officeName: body.officeName, managerName: '申込 太郎' });
      const staff = await manager.get('/api/staff').expect(200);
      expect(staff.body).toEqual([expect.objectContaining({ name: '申込 太郎', isManager: true, email: body.managerEmail })]);
      const desk = await rurume.get(`/api/registrations?status=open&office=${approved.body.officeId}`).expect(200);
      expect(desk.body.filter((l: { officeId: string }) => l.officeId === approved.body.officeId)).toEqual([
        expect.objectContaining({ kind: 'add', name: '申込 太郎', email: body.managerEmail, source: 'application', status: 'open' }),
      ]);
    });

    it('mails the manager a signing link for the office pledge when the applicant chose to sign electronically', async () => {
      const body = application({
        network: 'minato',
        pledgeMethod: 'esign',
        data: { officeType: '訪問看護ステーション', adminName: '管理 花子', adminEmail: 'admin-minato@example.jp' },
      });
      const created = await stack.http.post('/api/applications').send(body).expect(201);
      const review = await minato.get(`/api/applications/${created.body.id}`).expect(200);
      expect(review.body.data).toMatchObject({ officeName: body.officeName, officeType: '訪問看護ステーション', managerName: '申込 太郎' });
      await minato.post(`/api/applications/${created.body.id}/approve`).expect(200);
      const invitation = await mailTo(body.managerEmail, /パスワードを設定してください/);
      expect(invitation.text).toContain('電子署名のお願いを、別のメールでお送りしています');
      const signing = await mailTo(body.managerEmail, /連携守秘誓約書への署名のお願い/);
      expect(signing.text).toMatch(/\/sign\/[A-Za-z0-9_-]+/);
      // The online application is on file, received; the pledge waits for its signature.
      const board = await minato.get(`/api/dashboard/secretariat`).expect(200);
      const row = board.body.matrix.rows.find((r: { officeName: string }) => r.officeName === body.officeName);
      expect(row.cells.map((c: { status: string }) => c.status)).toEqual(['received', 'issued']);
      expect(board.body.matrix.columns.map((c: { label: string }) => c.label)).toEqual([
        '別紙様式1 港あんしんネット利用申込書',
        '別紙様式2 連携守秘誓約書',
      ]);
    });

    it('puts the users an application lists on the roster and the desk; the 事務局 sees who is untrained', async () => {
      const secretariat = await stack.login((await createUser(stack.app, 'secretariat', { networkId: 'musashimurayama' })).email);
      const managerEmail = `${unique('murayama')}@example.jp`;
      const body = application({
        network: 'musashimurayama',
        managerEmail,
        managerName: '森田 由美',
        data: {
          members: [
            { name: '森田 由美', nameKana: 'もりた ゆみ', jobTitle: '看護師', email: managerEmail },
            { name: '石井 美穂', jobTitle: '看護師', email: 'miho.ishii@example.jp' },
          ],
        },
      });
      const created = await stack.http.post('/api/applications').send(body).expect(201);
      const approved = await secretariat.post(`/api/applications/${created.body.id}/approve`).expect(200);
      const lines = (await secretariat.get(`/api/registrations?office=${approved.body.officeId}`).expect(200)).body.filter(
        (l: { officeId: string }) => l.officeId === approved.body.officeId,
      );
      expect(lines.map((l: { name: string; jobTitle: string }) => [l.name, l.jobTitle])).toEqual([
        ['森田 由美', '看護師'],
        ['石井 美穂', '看護師'],
      ]);
      const untrained = await secretariat.get('/api/training/untrained').expect(200);
      const mine = untrained.body.filter((u: { officeId: string }) => u.officeId === approved.body.officeId);
      expect(mine.map((u: { name: string }) => u.name).sort()).toEqual(['森田 由美', '石井 美穂'].sort());

      const token = inviteLink(await mailTo(managerEmail, /パスワードを設定してください/))
        .split('/')
        .pop();
      await stack.http.post(`/api/invitations/${token}`).send({ password: 'murayama-2026' }).expect(200);
      const manager = await stack.login(managerEmail, 'murayama-2026');
      const ishii = (await manager.get('/api/staff').expect(200)).body.find((s: { name: string }) => s.name === '石井 美穂');
      const bad = await manager.post(`/api/staff/${ishii.id}/training`).send({ date: '2026-02-30', kind: '懇親会' }).expect(400);
      expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(['kind', 'date']);
      await manager.post(`/api/staff/${ishii.id}/training`).send({ date: '2026-04-10', kind: '動画' }).expect(201);
      const after = (await secretariat.get('/api/training/untrained').expect(200)).body.filter(
        (u: { officeId: string }) => u.officeId === approved.body.officeId,
      );
      expect(after.map((u: { name: string }) => u.name)).toEqual(['森田 由美']);
      // Another network's office cannot record training for it, and rurume asks for none.
      const other = await stack.login((await createOfficeWithManager(stack.app, 'rurume')).manager.email);
      await other.post(`/api/staff/${ishii.id}/training`).send({ date: '2026-04-10', kind: '動画' }).expect(404);
    });

    it('mails the applicant the reason of a rejection; nothing is created', async () => {
      const body = application();
      const created = await stack.http.post('/api/applications').send(body).expect(201);
      const offices = await count('office');
      const empty = await rurume.post(`/api/applications/${created.body.id}/reject`).send({ reason: '  ' }).expect(400);
      expect(empty.body.errors[0]).toMatchObject({ path: 'reason', label: '却下の理由' });
      await minato.post(`/api/applications/${created.body.id}/reject`).send({ reason: '対象外' }).expect(404);
      const rejected = await rurume
        .post(`/api/applications/${created.body.id}/reject`)
        .send({ reason: '東久留米市医師会の会員事業所ではないため' })
        .expect(200);
      expect(rejected.body).toMatchObject({ status: 'rejected', rejectReason: '東久留米市医師会の会員事業所ではないため', officeId: null });
      const mail = await mailTo(body.managerEmail, /利用申込について/);
      expect(mail.text).toContain('理由: 東久留米市医師会の会員事業所ではないため');
      expect(await count('office')).toBe(offices);
      await rurume.post(`/api/applications/${created.body.id}/approve`).expect(409);
    });
  });

  describe('bad input', () => {
    it('refuses an unknown network, an invalid e-mail, missing form fields and pledge method: every field named, nothing created', async () => {
      const before = await count('application');
      const unknown = await stack.http
        .post('/api/applications')
        .send(application({ network: 'atlantis' }))
        .expect(400);
      expect(unknown.body.errors.map((e: { path: string }) => e.path)).toEqual(['network']);
      const bad = await stack.http
        .post('/api/applications')
        .send(application({ officeName: '', managerEmail: 'not-an-address', phone: 'abc', pledgeMethod: undefined }))
        .expect(400);
      expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(['officeName', 'phone', 'managerEmail']);
      const noMethod = await stack.http
        .post('/api/applications')
        .send(application({ pledgeMethod: undefined }))
        .expect(400);
      expect(noMethod.body.errors).toEqual([
        { path: 'pledgeMethod', label: '誓約書の提出方法', message: 'るるめネットにおける情報管理誓約書の提出方法を選んでください' },
      ]);
      const form = await stack.http
        .post('/api/applications')
        .send(application({ network: 'minato', data: { officeType: '宇宙港', adminEmail: 'x@' } }))
        .expect(400);
      expect(form.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
        'data.adminEmail',
        'data.adminName',
        'data.officeType',
      ]);
      expect(await count('application')).toBe(before);
    });

    it('refuses a duplicate: an office already registered, one already applied for; an e-mail already in use is not told', async () => {
      const { office, manager } = await createOfficeWithManager(stack.app, 'rurume');
      const registered = await stack.http
        .post('/api/applications')
        .send(application({ officeName: ` ${office.name} ` }))
        .expect(400);
      expect(registered.body.errors).toEqual([
        expect.objectContaining({ path: 'officeName', message: expect.stringContaining('既にるるめネットに登録') }),
      ]);
      const first = application();
      await stack.http.post('/api/applications').send(first).expect(201);
      const again = await stack.http
        .post('/api/applications')
        .send(application({ officeName: first.officeName.replace('くるめ', 'くるめ　'), managerEmail: first.managerEmail.toUpperCase() }))
        .expect(400);
      expect(again.body.errors.map((e: { path: string; message: string }) => [e.path, e.message])).toEqual([
        ['officeName', 'この事業所名での申込を既に受け付けており、事務局が審査中です'],
        ['managerEmail', 'このメールアドレスでの申込を既に受け付けており、事務局が審査中です'],
      ]);
      // An address with an account is answered like any other (issue 21); the 事務局 sees the clash when reviewing.
      const taken = await stack.http
        .post('/api/applications')
        .send(application({ managerEmail: manager.email }))
        .expect(201);
      expect(Object.keys(taken.body).sort()).toEqual(['id', 'number']);
      expect((await rurume.get(`/api/applications/${taken.body.id}`).expect(200)).body.managerEmailTaken).toBe(true);
    });

    it('answers an expired or unknown invitation with a clear message and sets nothing', async () => {
      const body = application();
      const created = await stack.http.post('/api/applications').send(body).expect(201);
      await rurume.post(`/api/applications/${created.body.id}/approve`).expect(200);
      const token = inviteLink(await mailTo(body.managerEmail, /パスワードを設定してください/))
        .split('/')
        .pop();
      await db.query(`UPDATE invitation SET expires_at = now() - interval '1 minute' WHERE lower(email) = lower($1)`, [body.managerEmail]);
      const expired = await stack.http.post(`/api/invitations/${token}`).send({ password: 'expired-2026' }).expect(410);
      expect(expired.body.message).toContain('有効期限');
      const page = await stack.http.get(`/invite/${token}`).expect(410);
      expect(page.text).toContain('再送を依頼してください');
      await stack.http.post('/api/auth/login').send({ email: body.managerEmail, password: 'expired-2026' }).expect(401);
      await stack.http.post('/api/invitations/not-a-token').send({ password: 'whatever-2026' }).expect(404);

      // The 事務局 re-sends it: a new link works, the old one stays dead.
      const account = (await rurume.get(`/api/applications/${created.body.id}`).expect(200)).body.accounts[0];
      expect(account.state).toBe('expired');
      await minato.post(`/api/invitations/accounts/${account.userId}/resend`).expect(404);
      await rurume.post(`/api/invitations/accounts/${account.userId}/resend`).expect(200);
      const fresh = await smtp.waitFor((m) => m.to === body.managerEmail && /パスワード/.test(m.subject) && !m.text.includes(token!));
      await stack.http.post(`/api/invitations/${token}`).send({ password: 'expired-2026' }).expect(404);
      await stack.http
        .post(`/api/invitations/${inviteLink(fresh).split('/').pop()}`)
        .send({ password: 'renewed-2026' })
        .expect(200);
      await stack.login(body.managerEmail, 'renewed-2026');
    });

    it('shows the public page again with each problem beside its field', async () => {
      const browser = request.agent(stack.app.getHttpServer());
      const page = await browser.get('/apply/minato').expect(200);
      expect(page.text).toContain('港あんしんネット 利用申込');
      expect(page.text).toContain('name="data[officeType]"');
      expect(page.text).not.toContain('name="data[officeName]"'); // prefilled from the office's own fields
      const refused = await browser
        .post('/apply/minato')
        .type('form')
        .send({ officeName: '', managerEmail: 'x@', 'data[officeType]': '診療所', _csrf: formToken(page.text) })
        .expect(400);
      expect(refused.text).toContain('id="f-officeName-error"');
      expect(refused.text).toContain('管理者メールアドレスの形式が正しくありません');
      expect(refused.text).toContain('id="f-data-adminName-error"');
      await stack.http.get('/apply/atlantis').expect(404);
      // Every network has its page; the pledge to read is there where the network has one.
      for (const network of ['itabashi', 'minato', 'musashimurayama', 'rurume', 'takarazuka']) {
        const each = await stack.http.get(`/apply/${network}`).expect(200);
        expect(each.text.includes('name="pledgeMethod"')).toBe(network !== 'takarazuka');
        await stack.http.get(`/apply/${network}/pledge`).expect(network === 'takarazuka' ? 404 : 200);
      }
      const murayama = await stack.http.get('/apply/musashimurayama').expect(200);
      expect(murayama.text).toContain('name="data[members][0][email]"');
      expect(murayama.text).toContain('<label for="f-officeName">施設又は組織名 *</label>');
      expect(murayama.text).toContain('<label for="f-managerName">管理者氏名 *</label>');
    });
  });
  describe('the registration desk', () => {
    it('puts a staff member the office adds on the desk; the 事務局 asks, the office answers, it is done; the office sees it done', async () => {
      const { office, manager } = await createOfficeWithManager(stack.app, 'rurume');
      const officeApi = await stack.login(manager.email);
      const staff = await officeApi
        .post('/api/staff')
        .send({ name: '登録 花子', jobTitle: '看護師', email: 'touroku@example.jp' })
        .expect(201);

      const open = await rurume.get(`/api/registrations?status=open&office=${office.id}`).expect(200);
      const line = open.body.find((l: { staffId: string }) => l.staffId === staff.body.id);
      expect(line).toMatchObject({
        officeId: office.id,
        officeName: office.name,
        kind: 'add',
        name: '登録 花子',
        email: 'touroku@example.jp',
        jobTitle: '看護師',
        source: 'staff',
        status: 'open',
        submittedAt: expect.any(String),
      });

      // Another network's 事務局 sees none of it and can do nothing with it.
      expect((await minato.get('/api/registrations').expect(200)).body.some((l: { officeId: string }) => l.officeId === office.id)).toBe(
        false,
      );
      await minato.get(`/api/registrations/${line.id}`).expect(404);
      await minato.post(`/api/registrations/${line.id}/done`).send({ mcsId: 'x' }).expect(404);
      await minato.post(`/api/registrations/${line.id}/questions`).send({ question: '?' }).expect(404);
      const stranger = await stack.login((await createOfficeWithManager(stack.app, 'rurume')).manager.email);
      await stranger.post(`/api/registrations/${line.id}/answer`).send({ answer: 'x' }).expect(404);
      await officeApi.post(`/api/registrations/${line.id}/done`).send({}).expect(403);

      await rurume.post(`/api/registrations/${line.id}/questions`).send({ question: '' }).expect(400);
      const asked = await rurume
        .post(`/api/registrations/${line.id}/questions`)
        .send({ question: '職種は訪問看護師でよいですか' })
        .expect(201);
      expect(asked.body.awaitingAnswer).toBe(true);
      const question = await mailTo(manager.email, /事務局から質問があります/);
      expect(question.text).toContain('職種は訪問看護師でよいですか');
      const answered = await officeApi.post(`/api/registrations/${line.id}/answer`).send({ answer: 'はい、看護師です' }).expect(200);
      expect(answered.body).toMatchObject({ awaitingAnswer: false, questions: [expect.objectContaining({ answer: 'はい、看護師です' })] });
      await officeApi.post(`/api/registrations/${line.id}/answer`).send({ answer: 'もう一度' }).expect(409);

      const csv = await rurume.get('/api/registrations.csv?status=open').expect(200);
      expect(csv.headers['content-type']).toContain('text/csv');
      expect(csv.text.startsWith('\uFEFF"受付日時","事業所","区分","氏名"')).toBe(true);
      expect(csv.text).toContain(`"${office.name}","新規","登録 花子"`);

      const done = await rurume
        .post(`/api/registrations/${line.id}/done`)
        .send({ mcsId: 'MCS-77', note: '仮パスワードを郵送しました' })
        .expect(200);
      expect(done.body).toMatchObject({ status: 'done', mcsId: 'MCS-77', doneAt: expect.any(String) });
      await rurume.post(`/api/registrations/${line.id}/done`).send({}).expect(409);
      expect(
        (await rurume.get(`/api/registrations?status=open&office=${office.id}`).expect(200)).body.some(
          (l: { id: string }) => l.id === line.id,
        ),
      ).toBe(false);
      expect((await rurume.get('/api/registrations.csv?status=open').expect(200)).text).not.toContain('登録 花子');
      const seen = (await officeApi.get('/api/registrations').expect(200)).body;
      expect(seen).toEqual([expect.objectContaining({ id: line.id, status: 'done', mcsId: 'MCS-77', note: '仮パスワードを郵送しました' })]);
      const audit = await db.query(`SELECT action FROM audit_event WHERE target_id = $1 ORDER BY id`, [line.id]);
      expect(audit.map((r: { action: string }) => r.action)).toEqual([
        'access_denied',
        'access_denied',
        'access_denied',
        'access_denied',
        'registration_question',
        'registration_answered',
        'registration_done',
      ]);

      // A change and a departure are lines too.
      await officeApi
        .patch(`/api/staff/${staff.body.id}`)
        .send({ name: '登録 花子', jobTitle: '訪問看護師', email: 'touroku@example.jp' })
        .expect(200);
      await officeApi.post(`/api/staff/${staff.body.id}/leave`).expect(201);
      await officeApi.post(`/api/staff/${staff.body.id}/leave`).expect(409);
      const kinds = (await officeApi.get('/api/registrations?status=open').expect(200)).body.map(
        (l: { kind: string; jobTitle: string }) => [l.kind, l.jobTitle],
      );
      expect(kinds).toEqual([
        ['change', '訪問看護師'],
        ['delete', '訪問看護師'],
      ]);
    });

    it('puts each change of a roster upload on the desk, with the staff-change notice the batch made', async () => {
      const { office, manager } = await createOfficeWithManager(stack.app, 'rurume');
      const officeApi = await stack.login(manager.email);
      for (const [name, email] of [
        ['残留 一郎', 'stay@example.jp'],
        ['改名 花子', 'change@example.jp'],
        ['退職 三郎', 'leave@example.jp'],
      ])
        await officeApi.post('/api/staff').send({ name, email, jobTitle: '看護師' }).expect(201);
      const csv = Buffer.from(
        [
          'メールアドレス,氏名,職種',
          'stay@example.jp,残留 一郎,看護師',
          'change@example.jp,改名 花子,理学療法士',
          'new@example.jp,新人 四郎,看護師',
        ].join('\r\n'),
      );
      const created = await officeApi.post('/api/batches').field('kind', 'update').attach('file', csv, 'all.csv').expect(202);
      let batch = (await officeApi.get(`/api/batches/${created.body.id}`).expect(200)).body;
      for (let i = 0; i < 600 && batch.status !== 'done' && batch.status !== 'failed'; i++) {
        await new Promise((r) => setTimeout(r, 200));
        batch = (await officeApi.get(`/api/batches/${created.body.id}`).expect(200)).body;
      }
      expect(batch.status).toBe('done');
      const notice = batch.notices[0].documentId;
      const lines = (await rurume.get(`/api/registrations?status=open&office=${office.id}`).expect(200)).body.filter(
        (l: { officeId: string; source: string }) => l.officeId === office.id && l.source === 'roster',
      );
      expect(
        lines
          .map((l: { kind: string; name: string; jobTitle: string; documentId: string }) => [l.kind, l.name, l.jobTitle, l.documentId])
          .sort(),
      ).toEqual([
        ['add', '新人 四郎', '看護師', notice],
        ['change', '改名 花子', '理学療法士', notice],
        ['delete', '退職 三郎', '看護師', notice],
      ]);
    });

    it('attaches a staff-change notice (別紙3) to the lines already open and adds the people only it lists', async () => {
      const { office, manager } = await createOfficeWithManager(stack.app, 'rurume');
      const officeApi = await stack.login(manager.email);
      await officeApi.post('/api/staff').send({ name: '届出 一郎', email: 'ichiro@example.jp' }).expect(201);
      const members = [
        { name: '届出 一郎', email: 'ICHIRO@example.jp', action: '新規' },
        { name: '届出 次郎', email: 'jiro@example.jp', jobTitle: '薬剤師', action: '削除' },
      ];
      const notice = await officeApi
        .post('/api/documents')
        .send({ form: 'staff-change', data: { managerName: '管理 太郎', members } })
        .expect(201);
      await officeApi.post(`/api/documents/${notice.body.id}/issue`).expect(201);
      const lines = (await rurume.get(`/api/registrations?status=open&office=${office.id}`).expect(200)).body.filter(
        (l: { officeId: string }) => l.officeId === office.id,
      );
      expect(
        lines.map((l: { name: string; kind: string; source: string; documentId: string }) => [l.name, l.kind, l.source, l.documentId]),
      ).toEqual([
        ['届出 一郎', 'add', 'staff', notice.body.id],
        ['届出 次郎', 'delete', 'notice', notice.body.id],
      ]);
      // The 事務局's matrix shows the notice.
      const board = await rurume.get(`/api/dashboard/secretariat?office=${office.id}`).expect(200);
      const columns = board.body.matrix.columns.map((c: { kind: string }) => c.kind);
      expect(board.body.matrix.rows[0].cells[columns.indexOf('notice')]).toMatchObject({ status: 'issued', documentId: notice.body.id });
      expect(board.body.matrix.rows[0]).toMatchObject({ openRegistrations: 2 });
    });
  });

  describe('follow-up', () => {
    it('mails exactly what the office still owes, through the outbox; the row shows it; nobody else may send it', async () => {
      const { office, manager } = await createOfficeWithManager(stack.app, 'rurume');
      const officeApi = await stack.login(manager.email);
      await officeApi.post('/api/staff').send({ name: '督促 一子', email: 'ichiko@example.jp' }).expect(201);
      const received = await officeApi.post('/api/staff').send({ name: '督促 二子', email: 'niko@example.jp' }).expect(201);
      // 二子's pledge has reached the 事務局: not owed any more.
      const pledge = await officeApi.post('/api/documents').send({ form: 'staff-pledge', subjectId: received.body.id }).expect(201);
      const issued = await officeApi.post(`/api/documents/${pledge.body.id}/issue`).expect(201);
      const original = issued.body.exemplars.find((e: { kind: string }) => e.kind === 'original');
      await rurume
        .post('/api/receipts')
        .send({ code: original.code })
        .expect((r) => expect([200, 201]).toContain(r.status));
      const line = (await rurume.get(`/api/registrations?status=open&office=${office.id}`).expect(200)).body.find(
        (l: { name: string }) => l.name === '督促 一子',
      );
      await rurume.post(`/api/registrations/${line.id}/questions`).send({ question: 'メールアドレスをご確認ください' }).expect(201);

      await minato.post(`/api/offices/${office.id}/follow-up`).expect(404);
      await officeApi.post(`/api/offices/${office.id}/follow-up`).expect(403);
      const outbox = await count('mail_outbox');
      const sent = await rurume.post(`/api/offices/${office.id}/follow-up`).expect(202);
      expect(sent.body).toMatchObject({ officeId: office.id, recipients: [manager.email] });
      expect(await count('mail_outbox')).toBe(outbox + 1);
      const mail = await mailTo(manager.email, /ご提出のお願い/);
      expect(section(mail.text, '未提出の書類')).toEqual([
        '別紙1 るるめネットにおける情報管理誓約書: 未提出',
        '別紙2 るるめネットにおける情報保持誓約書（督促 一子）: 未提出',
        // The day's staff-change notice the joiners drafted: the matrix shows it as owed, and so does the mail.
        '別紙3 るるめネットにおけるMCS登録依頼書（最新）: 作成中',
      ]);
      expect(section(mail.text, '郵送済みで未着の原本')).toEqual([]);
      expect(section(mail.text, '未回答の質問')).toEqual([
        expect.stringMatching(/^督促 一子さんの新規について（.+）: メールアドレスをご確認ください$/),
      ]);
      expect(sent.body.items.missing).toEqual(section(mail.text, '未提出の書類'));

      const history = await rurume.get(`/api/offices/${office.id}/follow-ups`).expect(200);
      expect(history.body).toEqual([expect.objectContaining({ id: sent.body.id, sentByName: expect.any(String) })]);
      const page = await rurume.get(`/secretariat?office=${office.id}`).expect(200);
      expect(page.text).toContain('最終: ');
      const audit = await db.query(`SELECT action FROM audit_event WHERE target_id = $1 AND action = 'office_followed_up'`, [office.id]);
      expect(audit).toHaveLength(1);
    });

    it('refuses a follow-up to an office that owes nothing', async () => {
      const { office } = await createOfficeWithManager(stack.app, 'takarazuka');
      const takarazuka = await stack.login((await createUser(stack.app, 'secretariat', { networkId: 'takarazuka' })).email);
      const officeApi = await stack.login((await createUser(stack.app, 'office_manager', { officeId: office.id })).email);
      const doc = await officeApi
        .post('/api/documents')
        .send({
          form: 'application',
          data: { managerName: '宝塚 管理', members: [{ name: '宝塚 一', jobTitle: '看護師', email: 't1@example.jp' }] },
        })
        .expect(201);
      const issued = await officeApi.post(`/api/documents/${doc.body.id}/issue`).expect(201);
      await takarazuka
        .post('/api/receipts')
        .send({ code: issued.body.exemplars[0].code })
        .expect((r) => expect([200, 201]).toContain(r.status));
      const refused = await takarazuka.post(`/api/offices/${office.id}/follow-up`).expect(409);
      expect(refused.body.message).toContain('督促する書類・質問はありません');
    });
  });

  describe('a desk past 2,000 open lines', () => {
    const count = 2100;
    let officeId: string;

    beforeAll(async () => {
      // Set-based: one line a second, older than any other file's lines in this worker's database (which may have
      // itabashi lines of their own), so the network's list begins with them, in order.
      officeId = (await createOfficeWithManager(stack.app, 'itabashi')).office.id;
      await db.query(
        `INSERT INTO registration_line (network_id, office_id, kind, name, email, source, status, created_at)
         SELECT 'itabashi', $1, 'add', '一括 ' || lpad(g::text, 4, '0'), 'bulk' || g || '@example.jp', 'staff', 'open',
                timestamptz '2001-01-01 00:00:00+09' + g * interval '1 second'
           FROM generate_series(1, $2) AS g`,
        [officeId, count],
      );
    });
    afterAll(async () => {
      await db.query(`DELETE FROM registration_line WHERE office_id = $1`, [officeId]);
    });

    it('pages the API in the database: an array as before, the total and the links in headers, at most 500 a page', async () => {
      const clerk = await stack.login((await createUser(stack.app, 'secretariat', { networkId: 'itabashi' })).email);
      const mine = `status=open&office=${officeId}`;
      const first = await clerk.get(`/api/registrations?${mine}`).expect(200);
      expect(first.body).toHaveLength(500);
      expect(first.body[0].name).toBe('一括 0001');
      expect(first.headers['x-total-count']).toBe(String(count));
      expect(first.headers.link).toBe(
        [
          `</api/registrations?${mine}&page=1&limit=500>; rel="first"`,
          `</api/registrations?${mine}&page=2&limit=500>; rel="next"`,
          `</api/registrations?${mine}&page=5&limit=500>; rel="last"`,
        ].join(', '),
      );
      // The last page: the newest line shows (the old list stopped at the oldest 2,000).
      const last = await clerk.get(`/api/registrations?${mine}&page=5`).expect(200);
      expect(last.body).toHaveLength(100);
      expect(last.body[99].name).toBe(`一括 ${count}`);
      expect(last.headers.link).toContain(`</api/registrations?${mine}&page=4&limit=500>; rel="prev"`);
      expect(last.headers.link).not.toContain('rel="next"');
      const small = await clerk.get('/api/registrations?limit=7&page=3').expect(200);
      expect(small.body.map((l: { name: string }) => l.name)).toEqual([15, 16, 17, 18, 19, 20, 21].map((n) => `一括 00${n}`));
      expect((await clerk.get('/api/registrations?page=99').expect(200)).body).toEqual([]);
      // One office; another office's lines are none of an office user's business.
      const other = (await createOfficeWithManager(stack.app, 'itabashi')).office.id;
      const none = await clerk.get(`/api/registrations?office=${other}`).expect(200);
      expect([none.body, none.headers['x-total-count']]).toEqual([[], '0']);
      // Bad paging is refused, saying why.
      for (const query of ['limit=501', 'limit=0', 'page=0', 'limit=x', 'office=nope']) {
        const refused = await clerk.get(`/api/registrations?${query}`).expect(400);
        expect(refused.body.errors[0].path).toBe(query.split('=')[0]);
      }
      // OpenAPI says the maximum.
      const docs = (await stack.http.get('/api/docs-json').expect(200)).body;
      const limit = docs.paths['/api/registrations'].get.parameters.find((p: { name: string }) => p.name === 'limit');
      expect(limit.schema).toMatchObject({ maximum: 500, default: 500 });
      expect(docs.paths['/api/registrations'].get.responses['200'].headers).toHaveProperty('X-Total-Count');
    });

    it('streams every line into the CSV, and pages the desk: its last page shows the newest', async () => {
      const clerk = await stack.login((await createUser(stack.app, 'secretariat', { networkId: 'itabashi' })).email);
      // Other files' open itabashi lines (newer than these) are in the network's CSV and desk too.
      const [{ others }] = await db.query(
        `SELECT count(*)::int AS others FROM registration_line WHERE network_id = 'itabashi' AND status = 'open' AND office_id <> $1`,
        [officeId],
      );
      const total = count + others;
      const csv = await clerk.get('/api/registrations.csv?status=open').expect(200);
      expect(csv.headers['transfer-encoding']).toBe('chunked');
      const rows = csv.text.trimEnd().split('\r\n');
      expect(rows).toHaveLength(total + 1);
      expect(new Set(rows).size).toBe(total + 1); // no line twice across the batches
      expect(rows[1]).toContain('"一括 0001"');
      expect(rows[count]).toContain(`"一括 ${count}"`);

      const desk = (await clerk.get('/secretariat/registrations').expect(200)).text;
      expect(desk).toContain(`${total}件中 1〜50件目（1 / ${Math.ceil(total / 50)} ページ）`);
      expect(desk.match(/<tr data-line=/g)).toHaveLength(50);
      // One office's lines, as the desk's filter shows them; the tabs and pages keep the filter.
      const mine = (await clerk.get(`/secretariat/registrations?office=${officeId}`).expect(200)).text;
      expect(mine).toContain(`${count}件中 1〜50件目（1 / 42 ページ）`);
      const links = mine.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
      expect(links).toContain(`href="/secretariat/registrations?status=open&office=${officeId}&page=2"`);
      expect(links).toContain(`href="/secretariat/registrations?status=done&office=${officeId}"`);
      expect(mine).toContain(`<option value="${officeId}" selected>`);
      await clerk.get('/secretariat/registrations?office=nope').expect(400);
      const lastPage = (await clerk.get('/secretariat/registrations?status=open&page=42').expect(200)).text;
      expect(lastPage).toContain(`一括 ${count}`);
      expect(lastPage).toContain('rel="prev"');
    });
  });
});

describe('the public endpoints (利用申込, invitation links) under a flood', () => {
  let stack: TestStack;
  let db: DataSource;
  beforeAll(async () => {
    stack = await startStack({ THROTTLE_LOGIN_PER_MINUTE: '20', TRUST_PROXY: '127.0.0.1' }, { worker: false });
    db = stack.app.get(DataSource);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('refuses a flood from one address (429), in JSON or a Japanese page, sharing one allowance across the public routes', async () => {
    // An address of its own, so other tests' requests in the same minute do not count here.
    const from = `198.51.100.${100 + Math.floor(Math.random() * 150)}`;
    const applications = async () => Number((await db.query('SELECT count(*) AS n FROM application'))[0].n);
    const api: number[] = [];
    for (let i = 0; i < 15; i++) {
      api.push((await stack.http.post('/api/invitations/flood').set('X-Forwarded-For', from).send({ password: 'flood-2026' })).status);
    }
    expect(api.every((status) => status === 404)).toBe(true);
    const before = await applications();
    const pages: number[] = [];
    let page = await stack.http.post('/apply/rurume').set('X-Forwarded-For', from).type('form').send({ officeName: '' });
    pages.push(page.status);
    while (page.status !== 429 && pages.length < 10) {
      page = await stack.http.post('/apply/rurume').set('X-Forwarded-For', from).type('form').send({ officeName: '' });
      pages.push(page.status);
    }
    // 15 invitation posts and 5 applications fill the allowance of 20; the 21st request is refused.
    expect(pages).toHaveLength(6);
    expect(page.status).toBe(429);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.text).toContain('アクセスが集中しています');
    expect(await applications()).toBe(before);
    const json = await stack.http.post('/api/invitations/flood').set('X-Forwarded-For', from).send({ password: 'flood-2026' });
    expect(json.status).toBe(429);
    expect(json.body.code).toBe('TOO_MANY_REQUESTS');
    // Another address is not affected.
    await stack.http.post('/api/invitations/flood').set('X-Forwarded-For', '203.0.113.250').send({ password: 'flood-2026' }).expect(404);
  });
});
