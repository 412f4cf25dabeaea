import { Injectable, Logger } from '@nestjs/common';
import { sha256Hex } from '../common/hash';
import { LoginStateRepository } from './login-state.repository';

/** Failures allowed in a row before each further attempt has to wait. */
export const FREE_FAILURES = 5;
/** The wait doubles with each failure (1 s, 2 s, 4 s …) up to this. */
export const MAX_DELAY_MS = 15 * 60_000;
/** A count is forgotten a day after its last failure. */
const FORGET_AFTER_MS = 24 * 60 * 60_000;
/** Failures at one account, from browsers without its device cookie, before such browsers are refused (OWASP). */
export const ACCOUNT_FAILURES = 10;
/** …within this window, which begins with the first of them; refused attempts wait for its end. */
export const ACCOUNT_WINDOW_MS = 15 * 60_000;
/** A device cookie unused for this long is forgotten (and so is a stale count). */
export const DEVICE_DAYS = 180;
/** Old counts, tokens and devices are deleted at most this often per process. */
const HOUSEKEEPING_MS = 10 * 60_000;

/**
 * Slows guessing down. Failures are counted per scope: for a password, the e-mail address typed *and* the
 * address it came from (a growing delay after FREE_FAILURES: the owner, from anywhere else, still logs in);
 * the e-mail address alone, from browsers without the account's device cookie (ACCOUNT_FAILURES in
 * ACCOUNT_WINDOW_MS, then 429 whatever the address, while the owner's known browser is not slowed); and
 * each device cookie on its own (a stolen one is not an unlimited allowance). For a second factor, the
 * account. Whether the account exists changes nothing. Counts live in PostgreSQL, shared by every process,
 * and work while Redis is down; an attempt is counted before it is checked, and given back if it succeeds.
 */
@Injectable()
export class LoginFailures {
  private readonly logger = new Logger(LoginFailures.name);
  private lastHousekeeping = 0;

  constructor(private readonly repository: LoginStateRepository) {}

  /** The scope of password attempts at one account from one address. */
  passwordScope(email: string, ip: string | null): string {
    return `pw:${emailKey(email)}:${ip ?? 'unknown'}`;
  }

  /** The scope of password attempts at one account from browsers that are not its owner's known devices. */
  accountScope(email: string): string {
    return `acct:${emailKey(email)}`;
  }

  /** The scope of password attempts made with one device cookie (its sha256). */
  deviceScope(deviceHash: string): string {
    return `dev:${deviceHash}`;
  }

  secondFactorScope(userId: string): string {
    return `mfa:${userId}`;
  }

  /** 0 if this attempt may be checked (it is counted as a failure until `succeeded`), else the wait in ms. */
  attempt(scope: string): Promise<number> {
    this.housekeeping();
    return this.repository.takeWithGrowingDelay(scope, FREE_FAILURES, MAX_DELAY_MS, FORGET_AFTER_MS);
  }

  /** For an account or device scope: 0 if the attempt may go on (counted until `givenBack`), else ms until the window ends. */
  attemptAtAccount(scope: string): Promise<number> {
    return this.repository.takeInWindow(scope, ACCOUNT_FAILURES, ACCOUNT_WINDOW_MS);
  }

  /** The attempt counted in advance was not a failure (it succeeded, or was refused before its check). */
  async givenBack(scope: string): Promise<void> {
    await this.repository.giveBack(scope);
  }

  async succeeded(scope: string): Promise<void> {
    await this.repository.clear(scope);
  }

  private housekeeping(): void {
    if (Date.now() - this.lastHousekeeping < HOUSEKEEPING_MS) return;
    this.lastHousekeeping = Date.now();
    this.repository.forgetOld(FORGET_AFTER_MS, DEVICE_DAYS).catch((error: Error) => this.logger.warn(`housekeeping: ${error.message}`));
  }
}

function emailKey(email: string): string {
  return sha256Hex(email.trim().toLowerCase());
}
