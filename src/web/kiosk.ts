import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';

/**
 * The office's device handed to a signer (in-person signing): while this browser holds the kiosk cookie,
 * every page it asks for outside the signing screen — typed, bookmarked or reached with the back button —
 * leads to 「職員に戻す」, which takes the staff member's password. Only the password releases it.
 */
const KIOSK_COOKIE = 'renkei_kiosk';
const SCREEN = /^\/documents\/[0-9a-f-]{36}\/signing\/[0-9a-f-]{36}\/[0-9a-f-]{36}$/;
/** What the device may still open: the page's assets, logging in again (a session may end), public pages. */
const FREE = ['/assets/', '/login', '/sign/', '/d/', '/withdraw/', '/verify', '/health', '/api/'];

export function holdKiosk(reply: FastifyReply, screen: string): void {
  if (!SCREEN.test(screen)) return;
  reply.setCookie(KIOSK_COOKIE, screen, { httpOnly: true, sameSite: 'strict', secure: reply.request.protocol === 'https', path: '/' });
}

export function releaseKiosk(reply: FastifyReply): void {
  reply.clearCookie(KIOSK_COOKIE, { path: '/' });
}

/** onRequest: a page outside the held signing screen is answered with the way back to staff. */
export function kioskHook(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const screen = request.cookies?.[KIOSK_COOKIE];
  const path = request.url.split('?')[0];
  if (!screen || !SCREEN.test(screen) || request.method !== 'GET' || path.startsWith(screen) || FREE.some((free) => path.startsWith(free)))
    return done();
  void reply.redirect(`${screen}/handback`, 303);
}
