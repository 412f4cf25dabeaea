import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Handlebars from 'handlebars';
import { TEMPLATE_HELPERS } from './template.helpers';

/** What a form template sees. User data is under `data`; everything else comes from the catalogue. */
export interface FormContext {
  network: { id: string; name: string; operator: string; dateStyle: string; secretariat: Record<string, unknown> };
  form: { id: string; number: string; title: string; pages: number };
  data: Record<string, unknown>;
  /** Filled once the form is a tracked document (number, QR, 原本/写し); null for a plain render. */
  exemplar: { documentNumber: string; qrDataUri: string; mark: string | null } | null;
  /** Electronic signatures by signer role, printed where the paper form has the role's 印 box. */
  signatures: Record<string, SignatureMark>;
}

export interface SignatureMark {
  /** A drawn signature (PNG data URI), or null when typed. */
  imageDataUri: string | null;
  typedName: string | null;
  name: string;
  /** e.g. 「2026年4月1日 10:05 電子署名」 */
  signedAt: string;
}

export type FormTemplate = (context: FormContext) => string;

/**
 * Handlebars in strict mode: a variable the context lacks is an error, never a blank. Templates print
 * user data only through `{{ }}`, which escapes; the catalogue loader refuses `{{{ }}}`.
 */
export class TemplateEngine {
  private readonly handlebars = Handlebars.create();
  private readonly css: string;
  private readonly shared = new Map<string, Handlebars.TemplateDelegate>();

  constructor(readonly templatesDir: string) {
    this.handlebars.registerHelper(TEMPLATE_HELPERS as unknown as Handlebars.HelperDeclareSpec);
    const sharedDir = join(templatesDir, '_shared');
    const partialsDir = join(sharedDir, 'partials');
    for (const file of readdirSync(partialsDir).filter((f) => f.endsWith('.hbs'))) {
      const source = readFileSync(join(partialsDir, file), 'utf8');
      assertNoRawOutput(source, join(partialsDir, file));
      this.handlebars.registerPartial(basename(file, '.hbs'), this.handlebars.compile(source, { strict: true }));
    }
    this.css = readFileSync(join(sharedDir, 'print.css'), 'utf8');
  }

  compileFile(path: string): FormTemplate {
    const source = readFileSync(path, 'utf8');
    assertNoRawOutput(source, path);
    const template = this.handlebars.compile<FormContext>(source, { strict: true });
    return (context) => template(context);
  }

  /** A shared template that is not a form (e.g. the audit-trail page), strict and escaped like the forms. */
  renderShared(file: string, context: Record<string, unknown>): string {
    let template = this.shared.get(file);
    if (!template) {
      const path = join(this.templatesDir, '_shared', file);
      const source = readFileSync(path, 'utf8');
      assertNoRawOutput(source, path);
      template = this.handlebars.compile(source, { strict: true });
      this.shared.set(file, template);
    }
    return template(context);
  }

  /** One HTML document holding the pages of one or many forms, printed with a single page.pdf(). */
  wrapDocument(bodies: string[], title: string, options: { screen?: boolean } = {}): string {
    // On screen (a page a browser opens, not a PDF) the sheets are the page's main content, for assistive technology.
    return [
      '<!doctype html><html lang="ja"><head><meta charset="utf-8">',
      `<title>${Handlebars.escapeExpression(title)}</title>`,
      `<style>${this.css}</style></head><body>`,
      options.screen ? '<main>' : '',
      ...bodies,
      options.screen ? '</main>' : '',
      '</body></html>',
    ].join('');
  }
}

export function assertNoRawOutput(source: string, path: string): void {
  const line = source.split('\n').findIndex((l) => l.includes('{{{'));
  if (line >= 0) {
    throw new Error(`${path}:${line + 1}: {{{ }}} prints unescaped HTML; use {{ }} (user data is always escaped)`);
  }
}
