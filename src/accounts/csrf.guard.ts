import { CanActivate, ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../common/errors/domain-error';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { SESSION_COOKIE } from './auth.guard';
import { CSRF_FIELD, CSRF_HEADER, hasValidCsrfToken } from './csrf';
import { siteOrigin } from './site';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function isApi(request: FastifyRequest): boolean {
  const path = request.url.split('?')[0];
  return path === '/api' || path.startsWith('/api/');
}

/**
 * The one check of every request that changes something, so a new form is covered without anyone
 * remembering it (web.views puts the token into every posted form it renders):
 * - a browser's request from another origin is refused by its `Sec-Fetch-Site` / `Origin` headers — another
 *   site, or another port of this host, which SameSite cookies treat as the same site;
 * - a web form, logged in or not (log-in, family signing, /verify), must carry the token of this browser;
 * - an /api call authenticated by the session cookie must send the token in `X-CSRF-Token`; an /api call
 *   with `Authorization: Bearer` is exempt (no browser adds that header by itself), and one with no session
 *   cookie carries no authority a forged request could borrow.
 */
@Injectable()
export class CsrfGuard implements CanActivate {
  private readonly logger = new Logger(CsrfGuard.name);
  private readonly publicOrigin: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.publicOrigin = new URL(config.publicUrl).origin;
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (SAFE_METHODS.has(request.method)) return true;
    if (request.headers.authorization?.startsWith('Bearer ')) return true;
    if (!this.fromThisSite(request)) {
      this.logger.log(`refused ${request.method} ${request.url} from ${request.headers.origin ?? request.headers['sec-fetch-site']}`);
      throw new DomainError('CSRF_REJECTED', 'ほかのサイトから送られた操作は受け付けません');
    }
    const body = request.body;
    const fromBody = body && typeof body === 'object' ? (body as Record<string, unknown>)[CSRF_FIELD] : undefined;
    // The token is not part of any form's data.
    if (fromBody !== undefined) delete (body as Record<string, unknown>)[CSRF_FIELD];
    if (isApi(request) && !request.cookies?.[SESSION_COOKIE]) return true;
    if (!hasValidCsrfToken(request, request.headers[CSRF_HEADER] ?? fromBody)) {
      this.logger.log(`refused ${request.method} ${request.url}: no valid CSRF token`);
      throw new DomainError(
        'CSRF_REJECTED',
        isApi(request)
          ? 'セッションで認証された変更には X-CSRF-Token ヘッダーが必要です（GET /api/auth/csrf で取得できます）'
          : 'このページの有効期限が切れました。ページを開き直してから、もう一度操作してください',
      );
    }
    return true;
  }

  /**
   * Browsers say where a request comes from. `Sec-Fetch-Site` is the clearest; `Origin` otherwise (it is
   * "null" on our own form posts under helmet's no-referrer policy, so "null" says nothing). A request that
   * says nothing (not a browser, or an old one) falls to the token.
   */
  private fromThisSite(request: FastifyRequest): boolean {
    const site = request.headers['sec-fetch-site'];
    if (site !== undefined) return site === 'same-origin' || site === 'none';
    const origin = request.headers.origin;
    if (origin === undefined || origin === 'null') return true;
    return origin === siteOrigin(request) || origin === this.publicOrigin;
  }
}
