import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CatalogueError, formContext, loadCatalogue } from '../../src/networks/catalogue.loader';
import { TemplateEngine } from '../../src/templates/template.engine';
import { addFixtureNetwork, copyTemplates } from '../support/templates-dir';

function load(dir: string) {
  return loadCatalogue(new TemplateEngine(dir));
}

/** A templates dir holding only the shared layout and the fixture network, ready to be broken. */
function fixtureDir(): string {
  const dir = copyTemplates({ networks: false });
  addFixtureNetwork(dir);
  return dir;
}

function edit(file: string, change: (text: string) => string): void {
  writeFileSync(file, change(readFileSync(file, 'utf8')));
}

describe('network catalogue', () => {
  it('loads the five networks of the seeds with every form of DOMAIN.md', () => {
    const networks = load(copyTemplates());
    const forms = Object.fromEntries(networks.map((n) => [n.id, n.forms.map((f) => f.id).sort()]));
    expect(forms).toEqual({
      itabashi: ['office-pledge', 'patient-consent', 'staff-pledge'],
      minato: ['application', 'office-pledge', 'patient-consent', 'staff-pledge'],
      musashimurayama: ['application', 'office-pledge', 'patient-consent', 'staff-change', 'staff-pledge'],
      rurume: ['office-pledge', 'patient-consent', 'purpose', 'staff-change', 'staff-pledge'],
      takarazuka: ['application', 'patient-consent'],
    });
  });

  it('encodes the custody rules of DOMAIN.md', () => {
    const networks = load(copyTemplates());
    const custody = (n: string, f: string) => networks.find((x) => x.id === n)!.forms.find((x) => x.id === f)!.custody;
    expect(custody('rurume', 'staff-pledge')).toMatchObject({ originals: ['secretariat'], copies: ['office'], submitted: true });
    expect(custody('rurume', 'patient-consent')).toMatchObject({ originals: ['patient', 'office'], copies: [] });
    expect(custody('musashimurayama', 'patient-consent')).toMatchObject({ originals: ['office'], copies: ['patient'] });
    expect(custody('itabashi', 'staff-pledge')).toMatchObject({ originals: ['office'], submitted: false });
    expect(custody('minato', 'application')).toMatchObject({ originals: ['secretariat'], copies: ['office'], submitted: true });
    expect(custody('takarazuka', 'application')).toMatchObject({ originals: ['secretariat'], submitted: true });
  });

  it('declares training only where a network asks for it (武蔵村山 第12条3): 研修会 or its video)', () => {
    const networks = load(copyTemplates());
    expect(Object.fromEntries(networks.map((n) => [n.id, n.training ?? null]))).toEqual({
      itabashi: null,
      minato: null,
      musashimurayama: { required: true, kinds: ['研修会', '動画'], basis: '運用ポリシー第12条3）' },
      rurume: null,
      takarazuka: null,
    });
  });

  it('declares a retention period for every form of every network, a consent counting from the end of its use', () => {
    for (const network of load(copyTemplates())) {
      for (const form of network.forms) {
        expect(form.retention.years).toBeGreaterThanOrEqual(1);
        if (form.purpose === 'consent') expect(form.retention.from).toBe('end_of_use');
      }
    }
  });

  it('serves a sixth network placed in a folder, with no code change', () => {
    const networks = load(fixtureDir());
    expect(networks.map((n) => n.id)).toEqual(['kiyose']);
    // Its own form ids and field names: only subject, purpose and prefill say what each form is.
    expect(networks[0].forms.map((f) => [f.id, f.subject, f.purpose])).toEqual([
      ['juujisha-seiyaku', 'staff', 'pledge'],
      ['kanja-doui', 'patient', 'consent'],
      ['henkou-todoke', 'office', 'notice'],
    ]);
  });

  it.each([
    ['a catalogue that is not YAML', 'catalogue.yaml', (t: string) => t + '\n  : : [', /catalogue\.yaml: not valid YAML/],
    [
      'an unknown form purpose',
      'catalogue.yaml',
      (t: string) => t.replace('purpose: pledge', 'purpose: oath'),
      /catalogue\.yaml: .*must be equal to one of the allowed values/,
    ],
    [
      'a prefill source that does not exist',
      'catalogue.yaml',
      (t: string) => t.replace('shimei: staff.name', 'shimei: staff.nmae'),
      /form "juujisha-seiyaku": prefill shimei: "staff\.nmae" is not a known source/,
    ],
    [
      'a prefill of a field the form does not have',
      'catalogue.yaml',
      (t: string) => t.replace('shimei: staff.name', 'shimie: staff.name'),
      /prefill shimie: the form has no such field/,
    ],
    [
      "a prefill from a patient on a staff member's form",
      'catalogue.yaml',
      (t: string) => t.replace('shimei: staff.name', 'shimei: patient.name'),
      /"patient" is not a source for a form about staff/,
    ],
    [
      'a training declaration without kinds',
      'catalogue.yaml',
      (t: string) => t.replace('forms:\n', 'training: { required: true, kinds: [] }\nforms:\n'),
      /catalogue\.yaml: \/training\/kinds must NOT have fewer than 1 items/,
    ],
    [
      "an application's roster on a form that is not an application",
      'catalogue.yaml',
      (t: string) => t.replace('shimei: staff.name', 'shimei: roster.0.name'),
      /"roster" is not a source for a form about staff/,
    ],
    [
      'a form without a retention period',
      'catalogue.yaml',
      (t: string) => t.replace('    retention: { years: 5, from: issued }\n', ''),
      /catalogue\.yaml: \/forms\/2 must have required property 'retention'/,
    ],
    [
      'a retention that counts from nothing known',
      'catalogue.yaml',
      (t: string) => t.replace('retention: { years: 5, from: issued }', 'retention: { years: 5, from: signed }'),
      /\/forms\/2\/retention\/from must be equal to one of the allowed values/,
    ],
    [
      'a consent whose retention runs while it is still in use',
      'catalogue.yaml',
      (t: string) => t.replace(/retention: \{ years: 5, from: end_of_use, note: [^}]*\}/, 'retention: { years: 5, from: issued }'),
      /form "kanja-doui" is a consent: its retention must count from end_of_use/,
    ],
    [
      'a missing template',
      'catalogue.yaml',
      (t: string) => t.replace('template: juujisha-seiyaku.hbs', 'template: nothing.hbs'),
      /template nothing\.hbs not found/,
    ],
    [
      'invalid sample data',
      'catalogue.yaml',
      (t: string) => t.replace('shimei: 清瀬 一郎', 'shimei: ""'),
      /sample data is invalid: shimei/,
    ],
    [
      'a folder whose name is not its id',
      'catalogue.yaml',
      (t: string) => t.replace('id: kiyose', 'id: kiyose-two'),
      /must match its folder name/,
    ],
    [
      'unescaped output {{{ }}}',
      'juujisha-seiyaku.hbs',
      (t: string) => t.replace('{{> addressee}}', '{{{data.shimei}}}'),
      /juujisha-seiyaku\.hbs:3: \{\{\{ \}\}\} prints unescaped HTML/,
    ],
    [
      'a variable the catalogue does not declare (strict mode)',
      'juujisha-seiyaku.hbs',
      (t: string) => t.replace('{{> addressee}}', '{{data.staffAddress}}'),
      /juujisha-seiyaku\.hbs: does not render its sample data: "staffAddress" not defined/,
    ],
  ])('stops on %s, naming the file and the problem', (_, file, change, message) => {
    const dir = fixtureDir();
    edit(join(dir, 'kiyose', file), change);
    expect(() => load(dir)).toThrow(CatalogueError);
    expect(() => load(dir)).toThrow(message);
  });

  it('gives a template every declared field, blank ones as null, so a blank prints as an empty line', () => {
    const [network] = load(fixtureDir());
    const form = network.forms[0];
    const html = form.render(formContext(network, form, { shimei: '<script>alert(1)</script>' }, null));
    expect(html).toContain('令和　　年　　月　　日');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
  });
});
