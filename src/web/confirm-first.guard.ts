import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CSRF_FIELD } from '../accounts/csrf';
import { AlreadyAnswered, DomainError } from '../common/errors/domain-error';
import { CONFIRM_BACK_FIELD, CONFIRM_FIELD, CONFIRMATIONS } from './confirmations';
import { WebViews } from './web.views';

/**
 * A password typed to confirm who is asking (removing a second factor) is never written back into a page: the
 * confirmation page asks for it again instead.
 */
const PASSWORD_FIELD = 'password';

/** The values posted, as the hidden fields of the confirmation page (the CSRF token is added by WebViews). */
function hiddenFields(body: Record<string, unknown>): { name: string; value: string }[] {
  const fields: { name: string; value: string }[] = [];
  const add = (name: string, value: unknown): void => {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) value.forEach((item, i) => add(`${name}[${i}]`, item));
    else if (typeof value === 'object') Object.entries(value).forEach(([key, item]) => add(`${name}[${key}]`, item));
    else fields.push({ name, value: String(value) });
  };
  const unsent = [CONFIRM_FIELD, CONFIRM_BACK_FIELD, CSRF_FIELD, PASSWORD_FIELD];
  for (const [name, value] of Object.entries(body)) if (!unsent.includes(name)) add(name, value);
  return fields;
}

/** Where 戻る leads: the page the form was on (a path of this site only), else the top. */
function backTo(body: Record<string, unknown>): string {
  const back = body[CONFIRM_BACK_FIELD];
  return typeof back === 'string' && back.startsWith('/') && !back.startsWith('//') && !back.includes('\\') ? back : '/';
}

/**
 * Answers a page's post that still carries CONFIRM_FIELD with the confirmation page, doing nothing yet. The last
 * global guard (after throttling, CSRF and the log-in), not an interceptor: an interceptor costs every request
 * its rxjs chain, and this one acts on few.
 */
@Injectable()
export class ConfirmFirstGuard implements CanActivate {
  constructor(private readonly views: WebViews) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const body = request.body as Record<string, unknown> | undefined;
    const key = request.method === 'POST' && body && typeof body === 'object' ? body[CONFIRM_FIELD] : undefined;
    const path = request.url.split('?')[0];
    if (key === undefined || path === '/api' || path.startsWith('/api/')) return true;
    const confirmation = typeof key === 'string' && Object.hasOwn(CONFIRMATIONS, key) ? CONFIRMATIONS[key] : undefined;
    // A post that asks for a confirmation nobody defined is not done unasked.
    if (!confirmation) throw new DomainError('INVALID_REQUEST', '確認の画面を表示できません。前の画面からやり直してください');
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    this.views.send(reply, 200, 'confirm', {
      ...confirmation,
      action: request.url,
      fields: hiddenFields(body!),
      asksPassword: Object.hasOwn(body!, PASSWORD_FIELD),
      back: backTo(body!),
    });
    throw new AlreadyAnswered();
  }
}
