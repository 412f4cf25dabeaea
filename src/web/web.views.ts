import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ROLE_LABELS } from '../accounts/accounts.types';
import { csrfTokenFor } from '../accounts/csrf';
import Handlebars from 'handlebars';
import { projectRoot } from '../common/project-root';
import { formatJst, toSeireki, todayInJapan } from '../common/japan-date';
import { assertNoRawOutput } from '../templates/template.engine';
import { confirmField } from './confirmations';
import { csrfSlots, withCsrfToken } from './csrf-slots';
import { KeptPages, joinWithToken } from './kept-pages';

/** Kept pages (about 12 KB each). */
const KEPT_PAGES = 2_000;

/** Server-rendered pages of the web UI (views/*.hbs), escaped like the forms: never {{{ }}}. */
@Injectable()
export class WebViews {
  private readonly handlebars = Handlebars.create();
  private readonly views = new Map<string, Handlebars.TemplateDelegate>();
  private readonly kept = new KeptPages(KEPT_PAGES);

  constructor() {
    const dir = join(projectRoot(), 'views');
    this.handlebars.registerHelper('confirm', (key: unknown, options: Handlebars.HelperOptions) =>
      confirmField(String(key), (options.data as { root?: { pagePath?: unknown } }).root?.pagePath),
    );
    this.handlebars.registerHelper('eq', (a: unknown, b: unknown) => a === b);
    this.handlebars.registerHelper('jst', (value: unknown) => (value ? formatJst(new Date(String(value))) : ''));
    // The one date style of the rights pages: 2026年12月1日 (a YYYY-MM-DD date as it is; a moment as its day in Japan).
    this.handlebars.registerHelper('jpDate', (value: unknown) => (value ? japaneseDate(value) : ''));
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

  /**
   * Sends a page; the layout shows the logged-in user (if any) with their role. Every `<form method="post">`
   * gets this browser's CSRF token as a hidden input, and the page a `csrf-token` meta tag for scripts:
   * a new form is protected without anyone remembering to (CsrfGuard checks every request that changes state).
   */
  send(reply: FastifyReply, status: number, view: string, context: Record<string, unknown>): void {
    const csrfToken = csrfTokenFor(reply.request, reply);
    const page = withCsrfToken(this.render(view, this.pageContext(reply, context)), csrfToken);
    reply.status(status).type('text/html; charset=utf-8').header('Cache-Control', 'no-store').send(page);
  }

  /**
   * `send`, for a page nobody is logged in to whose whole content `key` fixes (`key` says everything the
   * context holds; the context is made only when the page is not kept yet): rendered once and kept as UTF-8
   * bytes with the CSRF token's places open, so a repeat costs neither the template nor the encoding (a
   * family's signing page is opened again and again).
   */
  sendKept(reply: FastifyReply, status: number, view: string, key: string, contextOf: () => Record<string, unknown>): void {
    const request = reply.request;
    if (request.user || request.mfaEnrolmentPending) return this.send(reply, status, view, contextOf());
    const pageKey = `${status} ${view} ${request.method} ${request.url} ${key}`;
    const page = this.kept.get(pageKey) ?? this.kept.set(pageKey, csrfSlots(this.render(view, this.pageContext(reply, contextOf()))));
    const body = joinWithToken(page, csrfTokenFor(request, reply));
    reply.status(status).type('text/html; charset=utf-8').header('Cache-Control', 'no-store').send(body);
  }

  /** What the layout adds to every page: the logged-in user (if any) with their role, and the page's own address. */
  private pageContext(reply: FastifyReply, context: Record<string, unknown>): Record<string, unknown> {
    const request = reply.request;
    const user = request.user;
    return {
      ...context,
      user,
      roleLabel: user ? ROLE_LABELS[user.role] : null,
      enrolmentPending: request.mfaEnrolmentPending,
      // The page's own address, for a confirmation's 戻る (a form shown again after a post has none of its own).
      pagePath: request.method === 'GET' ? request.url : undefined,
    };
  }

  render(view: string, context: Record<string, unknown>): string {
    const template = this.views.get(view);
    if (!template) throw new Error(`no view ${view}`);
    return template(context);
  }
}

/** 2026年12月1日, from a YYYY-MM-DD date or a moment (its day in Japan). */
export function japaneseDate(value: unknown): string {
  const text =
    value instanceof Date
      ? todayInJapan(value)
      : /^\d{4}-\d{2}-\d{2}$/.test(String(value))
        ? String(value)
        : todayInJapan(new Date(String(value)));
  return toSeireki(text);
}
