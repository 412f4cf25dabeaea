import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger, Optional } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AlreadyAnswered, DOMAIN_ERROR_STATUS, DomainError, FieldError } from './domain-error';
import { ErrorPage } from './error-page';
import { pageNameOf } from './page-name';

/**
 * The one place where domain errors become HTTP responses: JSON for the API, a Japanese page for the web UI.
 * Nest also passes it what fails before a route runs (a body that does not parse, an upload over its limit,
 * a request the validation pipe refuses).
 */
@Catch()
export class DomainErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(DomainErrorFilter.name);

  constructor(@Optional() private readonly page?: ErrorPage) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (exception instanceof AlreadyAnswered) return;
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    if (exception instanceof DomainError && exception.code === 'UNAUTHENTICATED' && request.method === 'GET' && isPage(request)) {
      reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
      return;
    }
    // MFA_REQUIRED and no second factor yet: every page leads to enrolment first.
    if (exception instanceof DomainError && exception.code === 'MFA_ENROLMENT_REQUIRED' && request.method === 'GET' && isPage(request)) {
      reply.redirect('/account/mfa', 303);
      return;
    }
    const { status, body } = this.describe(exception);
    if (status === 429 && typeof body.retryAfterSeconds === 'number') reply.header('Retry-After', String(body.retryAfterSeconds));
    if (isPage(request)) this.sendPage(reply, status, body, pageNameOf(request));
    else reply.status(status).send(body);
  }

  private describe(exception: unknown): { status: number; body: { code: string; message: string; [key: string]: unknown } } {
    if (exception instanceof DomainError) {
      const status = DOMAIN_ERROR_STATUS[exception.code];
      if (status >= 500) this.logger.error(exception);
      return { status, body: { code: exception.code, message: exception.message, ...exception.details } };
    }
    if (exception instanceof HttpException) {
      // Nest's and Fastify's own refusals (a body that does not parse, a media type nobody reads, too many
      // requests) carry English messages: an API client gets the same Japanese message a page shows.
      const status = exception.getStatus();
      return { status, body: { code: `HTTP_${status}`, message: HTTP_MESSAGES[status] ?? 'リクエストを処理できませんでした' } };
    }
    this.logger.error(exception);
    return { status: 500, body: { code: 'INTERNAL_ERROR', message: 'サーバー内部でエラーが発生しました' } };
  }

  private sendPage(
    reply: FastifyReply,
    status: number,
    body: { code: string; message: string; errors?: unknown },
    pageName: string | null,
  ): void {
    const errors = Array.isArray(body.errors) ? (body.errors as FieldError[]) : [];
    // The title names the page refused (「書類のPDF: 見つかりません」) where the route has a name.
    const content = { title: pageName ? `${pageName}: ${titleOf(status)}` : titleOf(status), message: body.message, errors };
    if (this.page) this.page.send(reply, status, content);
    else
      reply
        .status(status)
        .type('text/html; charset=utf-8')
        .send(plainPage(content.title, content.message, errors));
  }
}

/** A browser page (as opposed to the JSON API): it gets an HTML answer, and a missing log-in means: go and log in. */
function isPage(request: FastifyRequest): boolean {
  const path = request.url.split('?')[0];
  return path !== '/api' && !path.startsWith('/api/') && path !== '/health';
}

const HTTP_MESSAGES: Record<number, string> = {
  400: '送信された内容を読み取れませんでした',
  401: 'ログインしてください',
  403: 'この操作の権限がありません',
  404: 'お探しのページは見つかりません',
  405: 'この方法では送信できません',
  413: '送信された内容が大きすぎます',
  415: 'この形式の送信は受け付けていません',
  429: 'アクセスが集中しています。しばらく待ってからもう一度お試しください',
};

function titleOf(status: number): string {
  if (status === 400) return '入力内容に誤りがあります';
  if (status === 401) return 'ログインしてください';
  if (status === 403) return 'この操作はできません';
  if (status === 404) return '見つかりません';
  if (status >= 500) return 'エラーが発生しました';
  return '処理できませんでした';
}

function plainPage(title: string, message: string, errors: FieldError[]): string {
  const list = errors.map((e) => `<li>${escapeHtml(e.label)}: ${escapeHtml(e.message)}</li>`).join('');
  return (
    `<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
    `<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>${list ? `<ul>${list}</ul>` : ''}</body></html>`
  );
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
