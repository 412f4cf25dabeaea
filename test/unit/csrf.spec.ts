import type { FastifyReply, FastifyRequest } from 'fastify';
import { CSRF_COOKIE, csrfTokenFor, hasValidCsrfToken } from '../../src/accounts/csrf';

describe('a new browser’s CSRF cookie', () => {
  function newBrowser() {
    const request = { cookies: {} as Record<string, string>, protocol: 'https' } as unknown as FastifyRequest;
    let cookie = '';
    const reply = { setCookie: (name: string, value: string) => name === CSRF_COOKIE && (cookie = value) } as unknown as FastifyReply;
    const token = csrfTokenFor(request, reply);
    return { request, token, cookie };
  }

  it('is new for every browser (past the pool’s refills), and its token is the one the guard accepts', () => {
    const browsers = Array.from({ length: 500 }, newBrowser);
    const cookies = browsers.map((b) => b.cookie);
    expect(new Set(cookies).size).toBe(500);
    for (const cookie of cookies) expect(cookie).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const [first, second] = browsers;
    expect(hasValidCsrfToken(first.request, first.token)).toBe(true);
    expect(hasValidCsrfToken(first.request, second.token)).toBe(false);
  });
});
