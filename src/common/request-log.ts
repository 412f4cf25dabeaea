import type { LoggerService } from '@nestjs/common';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';

/** A path segment that is a link's secret (a signing, download or invitation token): never written to a log. */
const SECRET_SEGMENT = /\/(?![0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?:[/?]|$))[A-Za-z0-9_-]{20,}(?=[/?]|$)/g;

/** The address as logged: ids stay, link tokens become "…", the query goes (it may carry a search for a name). */
export function loggedUrl(url: string): string {
  return url.split('?')[0].replace(SECRET_SEGMENT, '/…');
}

const WRITES_INFO = new Set(['trace', 'debug', 'info']);

/**
 * One line per answered request (not /health) at `info`: its id, method, path, status and time, nothing of
 * its content. At a quieter level nothing is built.
 */
export function requestLog(logger: LoggerService, level: string) {
  const writes = WRITES_INFO.has(level);
  return (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    if (writes && request.url !== '/health')
      logger.log(
        {
          msg: 'request completed',
          req: { id: request.id, method: request.method, url: loggedUrl(request.url) },
          res: { statusCode: reply.statusCode },
          responseTime: Math.round(reply.elapsedTime),
        },
        'http',
      );
    done();
  };
}
