import { createHash, randomFillSync, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_COOKIE } from './auth.guard';

/** The hidden input every posted form carries (web.views adds it), or the header scripts and API clients send. */
export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';
/** A random value for a browser without a session (log-in, family signing pages, /verify): double-submit. */
export const CSRF_COOKIE = 'renkei_csrf';

/**
 * The token for what the browser holds: its session (synchronizer token tied to the session: a hash of the
 * session's secret token, which no other site can read) or, before log-in, its CSRF cookie (double-submit).
 * A hash, never the secret itself: the page shows the token, the cookie stays httpOnly.
 */
function tokenFor(binding: string): string {
  return createHash('sha256').update(`renkei-csrf\0${binding}`).digest('base64url');
}

function bindingOf(request: FastifyRequest): string | null {
  const session = request.cookies?.[SESSION_COOKIE];
  if (session) return `session\0${session}`;
  const anonymous = request.cookies?.[CSRF_COOKIE];
  return anonymous ? `anonymous\0${anonymous}` : null;
}

/**
 * A new browser's CSRF cookie value: 24 random bytes, taken from a pool filled 4 KB at a time (one call into
 * the system's generator per 170 values rather than one each: a family's link page is opened without
 * cookies often). No byte is used twice.
 */
const pool = Buffer.alloc(4080);
let poolAt = pool.length;
function freshValue(): string {
  if (poolAt + 24 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  poolAt += 24;
  return pool.toString('base64url', poolAt - 24, poolAt);
}

/**
 * The Set-Cookie of a new browser's CSRF value, as @fastify/cookie would write it. Written directly: the value
 * is base64url, which needs neither encoding nor the serializer's checks, and those were 3 % of the CPU of a
 * family's signing page, opened without cookies. Fastify appends it to any other Set-Cookie of the reply.
 */
export function csrfCookieHeader(value: string, secure: boolean): string {
  return `${CSRF_COOKIE}=${value}; Path=/; HttpOnly${secure ? '; Secure' : ''}; SameSite=Lax`;
}

/** The token for the page being sent; a browser with neither cookie is given a CSRF cookie first. */
export function csrfTokenFor(request: FastifyRequest, reply: FastifyReply): string {
  const binding = bindingOf(request);
  if (binding) return tokenFor(binding);
  const value = freshValue();
  reply.header('set-cookie', csrfCookieHeader(value, request.protocol === 'https'));
  // Later pages of the same request cycle (none today) would see it too.
  request.cookies[CSRF_COOKIE] = value;
  return tokenFor(`anonymous\0${value}`);
}

/** Whether the request carries the token of the browser that sent it (header or form field). */
export function hasValidCsrfToken(request: FastifyRequest, given: unknown): boolean {
  const binding = bindingOf(request);
  if (!binding || typeof given !== 'string' || given.length === 0 || given.length > 100) return false;
  const expected = Buffer.from(tokenFor(binding));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
