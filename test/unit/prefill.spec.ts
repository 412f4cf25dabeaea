import { loadCatalogue, LoadedNetwork } from '../../src/networks/catalogue.loader';
import { withRowsFromSource, buildDraft, DraftSources, rowsFromSource } from '../../src/networks/prefill';
import { TemplateEngine } from '../../src/templates/template.engine';
import { copyTemplates } from '../support/templates-dir';

const office: Omit<DraftSources, 'issueDate'> = {
  office: { name: '東久留米訪問看護ステーション', address: '東京都東久留米市本町1-1', postalCode: '203-0014', phone: '042-000-0000' },
  manager: { name: '佐藤 恵子' },
  user: { name: '看護 一美' },
};

describe('prefill from the catalogue', () => {
  let rurume: LoadedNetwork;
  beforeAll(() => {
    rurume = loadCatalogue(new TemplateEngine(copyTemplates())).find((n) => n.id === 'rurume')!;
  });
  const form = (id: string) => rurume.forms.find((f) => f.id === id)!;

  it('fills a staff pledge from the office and the staff member, leaving the date blank when nobody knows it', () => {
    const draft = buildDraft(form('staff-pledge'), {
      ...office,
      issueDate: null,
      staff: { name: '山田 花子', nameKana: 'やまだ はなこ', email: 'hanako@example.jp', jobTitle: '看護師' },
    });
    expect(draft).toEqual({
      officeName: '東久留米訪問看護ステーション',
      staffName: '山田 花子',
      staffNameKana: 'やまだ はなこ',
      email: 'hanako@example.jp',
    });
    expect(form('staff-pledge').validator.check(draft).errors).toEqual([]);
  });

  it('fills a consent with the patient, the family contacts in order, and the explaining staff member', () => {
    const draft = buildDraft(form('patient-consent'), {
      ...office,
      issueDate: null,
      patient: { name: '患者 ハル', nameKana: null, birthDate: '1940-01-02', address: '東京都東久留米市', phone: '042-000-0000' },
      family: [
        { name: '患者 健太', relation: '長男', email: 'kenta@example.jp', phone: null, address: '東京都東久留米市南町1-1' },
        { name: '患者 花', relation: '長女', email: null, phone: null, address: null },
      ],
    });
    expect(draft).toEqual({
      patient: { name: '患者 ハル', address: '東京都東久留米市' },
      family1: { name: '患者 健太', relation: '長男', address: '東京都東久留米市南町1-1' },
      family2: { name: '患者 花', relation: '長女' },
      explainer: { officeName: '東久留米訪問看護ステーション', name: '看護 一美' },
    });
  });

  it("fills a staff-change notice's table with one row per change", () => {
    const change = { action: '新規', name: '新人 一郎', nameKana: null, gender: '男', jobTitle: '看護師', email: 'ichiro@example.jp' };
    const draft = buildDraft(form('staff-change'), { ...office, issueDate: '2027-04-01', changes: [change] });
    expect(draft).toMatchObject({ date: '2027-04-01', managerName: '佐藤 恵子', officePostalCode: '203-0014' });
    expect(draft.members).toEqual([{ action: '新規', name: '新人 一郎', gender: '男', jobTitle: '看護師', email: 'ichiro@example.jp' }]);
  });

  it("adds the day's changes to a notice's table, keeping the rows already there as they are", () => {
    const data = {
      officeName: '手で直した名前',
      members: [{ action: '新規', name: '新人 一郎', email: 'ichiro@example.jp', gender: '男' }],
    };
    const change = { action: '削除', name: '退職 二郎', nameKana: null, gender: null, jobTitle: '看護師', email: 'jiro@example.jp' };
    expect(withRowsFromSource(form('staff-change'), 'changes', data, [change])).toEqual({
      officeName: '手で直した名前',
      members: [data.members[0], { action: '削除', name: '退職 二郎', jobTitle: '看護師', email: 'jiro@example.jp' }],
    });
    expect(withRowsFromSource(form('patient-consent'), 'changes', data, [change])).toBeNull();
  });

  it("reads a notice's table and an application's users back as their sources, whatever the network names the columns", () => {
    const notice = { members: [{ action: '削除', name: ' 退職 一郎 ', email: 'ichiro@example.jp', jobTitle: '' }] };
    expect(rowsFromSource(form('staff-change'), 'changes', notice)).toEqual([
      { name: '退職 一郎', nameKana: null, gender: null, jobTitle: null, email: 'ichiro@example.jp', action: '削除' },
    ]);
    expect(rowsFromSource(form('staff-change'), 'roster', notice)).toEqual([]);
    const takarazuka = loadCatalogue(new TemplateEngine(copyTemplates())).find((n) => n.id === 'takarazuka')!;
    const application = takarazuka.forms.find((f) => f.purpose === 'application')!;
    const users = { members: [{ name: '西村 真理子', jobTitle: '看護師', email: 'mariko@example.jp' }] };
    expect(rowsFromSource(application, 'roster', users)).toEqual([
      { name: '西村 真理子', nameKana: null, jobTitle: '看護師', email: 'mariko@example.jp' },
    ]);
    // And the same mapping prefills an application from the office's roster.
    const roster = [{ name: '西村 真理子', nameKana: null, jobTitle: '看護師', email: 'mariko@example.jp' }];
    expect(buildDraft(application, { ...office, issueDate: null, roster }).members).toEqual([users.members[0]]);
  });
});
