import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../src/common/project-root';
import { loadConfig } from '../src/config/env';
import { FieldDefinition } from '../src/networks/catalogue.types';
import { loadCatalogue } from '../src/networks/catalogue.loader';
import { TemplateEngine } from '../src/templates/template.engine';
import { formDate } from '../src/templates/template.helpers';
import { pdfFonts, pdfInfo, pdfText, squeeze } from './support/pdf-tools';

const networks = loadCatalogue(new TemplateEngine(loadConfig().templatesDir));
const forms = networks.flatMap((network) => network.forms.map((form) => ({ network, form, name: `${network.id}/${form.id}` })));
const outDir = mkdtempSync(join(tmpdir(), 'renkei-forms-'));

interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI exactly as the README tells a user to. */
function npmRender(args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'render', '--', ...args], { cwd: projectRoot() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const dataDir = mkdtempSync(join(tmpdir(), 'renkei-cli-'));
writeFileSync(
  join(dataDir, 'person.json'),
  JSON.stringify({ officeName: 'くるめ薬局', staffName: '小林 未来', email: 'mirai@example.jp' }),
);
writeFileSync(join(dataDir, 'bad.json'), JSON.stringify({ staffName: '', email: 'nope' }));

/** Every invocation this file checks, started together (each is its own process) and awaited once. */
const invocations = {
  all: ['--all', '--out-dir', outDir],
  json: ['--network', 'rurume', '--form', 'staff-pledge', '--data', join(dataDir, 'person.json'), '--out', join(dataDir, 'pledge.pdf')],
  invalid: ['--network', 'rurume', '--form', 'staff-pledge', '--data', join(dataDir, 'bad.json'), '--out', join(dataDir, 'x.pdf')],
  unknownNetwork: ['--network', 'nowhere', '--form', 'staff-pledge', '--sample', '--out', join(outDir, 'x.pdf')],
  usage: ['--network', 'rurume'],
};
let results: Record<keyof typeof invocations, CliResult>;

/** The strings a clerk would look for on the printed form: what was typed, formatted as printed. */
function printedValues(fields: FieldDefinition[], data: Record<string, unknown>, dateStyle: string): string[] {
  return fields.flatMap((field) => {
    const value = data[field.key];
    if (value === undefined || value === null) return [];
    if (field.type === 'group') return printedValues(field.fields ?? [], value as Record<string, unknown>, dateStyle);
    if (field.type === 'list')
      return (value as Record<string, unknown>[]).flatMap((row) => printedValues(field.fields ?? [], row, dateStyle));
    if (field.type === 'date') return [formDate(value, dateStyle).replace(/^西暦 /, '')];
    if (['kana', 'choice', 'phone', 'postalCode'].includes(field.type)) return []; // printed as ruby, circled, or reformatted
    return [String(value)];
  });
}

describe('every form of every network, printed from its sample with `npm run render`', () => {
  beforeAll(async () => {
    const names = Object.keys(invocations) as Array<keyof typeof invocations>;
    const done = await Promise.all(names.map((name) => npmRender(invocations[name])));
    results = Object.fromEntries(names.map((name, i) => [name, done[i]])) as typeof results;
    const all = results.all;
    if (all.status !== 0) throw new Error(`npm run render --all failed:\n${all.stdout}\n${all.stderr}`);
  }, 180_000);

  it.each(forms)('$name: A4, the declared page count, only embedded CID TrueType fonts', ({ network, form }) => {
    const pdf = join(outDir, `${network.id}-${form.id}.pdf`);
    expect(pdfInfo(pdf)).toEqual({ pages: form.pages, pageSize: expect.stringContaining('(A4)') });
    const fonts = pdfFonts(pdf);
    expect(fonts.length).toBeGreaterThan(0);
    for (const font of fonts) {
      expect(font).toMatchObject({ embedded: true, type: 'CID TrueType' });
      expect(font.name).toMatch(/IPAex(Mincho|Gothic)/);
    }
  });

  it.each(forms)('$name: shows its number, title and every filled value', ({ network, form }) => {
    const text = squeeze(pdfText(join(outDir, `${network.id}-${form.id}.pdf`)));
    expect(text).toContain(squeeze(form.number));
    expect(text).toContain(squeeze(form.title));
    for (const value of printedValues(form.fields, form.sample, network.dateStyle)) expect(text).toContain(squeeze(value));
  });

  it.each([
    [
      'office-pledge',
      [
        '私は、るるめネットを利用する事業所の管理者として',
        '私は、従事者に対して個人情報保護やIT機器のセキュリティについて定期的に教育を実施します。',
        '原本を東久留米市医師会事務局まで',
      ],
    ],
    [
      'staff-pledge',
      [
        '東久留米市医師会の許可なく開示、または不正に使用しないことを誓約します。',
        '私は、不正な手段を用いたり、与えられた権限を越えての連携情報の取得を行いません。',
      ],
    ],
    ['staff-change', ['以下の人員のMCSのID登録・変更・削除を依頼いたします。', 'メールアドレスの共有は禁止とします。']],
    [
      'patient-consent',
      [
        '個人情報の一部、または全ての「るるめネット」での利用停止、及び消去を求める権利',
        '本同意書は、2通を作成・記入を頂き、患者と事業所のそれぞれでお持ち頂く様にお願いいたします。',
      ],
    ],
    ['purpose', ['審査支払機関へのレセプト', '外部監査機関への情報提供']],
  ])('rurume/%s carries the seed’s wording verbatim', (formId, sentences) => {
    const text = squeeze(pdfText(join(outDir, `rurume-${formId}.pdf`)));
    for (const sentence of sentences) expect(text).toContain(squeeze(sentence).replace(/[()]/g, (p) => (p === '(' ? '（' : '）')));
  });

  it('renders a form from a JSON data file', () => {
    const result = results.json;
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const text = squeeze(pdfText(join(dataDir, 'pledge.pdf')));
    expect(text).toContain('小林未来');
    expect(text).toContain('西暦年月日'); // no date given: a blank line to write it by hand
  });

  it('refuses invalid data listing every field, and writes no file', () => {
    const result = results.invalid;
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('officeName: 事業所名は必須です');
    expect(result.stderr).toContain('staffName: 利用者名は必須です');
    expect(result.stderr).toContain('email: メールアドレス: メールアドレスの形式が正しくありません');
    expect(spawnSync('test', ['-e', join(dataDir, 'x.pdf')]).status).toBe(1);
  });

  it('names what exists when the network or form is unknown, and explains usage errors', () => {
    const network = results.unknownNetwork;
    expect(network.status).toBe(1);
    expect(network.stderr).toMatch(/ネットワーク「nowhere」はありません。あるもの: itabashi, minato, musashimurayama, rurume, takarazuka/);
    const usage = results.usage;
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('Usage:');
  });
});
