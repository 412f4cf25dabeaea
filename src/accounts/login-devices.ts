import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sha256Hex } from '../common/hash';
import { DEVICE_DAYS } from './login-failures';
import { LoginStateRepository } from './login-state.repository';

/** The device cookie: random tokens of the accounts that logged in on this browser, newest first. */
export const DEVICE_COOKIE = 'renkei_device';
/** A shared office computer remembers this many accounts. */
const TOKENS_PER_COOKIE = 5;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** The device tokens a browser sent (never trusted as such: each is looked up for the account). */
export function deviceTokensOf(request: FastifyRequest): string[] {
  const value = request.cookies?.[DEVICE_COOKIE] ?? '';
  return value
    .split('.')
    .filter((t) => TOKEN.test(t))
    .slice(0, TOKENS_PER_COOKIE);
}

export function setDeviceCookie(request: FastifyRequest, reply: FastifyReply, tokens: string[]): void {
  reply.setCookie(DEVICE_COOKIE, tokens.join('.'), {
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https',
    path: '/',
    maxAge: DEVICE_DAYS * 86_400,
  });
}

/**
 * Device cookies (the OWASP pattern against guessing one account from many addresses): a successful log-in
 * leaves an opaque random token in the browser, bound to that account in PostgreSQL (only its sha256). A
 * browser that shows one for the account is its owner's known device and is not slowed down with strangers.
 */
@Injectable()
export class LoginDevices {
  constructor(private readonly repository: LoginStateRepository) {}

  /** The sha256 of the browser's valid device token for this user, or null. */
  known(userId: string, tokens: string[]): Promise<string | null> {
    return this.repository.deviceOf(userId, tokens.map(sha256Hex), DEVICE_DAYS);
  }

  /** After a successful log-in: the cookie's tokens with this user's (kept, or new) first. */
  async remember(userId: string, tokens: string[]): Promise<string[]> {
    const known = await this.known(userId, tokens);
    if (known) {
      await this.repository.touchDevice(known);
      const own = tokens.find((t) => sha256Hex(t) === known)!;
      return [own, ...tokens.filter((t) => t !== own)];
    }
    const token = randomBytes(32).toString('base64url');
    await this.repository.insertDevice(sha256Hex(token), userId);
    return [token, ...tokens].slice(0, TOKENS_PER_COOKIE);
  }
}
