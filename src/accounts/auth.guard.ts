import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../common/errors/domain-error';
import { ApiKeysService, isApiKey } from './api-keys.service';
import { CurrentUser, DURING_ENROLMENT, IS_PUBLIC, ROLES_KEY } from '../common/auth/current-user';
import { Role } from './accounts.types';
import { SessionsService } from './sessions.service';

export const SESSION_COOKIE = 'renkei_session';

/**
 * Every route needs a logged-in user unless marked @Public(); @Roles narrows it further. A session that must
 * still enrol a second factor (MFA_REQUIRED) reaches only the routes marked @AllowDuringEnrolment().
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionsService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const token = sessionToken(request);
    if (token && isApiKey(token)) {
      const user = await this.apiKeys.resolve(token);
      if (!user) throw new DomainError('UNAUTHENTICATED', 'APIキーが無効です（取り消されたか、存在しません）');
      request.user = user;
      return this.allowed(user, targets);
    }
    const session = token ? await this.sessions.resolve(token) : null;
    if (!session) throw new DomainError('UNAUTHENTICATED', 'ログインしてください');
    request.user = session.user;
    request.sessionToken = token ?? undefined;
    request.mfaEnrolmentPending = session.enrolmentPending;
    if (session.enrolmentPending && !this.reflector.getAllAndOverride<boolean>(DURING_ENROLMENT, targets))
      throw new DomainError('MFA_ENROLMENT_REQUIRED', '2段階認証の設定が必要です。認証アプリかパスキーを設定してください', {
        enrolUrl: '/account/mfa',
      });
    return this.allowed(session.user, targets);
  }

  private allowed(user: CurrentUser, targets: Parameters<Reflector['getAllAndOverride']>[1]): boolean {
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.includes(user.role)) throw new DomainError('FORBIDDEN', 'この操作の権限がありません');
    return true;
  }
}

/** From the session cookie (browser) or an `Authorization: Bearer` header (API clients). */
export function sessionToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  return request.cookies[SESSION_COOKIE] ?? null;
}
