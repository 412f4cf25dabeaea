import { pdfText, squeeze } from './support/pdf-tools';
import { addFixtureNetwork, copyTemplates } from './support/templates-dir';
import { createUser } from './support/factories';
import { Agent, TestStack, getPdf, startStack, waitForRender } from './support/test-app';

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

  it('is listed, validated, rendered and offered in the web UI beside the five', async () => {
    const { body: networks } = await api.get('/api/networks').expect(200);
    expect(networks.map((n: { id: string }) => n.id)).toEqual(['itabashi', 'kiyose', 'minato', 'musashimurayama', 'rurume', 'takarazuka']);

    const invalid = await api.post('/api/renders').send({ network: 'kiyose', form: 'staff-pledge', data: {} }).expect(400);
    expect(invalid.body.errors).toEqual([{ path: 'staffName', label: '氏名', message: '氏名は必須です' }]);

    const created = await api
      .post('/api/renders')
      .send({ network: 'kiyose', form: 'staff-pledge', data: { staffName: '清瀬 次郎', date: '2019-05-01' } })
      .expect(202);
    expect(await waitForRender(api, created.body.id)).toMatchObject({ status: 'done' });
    const text = squeeze(pdfText(await getPdf(api, created.body.pdfUrl)));
    expect(text).toContain('きよせ連携ネット従事者誓約書');
    expect(text).toContain('清瀬次郎');
    expect(text).toContain('令和元年5月1日');

    const page = await api.get('/forms').expect(200);
    expect(page.text).toContain('きよせ連携ネット（試験用）');
  });
});
