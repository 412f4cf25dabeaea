import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { sha256Hex } from '../common/hash';
import { RedisService } from '../common/redis.provider';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';

/** Wrong codes (or passkey answers) one mfaToken allows; the last one ends it. */
export const MFA_TOKEN_TRIES = 5;
/** Time to open the app or touch the key after the password was accepted. */
export const MFA_TOKEN_SECONDS = 5 * 60;

/** Takes one of the token's tries atomically: nil if the token is unknown, expired or used up. */
const RESERVE_SCRIPT = `
local user = redis.call('HGET', KEYS[1], 'user')
if not user then return nil end
local tries = redis.call('HINCRBY', KEYS[1], 'tries', 1)
if tries > tonumber(ARGV[1]) then
  redis.call('DEL', KEYS[1])
  return nil
end
return { user, tries, redis.call('HGET', KEYS[1], 'challenge') or '' }`;

type ReserveCommand = (key: string, maxTries: number) => Promise<[string, number, string] | null>;

export interface ReservedTry {
  userId: string;
  /** This try's number, 1 to MFA_TOKEN_TRIES. */
  tries: number;
  /** The passkey challenge issued for this token, if any. */
  challenge: string | null;
}

/**
 * The proof that a password was right, waiting for the second factor: a random token given to the client,
 * kept in Redis only as its sha256, good for MFA_TOKEN_SECONDS and MFA_TOKEN_TRIES tries, used once.
 * It is not a session: nothing but the second step accepts it.
 */
@Injectable()
export class MfaTokens {
  private readonly reserveCommand: ReserveCommand;

  constructor(
    private readonly redis: RedisService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    redis.client.defineCommand('renkeiMfaReserve', { numberOfKeys: 1, lua: RESERVE_SCRIPT });
    const client = redis.client as unknown as Record<string, ReserveCommand>;
    this.reserveCommand = (...args) => client.renkeiMfaReserve(...args);
  }

  async issue(userId: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const key = this.key(token);
    await this.redis.client.multi().hset(key, 'user', userId, 'tries', 0).expire(key, MFA_TOKEN_SECONDS).exec();
    return token;
  }

  /** Whose token this is, without taking a try (to offer that user's passkeys); null if it is not valid. */
  async userOf(token: string): Promise<string | null> {
    return this.redis.client.hget(this.key(token), 'user');
  }

  /** Keeps a passkey challenge with the token; false if the token is gone (never recreates it). */
  async setChallenge(token: string, challenge: string): Promise<boolean> {
    const script = `if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'challenge', ARGV[1]) return 1 end return 0`;
    return (await this.redis.client.eval(script, 1, this.key(token), challenge)) === 1;
  }

  /** Takes one try; null if the token cannot be used (unknown, expired, ended or out of tries). */
  async reserve(token: string): Promise<ReservedTry | null> {
    const result = await this.reserveCommand(this.key(token), MFA_TOKEN_TRIES);
    if (!result) return null;
    const [userId, tries, challenge] = result;
    return { userId, tries: Number(tries), challenge: challenge || null };
  }

  /** Ends the token; true only for the one caller that ended it (a token logs in once). */
  async consume(token: string): Promise<boolean> {
    return (await this.redis.client.del(this.key(token))) === 1;
  }

  private key(token: string): string {
    return `${this.config.queuePrefix}:mfa-token:${sha256Hex(token)}`;
  }
}
