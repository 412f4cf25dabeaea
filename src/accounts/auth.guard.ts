import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../common/errors/domain-error';
import { AuthService } from './auth.service';
import { IS_PUBLIC, ROLES_KEY } from './current-user';
import { Role } from './accounts.types';

export const SESSION_COOKIE = 'renkei_session';

/** Every route needs a logged-in user unless marked @Public(); @Roles narrows it further. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const token = sessionToken(request);
    const user = token ? await this.auth.resolve(token) : null;
    if (!user) throw new DomainError('UNAUTHENTICATED', 'ログインしてください');
    request.user = user;
    request.sessionToken = token ?? undefined;
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
