import { Inject, Injectable } from '@nestjs/common';
import { sha256Hex } from '../common/hash';
import { RedisService } from '../common/redis.provider';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';

/** Failures allowed in a row before each further attempt has to wait. */
export const FREE_FAILURES = 5;
/** The wait doubles with each failure (1 s, 2 s, 4 s …) up to this. */
export const MAX_DELAY_MS = 15 * 60_000;
/** A count is forgotten a day after its last failure. */
const FORGET_AFTER_MS = 24 * 60 * 60_000;

/**
 * Takes an attempt if the scope is not waiting: the attempt is counted as a failure at once (so concurrent
 * guesses cannot all slip in before the first is counted) and cleared by success. Returns 0 when the
 * attempt may go ahead, or the milliseconds it still has to wait (the refused attempt is not counted).
 */
const ATTEMPT_SCRIPT = `
local count = tonumber(redis.call('HGET', KEYS[1], 'count') or '0')
local last = tonumber(redis.call('HGET', KEYS[1], 'last') or '0')
local now = tonumber(ARGV[1])
local free = tonumber(ARGV[2])
if count >= free then
  local delay = math.min(1000 * 2 ^ (count - free), tonumber(ARGV[3]))
  local wait = last + delay - now
  if wait > 0 then return math.ceil(wait) end
end
redis.call('HSET', KEYS[1], 'count', count + 1, 'last', now)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 0`;

type AttemptCommand = (key: string, now: number, free: number, maxDelay: number, ttl: number) => Promise<number>;

/**
 * Slows guessing down without locking anyone out. Failures are counted per scope — for a password, the
 * e-mail address typed *and* the address it came from, whether or not the account exists; for a second
 * factor, the account — and after FREE_FAILURES each attempt must wait twice as long as the last. So the
 * owner, from anywhere else, still logs in with the right password; and a wrong password, an unknown
 * e-mail and a slowed-down attempt look the same from outside. Counts live in Redis, shared by every process.
 */
@Injectable()
export class LoginFailures {
  private readonly attemptCommand: AttemptCommand;

  constructor(
    private readonly redis: RedisService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    redis.client.defineCommand('renkeiLoginAttempt', { numberOfKeys: 1, lua: ATTEMPT_SCRIPT });
    const client = redis.client as unknown as Record<string, AttemptCommand>;
    this.attemptCommand = (...args) => client.renkeiLoginAttempt(...args);
  }

  /** The scope of password attempts at one account from one address. */
  passwordScope(email: string, ip: string | null): string {
    return `pw:${sha256Hex(email.trim().toLowerCase())}:${ip ?? 'unknown'}`;
  }

  secondFactorScope(userId: string): string {
    return `mfa:${userId}`;
  }

  /** 0 if this attempt may be checked (it is counted as a failure until `succeeded`), else the wait in ms. */
  attempt(scope: string): Promise<number> {
    return this.attemptCommand(this.key(scope), Date.now(), FREE_FAILURES, MAX_DELAY_MS, FORGET_AFTER_MS);
  }

  async succeeded(scope: string): Promise<void> {
    await this.redis.client.del(this.key(scope));
  }

  private key(scope: string): string {
    return `${this.config.queuePrefix}:login-failures:${scope}`;
  }
}
