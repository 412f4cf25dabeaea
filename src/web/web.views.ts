import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ROLE_LABELS } from '../accounts/accounts.types';
import Handlebars from 'handlebars';
import { projectRoot } from '../common/project-root';
import { formatJst } from '../common/japan-date';
import { assertNoRawOutput } from '../templates/template.engine';

/** Server-rendered pages of the web UI (views/*.hbs), escaped like the forms: never {{{ }}}. */
@Injectable()
export class WebViews {
  private readonly handlebars = Handlebars.create();
  private readonly views = new Map<string, Handlebars.TemplateDelegate>();

  constructor() {
    const dir = join(projectRoot(), 'views');
    this.handlebars.registerHelper('eq', (a: unknown, b: unknown) => a === b);
    this.handlebars.registerHelper('jst', (value: unknown) => (value ? formatJst(new Date(String(value))) : ''));
    const compile = (path: string) => {
      const source = readFileSync(path, 'utf8');
      assertNoRawOutput(source, path);
      // preventIndent: re-indenting each partial's output line by line was a tenth of a page's allocations.
      return this.handlebars.compile(source, { strict: false, preventIndent: true });
    };
    for (const file of readdirSync(join(dir, 'partials')).filter((f) => f.endsWith('.hbs'))) {
      this.handlebars.registerPartial(basename(file, '.hbs'), compile(join(dir, 'partials', file)));
    }
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.hbs'))) {
      const name = basename(file, '.hbs');
      if (name === 'layout') this.handlebars.registerPartial('layout', compile(join(dir, file)));
      else this.views.set(name, compile(join(dir, file)));
    }
  }

  /** Sends a page; the layout shows the logged-in user (if any) with their role. */
  send(reply: FastifyReply, status: number, view: string, context: Record<string, unknown>): void {
    const user = reply.request.user;
    const page = this.render(view, { ...context, user, roleLabel: user ? ROLE_LABELS[user.role] : null });
    reply.status(status).type('text/html; charset=utf-8').header('Cache-Control', 'no-store').send(page);
  }

  render(view: string, context: Record<string, unknown>): string {
    const template = this.views.get(view);
    if (!template) throw new Error(`no view ${view}`);
    return template(context);
  }
}
