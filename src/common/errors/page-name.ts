import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';

/**
 * The page a route answers, as a person knows it (「書類のPDF」): a refusal on that route is titled with it
 * (「書類のPDF: 見つかりません」), whatever refuses it — the log-in and role guards, the validation pipe, the
 * service. Kept on the route itself (Fastify's route config), so the one error filter reads it for any error.
 */
export function PageName(name: string): MethodDecorator {
  return RouteConfig({ pageName: name });
}

/** The name PageName gave the request's route, if any. */
export function pageNameOf(request: FastifyRequest): string | null {
  const config = request.routeOptions?.config as { pageName?: unknown } | undefined;
  return typeof config?.pageName === 'string' ? config.pageName : null;
}
