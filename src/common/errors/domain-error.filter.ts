import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DOMAIN_ERROR_STATUS, DomainError } from './domain-error';

/**
 * The one place where domain errors become HTTP responses. Nest also passes it what fails before a
 * route runs (a body that does not parse, an upload over its limit), as an HttpException.
 */
@Catch()
export class DomainErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(DomainErrorFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    if (exception instanceof DomainError && exception.code === 'UNAUTHENTICATED' && isPage(request)) {
      reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
      return;
    }
    if (exception instanceof DomainError) {
      const status = DOMAIN_ERROR_STATUS[exception.code];
      if (status >= 500) this.logger.error(exception);
      reply.status(status).send({ code: exception.code, message: exception.message, ...exception.details });
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const message = typeof body === 'string' ? body : ((body as { message?: unknown }).message ?? exception.message);
      reply.status(status).send({ code: `HTTP_${status}`, message });
      return;
    }
    this.logger.error(exception);
    reply.status(500).send({ code: 'INTERNAL_ERROR', message: 'サーバー内部でエラーが発生しました' });
  }
}

/** A browser page (as opposed to the JSON API), where a missing log-in means: go and log in. */
function isPage(request: FastifyRequest): boolean {
  const path = request.url.split('?')[0];
  return request.method === 'GET' && !path.startsWith('/api/') && path !== '/health';
}
