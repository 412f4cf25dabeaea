import qs from 'qs';
import { DataSource } from 'typeorm';
import { todayInJapan } from '../src/common/japan-date';
import { createOfficeWithManager } from './support/factories';
import { Agent, TestStack, startStack } from './support/test-app';

/** The people pages over HTTP: patients with family, staff joining and leaving, the day's notice draft, bad input. */
describe('people pages', () => {
  let stack: TestStack;
  let db: DataSource;

  beforeAll(async () => {
    stack = await startStack({}, { worker: false });
    db = stack.app.get(DataSource);
  });
  afterAll(async () => {
    await stack?.close();
  });

  const post = (agent: Agent, url: string, form: Record<string, unknown>) => agent.post(url).type('form').send(qs.stringify(form));
  const count = async (sql: string, params: unknown[]) => Number((await db.query(sql, params))[0].n);
  const yesterday = () => new Date(Date.now() + 9 * 3600_000 - 86_400_000).toISOString().slice(0, 10);
  const tomorrow = () => new Date(Date.now() + 9 * 3600_000 + 86_400_000).toISOString().slice(0, 10);

  const patient = {
    name: '登録 ハナ',
    nameKana: 'とうろく はな',
    birthDate: '1935-05-06',
    address: '東京都東久留米市本町1-1-1',
    phone: '042-111-2222',
    family: [
      { name: '登録 一郎', relation: '長男', email: 'ichiro@example.jp', phone: '090-1111-0000', address: '東京都東久留米市南町2-2-2' },
      { name: '登録 花子', relation: '長女', email: 'hanako@example.jp', phone: '', address: '' },
      { name: '', relation: '', email: '', phone: '', address: '' },
    ],
  };

  it('registers a patient with two family contacts, changes them, and starts a consent prefilled from them', async () => {
    const { office, manager } = await createOfficeWithManager(stack.app, 'rurume');
    const agent = await stack.login(manager.email);
    expect((await agent.get('/office').expect(200)).text).toContain('href="/office/patients/new"');
    expect((await agent.get('/office/patients/new').expect(200)).text).toContain('家族1');

    // 「家族の欄を追加」 shows one more row and saves nothing.
    const more = await post(agent, '/office/patients', { ...patient, _add: '1' }).expect(200);
    expect(more.text).toContain('name="family[2][name]"');
    expect(more.text).toContain('value="登録 一郎"');
    expect(await count('SELECT count(*) n FROM patient WHERE office_id = $1', [office.id])).toBe(0);

    const saved = await post(agent, '/office/patients', patient).expect(303);
    const id = /\/office\/patients\/([0-9a-f-]{36})/.exec(saved.headers.location)![1];
    const page = (await agent.get(saved.headers.location).expect(200)).text;
    expect(page).toContain('登録 ハナさんを登録しました（家族2名）');
    expect(page).toContain('042-111-2222');
    expect(page).toContain('東京都東久留米市南町2-2-2');
    expect(page).toContain(`/office/documents/new?form=patient-consent&amp;subject=${id}`);

    // The consent starts with the patient's and the family's fields (the family's address included).
    const form = (await agent.get(`/office/documents/new?form=patient-consent&subject=${id}`).expect(200)).text;
    for (const value of ['登録 ハナ', '東京都東久留米市本町1-1-1', '登録 一郎', '長男', '東京都東久留米市南町2-2-2', '登録 花子', '長女'])
      expect(form).toContain(`value="${value}"`);

    // Issued, its signing form names the family (name, 続柄, e-mail) without typing.
    const created = await post(agent, '/office/documents', { _form: 'patient-consent', _subject: id, ...fieldsOf(form) }).expect(303);
    const doc = (await agent.get(created.headers.location).expect(200)).text;
    expect(doc).toMatch(/name="signers\[1\]\[name\]" type="text" value="登録 一郎"/);
    expect(doc).toMatch(/name="signers\[1\]\[relation\]" type="text" value="長男"/);
    expect(doc).toMatch(/name="signers\[1\]\[email\]" type="email" value="ichiro@example.jp"/);
    expect(doc).toMatch(/name="signers\[2\]\[email\]" type="email" value="hanako@example.jp"/);

    // The edit form: the second contact is removed, a third added, the first changed.
    const edit = (await agent.get(`/office/patients/${id}/edit`).expect(200)).text;
    const ids = [...edit.matchAll(/name="family\[\d\]\[id\]" value="([0-9a-f-]{36})"/g)].map((m) => m[1]);
    expect(ids).toHaveLength(2);
    const changed = {
      ...patient,
      phone: '042-999-0000',
      family: [
        { ...patient.family[0], id: ids[0], email: 'ichiro.new@example.jp' },
        { ...patient.family[1], id: ids[1], remove: 'on' },
        { name: '登録 三郎', relation: '次男', email: '', phone: '', address: '' },
      ],
    };
    await post(agent, `/office/patients/${id}`, changed).expect(303);
    const family = await db.query('SELECT id, name, email FROM family_contact WHERE patient_id = $1 ORDER BY position', [id]);
    expect(family.map((f: { name: string }) => f.name)).toEqual(['登録 一郎', '登録 三郎']);
    expect(family[0]).toMatchObject({ id: ids[0], email: 'ichiro.new@example.jp' });
  });

  it.each([
    [
      'empty',
      { ...patient, name: '', family: [{ name: '', relation: '', email: 'x@example.jp' }] },
      ['氏名は必須です', '家族の氏名は必須です', '続柄は必須です'],
    ],
    [
      'too long',
      { ...patient, name: 'あ'.repeat(41), phone: '0'.repeat(21) },
      ['氏名は40文字以内で入力してください', '電話番号は20文字以内で入力してください'],
    ],
    [
      'wrong type',
      { ...patient, name: ['a', 'b'], birthDate: '2026-02-30', family: 'x' },
      ['氏名は文字列で指定してください', '生年月日は正しい日付', '家族は一覧で指定してください'],
    ],
    [
      'malicious',
      { ...patient, name: '<script>alert(1)</script>', birthDate: tomorrow(), family: [{ name: 'a', relation: 'b', email: '<script>@' }] },
      ['生年月日に未来の日付は指定できません', '家族のメールアドレスの形式が正しくありません'],
    ],
  ])('refuses a patient with %s values: the same page with messages, input kept, nothing saved', async (_what, form, messages) => {
    const { office, manager } = await createOfficeWithManager(stack.app, 'rurume');
    const agent = await stack.login(manager.email);
    const response = await post(agent, '/office/patients', form).expect(400);
    expect(response.type).toBe('text/html');
    expect(response.text).toContain('<h1>患者の登録</h1>');
    // The form shown again posts like the first one: with this browser's CSRF token.
    expect(response.text).toMatch(/<form method="post" action="\/office\/patients" [^>]*><input type="hidden" name="_csrf" value="[^"]+">/);
    for (const message of messages) expect(response.text).toContain(message);
    expect(response.text).not.toContain('<script>alert(1)</script>');
    if (typeof form.name === 'string' && form.name.includes('script'))
      expect(response.text).toContain('value="&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(await count('SELECT count(*) n FROM patient WHERE office_id = $1', [office.id])).toBe(0);
  });

  it("staff join and leave on a chosen day: one draft notice collects the day's 新規 and 削除 rows; issuing it doubles no desk line", async () => {
    const { office, manager } = await createOfficeWithManager(stack.app, 'rurume');
    const agent = await stack.login(manager.email);
    const staff = {
      name: '入職 太郎',
      nameKana: 'にゅうしょく たろう',
      jobTitle: '看護師',
      email: 'taro@example.jp',
      gender: '男',
      joinedOn: '2025-04-01',
    };
    const joined = await post(agent, '/office/staff', staff).expect(303);
    expect(decodeURIComponent(joined.headers.location)).toContain('「新規」の行を新しく下書きしました');
    await post(agent, '/office/staff', { ...staff, name: '入職 次郎', email: 'jiro@example.jp', gender: '' }).expect(303);
    const [taro] = await db.query(`SELECT id, gender, joined_on::text FROM staff_member WHERE office_id = $1 AND name = '入職 太郎'`, [
      office.id,
    ]);
    expect(taro).toMatchObject({ gender: '男', joined_on: '2025-04-01' });

    // Leaving asks for the day; the API's leave keeps working and takes one too.
    expect((await agent.get(`/office/staff/${taro.id}/leave`).expect(200)).text).toContain(`value="${todayInJapan()}"`);
    const left = await post(agent, `/office/staff/${taro.id}/leave`, { leftOn: yesterday() }).expect(303);
    expect(decodeURIComponent(left.headers.location)).toContain('本日の下書きに追加しました（下書きに載っているのは3名）');
    const [{ left_at }] = await db.query('SELECT left_at FROM staff_member WHERE id = $1', [taro.id]);
    expect(new Date(left_at).toISOString()).toBe(new Date(`${yesterday()}T00:00:00+09:00`).toISOString());

    const drafts = await db.query(`SELECT id FROM document WHERE office_id = $1 AND form_id = 'staff-change' AND status = 'draft'`, [
      office.id,
    ]);
    expect(drafts).toHaveLength(1);
    const page = (await agent.get(`/documents/${drafts[0].id}`).expect(200)).text;
    const rows = [...page.matchAll(/<tr><td>(新規|削除)<\/td><td>([^<]+)<\/td>/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(rows).toEqual(['新規 入職 太郎', '新規 入職 次郎', '削除 入職 太郎']);

    // Issued: the desk's lines (made by the staff pages) get the notice attached, none is added.
    const lines = () =>
      db.query('SELECT kind, name, document_id FROM registration_line WHERE office_id = $1 ORDER BY created_at', [office.id]);
    expect(await lines()).toHaveLength(3);
    await agent.post(`/documents/${drafts[0].id}/issue`).expect(303);
    const after = await lines();
    expect(after).toHaveLength(3);
    expect(after.every((l: { document_id: string | null }) => l.document_id === drafts[0].id)).toBe(true);

    // The next change starts a new draft: the issued one is no longer open.
    const { body: jiro } = await agent.get('/api/staff').expect(200);
    const leaving = jiro.find((s: { name: string }) => s.name === '入職 次郎');
    const { body } = await agent.post(`/api/staff/${leaving.id}/leave`).send({ leftOn: todayInJapan() }).expect(201);
    expect(body).toMatchObject({ active: false, notice: { created: true, rows: 1 } });
    await agent.post(`/api/staff/${leaving.id}/leave`).send({}).expect(409);
  });

  it('changes a staff member on the edit page: 管理者 and 性別 go to the desk, a changed 入職日 alone does not', async () => {
    const { office, manager } = await createOfficeWithManager(stack.app, 'rurume');
    const agent = await stack.login(manager.email);
    const staff = { name: '変更 由美', email: 'yumi@example.jp', joinedOn: '2025-04-01' };
    await post(agent, '/office/staff', staff).expect(303);
    const [{ id }] = await db.query('SELECT id FROM staff_member WHERE office_id = $1', [office.id]);
    const lines = async () => (await db.query('SELECT kind FROM registration_line WHERE office_id = $1', [office.id])).length;
    expect((await agent.get(`/office/staff/${id}/edit`).expect(200)).text).toContain('value="2025-04-01"');
    await post(agent, `/office/staff/${id}`, { ...staff, joinedOn: '2025-05-01' }).expect(303);
    expect(await lines()).toBe(1);
    await post(agent, `/office/staff/${id}`, { ...staff, joinedOn: '2025-05-01', gender: '女', isManager: 'on' }).expect(303);
    expect(await lines()).toBe(2);
    const [row] = await db.query('SELECT joined_on::text, gender, is_manager FROM staff_member WHERE id = $1', [id]);
    expect(row).toEqual({ joined_on: '2025-05-01', gender: '女', is_manager: true });
    // The API's change that leaves out 管理者, 性別 and 入職日 keeps them.
    await agent.patch(`/api/staff/${id}`).send({ name: '変更 由美', jobTitle: '看護師' }).expect(200);
    const [kept] = await db.query('SELECT joined_on::text, gender, is_manager, job_title FROM staff_member WHERE id = $1', [id]);
    expect(kept).toEqual({ joined_on: '2025-05-01', gender: '女', is_manager: true, job_title: '看護師' });
  });

  it('starts a staff pledge from the staff record: the form and its signer are filled from it', async () => {
    const { office, manager } = await createOfficeWithManager(stack.app, 'rurume');
    const agent = await stack.login(manager.email);
    await post(agent, '/office/staff', { name: '誓約 早苗', nameKana: 'せいやく さなえ', email: 'sanae@example.jp' }).expect(303);
    const [{ id }] = await db.query('SELECT id FROM staff_member WHERE office_id = $1', [office.id]);
    expect((await agent.get('/office').expect(200)).text).toContain(`/office/documents/new?form=staff-pledge&amp;subject=${id}`);
    const form = (await agent.get(`/office/documents/new?form=staff-pledge&subject=${id}`).expect(200)).text;
    for (const value of ['誓約 早苗', 'せいやく さなえ', 'sanae@example.jp']) expect(form).toContain(`value="${value}"`);
    const created = await post(agent, '/office/documents', { _form: 'staff-pledge', _subject: id, ...fieldsOf(form) }).expect(303);
    const doc = (await agent.get(created.headers.location).expect(200)).text;
    expect(doc).toMatch(/name="signers\[0\]\[name\]" type="text" value="誓約 早苗"/);
    expect(doc).toMatch(/name="signers\[0\]\[email\]" type="email" value="sanae@example.jp"/);
  });

  it('changes a patient and records a leaving through the API, refusing what the pages refuse', async () => {
    const { manager } = await createOfficeWithManager(stack.app, 'rurume');
    const api = await stack.login(manager.email);
    const { body: created } = await api
      .post('/api/patients')
      .send({ name: 'API ハル', family: [{ name: 'API 一郎', relation: '長男' }] })
      .expect(201);
    const family = [
      { id: created.family[0].id, name: 'API 一郎', relation: '長男', address: '東京都清瀬市1-1' },
      { name: 'API 二郎', relation: '次男' },
    ];
    const { body: changed } = await api
      .patch(`/api/patients/${created.id}`)
      .send({ name: 'API ハル', phone: '042-000-1111', family })
      .expect(200);
    expect(changed).toMatchObject({
      phone: '042-000-1111',
      family: [{ id: created.family[0].id, address: '東京都清瀬市1-1' }, { name: 'API 二郎' }],
    });
    await api.patch(`/api/patients/${created.id}`).send({ name: '' }).expect(400);
    const { body: staff } = await api.post('/api/staff').send({ name: 'API 退職', email: 'api.leave@example.jp' }).expect(201);
    expect(staff.notice).toMatchObject({ created: true, rows: 1 });
    const refused = await api.post(`/api/staff/${staff.id}/leave`).send({ leftOn: '2026/01/01' }).expect(400);
    expect(refused.body.errors[0]).toMatchObject({ path: 'leftOn', label: '退職日' });
    await api.post(`/api/staff/${staff.id}/leave`).send({ leftOn: '2999-01-01' }).expect(400);
    const { body: left } = await api.post(`/api/staff/${staff.id}/leave`).expect(201);
    expect(left).toMatchObject({ active: false, notice: { created: false, rows: 2 } });
  });

  it.each([
    ['empty', { leftOn: '' }, '退職日は必須です'],
    ['too long', { leftOn: '2026-01-01'.repeat(30) }, '退職日は正しい日付'],
    ['wrong type', { leftOn: ['2026-01-01', 'x'] }, '退職日は文字列で指定してください'],
    ['malicious', { leftOn: '<script>alert(1)</script>' }, '退職日は正しい日付'],
    ['future', { leftOn: '2999-01-01' }, '退職日に未来の日付は指定できません'],
    ['before joining', { leftOn: '2020-01-01' }, '退職日は入職日（2025-04-01）以降の日付を入力してください'],
  ])('refuses a leaving with %s: the same page with the message, the staff member still on the roster', async (_what, form, message) => {
    const { office, manager } = await createOfficeWithManager(stack.app, 'rurume');
    const agent = await stack.login(manager.email);
    await post(agent, '/office/staff', { name: '在籍 花子', email: 'zaiseki@example.jp', joinedOn: '2025-04-01' }).expect(303);
    const [{ id }] = await db.query('SELECT id FROM staff_member WHERE office_id = $1', [office.id]);
    const response = await post(agent, `/office/staff/${id}/leave`, form).expect(400);
    expect(response.text).toContain('在籍 花子さんの退職');
    expect(response.text).toContain(message);
    expect(response.text).not.toContain('<script>alert(1)</script>');
    expect(await db.query('SELECT active, left_at FROM staff_member WHERE id = $1', [id])).toEqual([{ active: true, left_at: null }]);
    expect(await count(`SELECT count(*) n FROM document WHERE office_id = $1 AND form_id = 'staff-change'`, [office.id])).toBe(1);
  });

  it.each([
    ['empty', { name: '', email: '' }, ['氏名は必須です']],
    [
      'too long',
      { name: 'あ'.repeat(41), jobTitle: 'い'.repeat(21) },
      ['氏名は40文字以内で入力してください', '職種は20文字以内で入力してください'],
    ],
    [
      'wrong type',
      { name: ['a'], gender: '不明', joinedOn: '2026-13-01' },
      ['氏名は文字列で指定してください', '性別は「男」「女」から選んでください', '入職日は正しい日付'],
    ],
    ['malicious', { name: '<script>alert(1)</script>', email: '<script>@x' }, ['メールアドレスの形式が正しくありません']],
  ])('refuses a staff member with %s values: the same page, nothing saved, no notice row', async (_what, form, messages) => {
    const { office, manager } = await createOfficeWithManager(stack.app, 'rurume');
    const agent = await stack.login(manager.email);
    const response = await post(agent, '/office/staff', form).expect(400);
    expect(response.text).toContain('<h1>従事者の追加</h1>');
    for (const message of messages) expect(response.text).toContain(message);
    expect(response.text).not.toContain('<script>alert(1)</script>');
    expect(await count('SELECT count(*) n FROM staff_member WHERE office_id = $1', [office.id])).toBe(0);
    expect(await count('SELECT count(*) n FROM document WHERE office_id = $1', [office.id])).toBe(0);
  });
});

/** Every named input's value of a form page (text inputs only), as the browser would send them back. */
function fieldsOf(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input[^>]*name="([^"_][^"]*)"[^>]*value="([^"]*)"/g)) fields[m[1]] = m[2];
  return fields;
}
