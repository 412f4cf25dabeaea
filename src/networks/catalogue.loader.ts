import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse as parseYaml } from 'yaml';
import { FormContext, FormTemplate, TemplateEngine } from '../templates/template.engine';
import { StartupError } from '../common/startup-error';
import { CATALOGUE_SCHEMA } from './catalogue.schema';
import { FieldDefinition, FormDefinition, NetworkDefinition } from './catalogue.types';
import { FormDataValidator } from './form-data.validator';
import { prefillProblems } from './prefill';

export const CATALOGUE_FILE = 'catalogue.yaml';

/** A catalogue that cannot be served. The message names the file and the problem. */
export class CatalogueError extends StartupError {
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'CatalogueError';
  }
}

export interface LoadedForm extends FormDefinition {
  validator: FormDataValidator;
  render: FormTemplate;
}

export interface LoadedNetwork extends Omit<NetworkDefinition, 'forms'> {
  forms: LoadedForm[];
}

const validateCatalogue = new Ajv({ allErrors: true }).compile(CATALOGUE_SCHEMA);

/**
 * Reads every templates/<network>/catalogue.yaml (folders starting with _ hold shared files), checks it
 * against the catalogue schema, compiles each form's template, and renders each form's sample data once,
 * so that a broken network stops start-up instead of failing a user's render later.
 */
export function loadCatalogue(engine: TemplateEngine): LoadedNetwork[] {
  const root = engine.templatesDir;
  const networks = readdirSync(root)
    .filter((name) => !name.startsWith('_') && !name.startsWith('.'))
    .filter((name) => statSync(join(root, name)).isDirectory())
    .sort()
    .map((name) => loadNetwork(engine, join(root, name), name));
  if (networks.length === 0) throw new CatalogueError(root, 'no network folder with a catalogue.yaml');
  return networks;
}

function loadNetwork(engine: TemplateEngine, dir: string, folderName: string): LoadedNetwork {
  const file = join(dir, CATALOGUE_FILE);
  if (!existsSync(file)) throw new CatalogueError(file, 'missing (every network folder needs one)');
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CatalogueError(file, `not valid YAML: ${(error as Error).message}`);
  }
  if (!validateCatalogue(raw)) {
    const problems = (validateCatalogue.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
    throw new CatalogueError(file, problems.join('; '));
  }
  const network = raw as unknown as Omit<NetworkDefinition, 'dir'>;
  if (network.id !== folderName) {
    throw new CatalogueError(file, `id "${network.id}" must match its folder name "${folderName}"`);
  }
  const seen = new Set<string>();
  const forms = network.forms.map((form) => {
    if (seen.has(form.id)) throw new CatalogueError(file, `form "${form.id}" is listed twice`);
    seen.add(form.id);
    return loadForm(engine, network, form, dir, file);
  });
  return { ...network, dir, forms };
}

function loadForm(
  engine: TemplateEngine,
  network: Omit<NetworkDefinition, 'dir'>,
  form: FormDefinition,
  dir: string,
  file: string,
): LoadedForm {
  const where = `form "${form.id}"`;
  checkFields(form.fields, file, where);
  form = { ...form, prefill: form.prefill ?? {} };
  const mappingProblems = prefillProblems(form, form.prefill);
  if (mappingProblems.length > 0) throw new CatalogueError(file, `${where}: ${mappingProblems.join('; ')}`);
  if (form.signed && form.signers.length === 0) throw new CatalogueError(file, `${where} is signed but has no signers`);
  // A consent in use must never be erased for its age alone: its retention runs from the end of its use.
  if (form.purpose === 'consent' && form.retention.from !== 'end_of_use')
    throw new CatalogueError(
      file,
      `${where} is a consent: its retention must count from end_of_use (a consent in use is never past retention)`,
    );
  const templateFile = join(dir, form.template);
  if (!existsSync(templateFile)) throw new CatalogueError(file, `${where}: template ${form.template} not found`);

  let render: FormTemplate;
  try {
    render = engine.compileFile(templateFile);
  } catch (error) {
    throw new CatalogueError(templateFile, (error as Error).message);
  }
  const validator = new FormDataValidator(form.fields);
  const sample = validator.check(form.sample);
  if (sample.errors.length > 0) {
    const problems = sample.errors.map((e) => `${e.path}: ${e.message}`).join('; ');
    throw new CatalogueError(file, `${where}: sample data is invalid: ${problems}`);
  }
  const loaded: LoadedForm = { ...form, validator, render };
  try {
    loaded.render(formContext(network, loaded, sample.data ?? {}, null));
  } catch (error) {
    throw new CatalogueError(templateFile, `does not render its sample data: ${(error as Error).message}`);
  }
  return loaded;
}

function checkFields(fields: FieldDefinition[], file: string, where: string): void {
  const keys = new Set<string>();
  for (const field of fields) {
    if (keys.has(field.key)) throw new CatalogueError(file, `${where}: field "${field.key}" is listed twice`);
    keys.add(field.key);
    const nested = field.type === 'group' || field.type === 'list';
    if (nested !== Boolean(field.fields)) {
      throw new CatalogueError(file, `${where}: field "${field.key}" of type ${field.type} ${nested ? 'needs' : 'cannot have'} fields`);
    }
    if ((field.type === 'choice') !== Boolean(field.options)) {
      throw new CatalogueError(file, `${where}: field "${field.key}": options go with type choice, and only there`);
    }
    if (field.fields) checkFields(field.fields, file, `${where}, field "${field.key}"`);
  }
}

/**
 * Builds what a template sees. Every declared field is present (null or [] when left blank), so that
 * strict mode only catches what the catalogue does not declare.
 */
export function formContext(
  network: Pick<NetworkDefinition, 'id' | 'name' | 'operator' | 'dateStyle' | 'secretariat'>,
  form: Pick<FormDefinition, 'id' | 'number' | 'title' | 'pages' | 'fields'>,
  data: Record<string, unknown>,
  exemplar: FormContext['exemplar'],
  signatures: FormContext['signatures'] = {},
): FormContext {
  return {
    network: {
      id: network.id,
      name: network.name,
      operator: network.operator,
      dateStyle: network.dateStyle,
      secretariat: { address: null, postalCode: null, phone: null, email: null, addressee: null, ...network.secretariat },
    },
    form: { id: form.id, number: form.number, title: form.title, pages: form.pages },
    data: withBlanks(form.fields, data),
    exemplar,
    signatures,
  };
}

function withBlanks(fields: FieldDefinition[], data: Record<string, unknown>): Record<string, unknown> {
  const filled: Record<string, unknown> = { ...data };
  for (const field of fields) {
    const value = data[field.key];
    if (field.type === 'group') {
      filled[field.key] = withBlanks(field.fields ?? [], (value as Record<string, unknown>) ?? {});
    } else if (field.type === 'list') {
      filled[field.key] = ((value as Record<string, unknown>[]) ?? []).map((row) => withBlanks(field.fields ?? [], row));
    } else {
      filled[field.key] = value ?? null;
    }
  }
  return filled;
}
