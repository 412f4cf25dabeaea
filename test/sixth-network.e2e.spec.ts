import { pdfText, squeeze } from './support/pdf-tools';
import { addFixtureNetwork, copyTemplates } from './support/templates-dir';
import { createOffice, createUser } from './support/factories';
import { Agent, TestStack, getPdf, startStack, waitForRender } from './support/test-app';

/**
 * The fixture network (test/fixtures/sixth-network/kiyose) names its forms and fields unlike any of the five:
 * a pledge `juujisha-seiyaku`, a consent `kanja-doui`, a staff-change notice `henkou-todoke`, with fields such
 * as `shimei`, `jigyoushoMei`, `kanjaShimei`. Only each form's subject, purpose and prefill mapping tell the
 * code what it is.
 */
describe('a sixth network added as a folder, with no code change', () => {
  let stack: TestStack;
  let api: Agent;
  beforeAll(async () => {
    const templatesDir = copyTemplates();
    addFixtureNetwork(templatesDir);
    stack = await startStack({ TEMPLATES_DIR: templatesDir });
    api = await stack.login((await createUser(stack.app, 'admin')).email);
  });
  afterAll(async () => {
    await stack?.close();
  });

  async function renderedText(form: string, data: Record<string, unknown>): Promise<string> {
    const created = await api.post('/api/renders').send({ network: 'kiyose', form, data }).expect(202);
    expect(await waitForRender(api, created.body.id)).toMatchObject({ status: 'done' });
    return squeeze(pdfText(await getPdf(api, created.body.pdfUrl)));
  }

  it('is listed, validated, rendered and offered in the web UI beside the five', async () => {
    const { body: networks } = await api.get('/api/networks').expect(200);
    expect(networks.map((n: { id: string }) => n.id)).toEqual(['itabashi', 'kiyose', 'minato', 'musashimurayama', 'rurume', 'takarazuka']);

    const invalid = await api.post('/api/renders').send({ network: 'kiyose', form: 'juujisha-seiyaku', data: {} }).expect(400);
    expect(invalid.body.errors).toEqual([{ path: 'shimei', label: '氏名', message: '氏名は必須です' }]);

    const text = await renderedText('juujisha-seiyaku', { shimei: '清瀬 次郎', kinyuubi: '2019-05-01' });
    expect(text).toContain('きよせ連携ネット従事者誓約書');
    expect(text).toContain('清瀬次郎');
    expect(text).toContain('令和元年5月1日');

    const page = await api.get('/forms').expect(200);
    expect(page.text).toContain('きよせ連携ネット（試験用）');
  });

  it('renders its consent and its staff-change notice', async () => {
    const consent = await renderedText('kanja-doui', {
      kanjaShimei: '清瀬 ハル',
      kazokuShimei: '清瀬 健太',
      kazokuZokugara: '長男',
      jigyoushoMei: '清瀬訪問看護',
      setsumeisha: '清瀬 説明',
    });
    expect(consent).toContain('きよせ連携ネット患者同意書');
    expect(consent).toContain('清瀬ハル');
    expect(consent).toContain('長男');

    const notice = await renderedText('henkou-todoke', {
      jigyoushoMei: '清瀬訪問看護',
      kanrishaMei: '清瀬 管理',
      meibo: [{ shimei: '清瀬 新人', shokushu: '看護師', kubun: '新規' }],
    });
    expect(notice).toContain('きよせ連携ネット従事者変更届');
    expect(notice).toContain('清瀬新人');
    expect(notice).toContain('清瀬管理');
  });

  it('prefills a pledge from a staff member and a consent from a patient, and shows the pledge to its 事務局', async () => {
    const office = await createOffice(stack.app, 'kiyose');
    const manager = await createUser(stack.app, 'office_manager', { officeId: office.id });
    const officeApi = await stack.login(manager.email);

    const staff = await officeApi
      .post('/api/staff')
      .send({ name: '清瀬 花子', nameKana: 'きよせ はなこ', email: 'hanako@kiyose.example.jp' })
      .expect(201);
    const pledge = await officeApi.post('/api/documents').send({ form: 'juujisha-seiyaku', subjectId: staff.body.id }).expect(201);
    const pledgeData = {
      shimei: '清瀬 花子',
      furigana: 'きよせ はなこ',
      jigyoushoMei: office.name,
      renrakusaki: 'hanako@kiyose.example.jp',
    };
    expect((await officeApi.get(`/api/documents/${pledge.body.id}`).expect(200)).body.version.data).toEqual(pledgeData);

    const patient = await officeApi
      .post('/api/patients')
      .send({ name: '清瀬 ハル', address: '東京都清瀬市中清戸1-2-3', family: [{ name: '清瀬 健太', relation: '長男' }] })
      .expect(201);
    const consent = await officeApi.post('/api/documents').send({ form: 'kanja-doui', subjectId: patient.body.id }).expect(201);
    expect((await officeApi.get(`/api/documents/${consent.body.id}`).expect(200)).body.version.data).toEqual({
      kanjaShimei: '清瀬 ハル',
      kanjaJuusho: '東京都清瀬市中清戸1-2-3',
      kazokuShimei: '清瀬 健太',
      kazokuZokugara: '長男',
      jigyoushoMei: office.name,
      setsumeisha: manager.name,
    });

    const issued = await officeApi.post(`/api/documents/${pledge.body.id}/issue`).expect(201);
    const original = issued.body.exemplars.find((e: { kind: string; holder: string }) => e.kind === 'original');
    expect(original).toMatchObject({ holder: 'secretariat' });

    const secretariat = await stack.login((await createUser(stack.app, 'secretariat', { networkId: 'kiyose' })).email);
    const board = await secretariat.get('/api/dashboard/secretariat').expect(200);
    expect(board.body.requirements.filter((r: { officeId: string }) => r.officeId === office.id)).toEqual([
      expect.objectContaining({
        officeName: office.name,
        formId: 'juujisha-seiyaku',
        subject: { type: 'staff', id: staff.body.id, name: '清瀬 花子' },
        status: 'issued',
        documentNumber: pledge.body.number,
        exemplarCode: original.code,
      }),
    ]);
    expect(board.body.offices).toEqual(expect.arrayContaining([expect.objectContaining({ officeId: office.id, total: 1 })]));
  });
});
