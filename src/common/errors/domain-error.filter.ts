import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DOMAIN_ERROR_STATUS, DomainError } from './domain-error';

/** The one place where domain errors become HTTP responses. */
@Catch()
export class DomainErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(DomainErrorFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const request = host.switchToHttp().getRequest<Request>();
    if (exception instanceof DomainError && exception.code === 'UNAUTHENTICATED' && isPage(request)) {
      response.redirect(303, `/login?next=${encodeURIComponent(request.originalUrl)}`);
      return;
    }
    if (exception instanceof DomainError) {
      const status = DOMAIN_ERROR_STATUS[exception.code];
      if (status >= 500) this.logger.error(exception);
      response.status(status).json({ code: exception.code, message: exception.message, ...exception.details });
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const message = typeof body === 'string' ? body : (body as { message?: unknown }).message ?? exception.message;
      response.status(status).json({ code: `HTTP_${status}`, message });
      return;
    }
    this.logger.error(exception);
    response.status(500).json({ code: 'INTERNAL_ERROR', message: 'サーバー内部でエラーが発生しました' });
  }
}

/** A browser page (as opposed to the JSON API), where a missing log-in means: go and log in. */
function isPage(request: Request): boolean {
  return request.method === 'GET' && !request.path.startsWith('/api/') && request.path !== '/health';
}
