import { randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { COMMON_PASSWORDS } from './common-passwords';

/** bcrypt reads only the first 72 bytes of a password; a longer one would be accepted with anything after them. */
export const MAX_PASSWORD_BYTES = 72;

/**
 * The networks' rule (e.g. るるめ第9条, 港 第12条): at least 8 characters, letters and digits mixed; at most 72
 * bytes (bcrypt's limit, told plainly rather than cut silently); not a common password.
 */
export function passwordProblem(password: string): string | null {
  if (password.length < 8) return 'パスワードは8文字以上にしてください';
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES)
    return 'パスワードは72バイト以内にしてください（半角英数字で72文字まで。全角文字は1文字で3バイトです）';
  if (!/[A-Za-z]/.test(password) || !/[0-9]/.test(password)) return 'パスワードは英字と数字を混ぜてください';
  if (isCommonPassword(password)) return 'よく使われているパスワードや推測しやすいパスワードは使えません。別のパスワードにしてください';
  return null;
}

const LOOK_ALIKES: Record<string, string> = { '@': 'a', '4': 'a', '3': 'e', '1': 'i', '!': 'i', '0': 'o', $: 's', '5': 's', '7': 't' };

/**
 * One of the bundled common passwords (common-passwords.ts), alone or with digits or symbols before or after
 * it, or spelt with look-alikes (p@ssw0rd); or so repetitive that a list is not needed (aaaaaaa1, 12121212a).
 */
export function isCommonPassword(password: string): boolean {
  const lower = password.normalize('NFKC').toLowerCase();
  if (new Set(lower).size < 4) return true;
  const core = lower.replace(/^[^a-z]+/, '').replace(/[^a-z]+$/, '');
  const unleet = (text: string) => text.replace(/[@43!10$57]/g, (c) => LOOK_ALIKES[c]);
  const candidates = [lower, core, unleet(lower), unleet(core), unleet(lower).replace(/[^a-z]+$/, '')];
  return candidates.some((candidate) => candidate.length > 0 && COMMON_PASSWORDS.has(candidate));
}

/**
 * bcrypt's work factor for new hashes (PASSWORD_HASH_COST, 10 unless set; config/env.ts keeps production at 10
 * or more). Every hash carries its own factor, so hashes made under another one still verify.
 */
let hashCost = 10;
/** One hash per factor to compare against when there is none (see dummyHash). */
const dummies = new Map<number, string>();

/** Applies the configured work factor: the API and the worker call this as they start. */
export function usePasswordHashCost(cost: number): void {
  hashCost = cost;
  if (!dummies.has(cost)) dummies.set(cost, bcrypt.hashSync(randomBytes(16).toString('base64url'), cost));
}

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, hashCost);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}

/**
 * Compared against when there is no hash to compare with (an unknown e-mail, a slowed-down address), so
 * every answer to a log-in costs one bcrypt of the same work factor as a real account's.
 */
export function dummyHash(): string {
  if (!dummies.has(hashCost)) usePasswordHashCost(hashCost);
  return dummies.get(hashCost)!;
}
