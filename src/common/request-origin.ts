import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { RequestOrigin } from '../audit/audit.service';

export function originOf(request: Request): RequestOrigin {
  return { ip: request.ip ?? null, userAgent: request.get('user-agent')?.slice(0, 500) ?? null };
}

/** The source address and user agent of the request, for the audit log. */
export const Origin = createParamDecorator((_: unknown, context: ExecutionContext): RequestOrigin =>
  originOf(context.switchToHttp().getRequest<Request>()),
);
