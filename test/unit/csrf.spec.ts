import { fastifyCookie } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CSRF_COOKIE, csrfCookieHeader, csrfTokenFor, hasValidCsrfToken } from '../../src/accounts/csrf';

describe('a new browser’s CSRF cookie', () => {
  function newBrowser() {
    const request = { cookies: {} as Record<string, string>, protocol: 'https' } as unknown as FastifyRequest;
    let header = '';
    const reply = { header: (name: string, value: string) => name === 'set-cookie' && (header = value) } as unknown as FastifyReply;
    const token = csrfTokenFor(request, reply);
    const cookie = new RegExp(`^${CSRF_COOKIE}=([^;]+);`).exec(header)?.[1] ?? '';
    return { request, token, cookie, header };
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

  it('is written exactly as @fastify/cookie would write it, over https and over plain http', () => {
    for (const secure of [true, false]) {
      const options = { httpOnly: true, sameSite: 'lax' as const, secure, path: '/' };
      expect(csrfCookieHeader('AbC-_09', secure)).toBe(fastifyCookie.serialize(CSRF_COOKIE, 'AbC-_09', options));
    }
    const { header, cookie } = newBrowser();
    expect(header).toBe(fastifyCookie.serialize(CSRF_COOKIE, cookie, { httpOnly: true, sameSite: 'lax', secure: true, path: '/' }));
  });
});
