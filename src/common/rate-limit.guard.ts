import { CanActivate, ExecutionContext, Inject, Injectable, Logger, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { DomainError } from './errors/domain-error';
import { RedisService } from './redis.provider';

/**
 * A count shared by every route that guards the same secret, so two routes are not two allowances:
 * `login` (both log-in forms, the password change), `mfa` (codes and passkeys of the second step), `pin`
 * (a signing link's 暗証番号), `public` (what anyone can post without an account: 利用申込, invitation links).
 */
export type RateBucket = 'login' | 'mfa' | 'pin' | 'public';

const RATE_BUCKET = 'renkei:rate-bucket';

/** Counts this route's requests in its bucket as well, at THROTTLE_LOGIN_PER_MINUTE per address. */
export const RateLimit = (bucket: RateBucket) => SetMetadata(RATE_BUCKET, bucket);

const WINDOW_MS = 60_000;

/**
 * Fixed one-minute windows in Redis: INCR each key, start its expiry on the first hit, and answer the
 * highest count with the longest time left. Atomic, so concurrent requests on any process count once each.
 */
const HIT_SCRIPT = `
local over = 0
local wait = 0
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if count == 1 then redis.call('PEXPIRE', key, ARGV[1]) end
  if count > tonumber(ARGV[i + 1]) then
    over = 1
    local ttl = redis.call('PTTL', key)
    if ttl > wait then wait = ttl end
  end
end
return { over, wait }`;

type HitCommand = (...args: Array<string | number>) => Promise<[number, number]>;

/**
 * Throttling for every API process at once (the counts live in Redis, so a restart or a second process
 * does not reset them): every route THROTTLE_PER_MINUTE per client address, and the routes of a
 * RateBucket together THROTTLE_LOGIN_PER_MINUTE. The address is the socket's unless TRUST_PROXY names
 * the proxies (Fastify's trustProxy). If Redis cannot be reached the request goes through: the
 * per-account delays and the 暗証番号's own counter still hold, and Redis being down is reported by /health.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly logger = new Logger(RateLimitGuard.name);
  private readonly hit: HitCommand;

  constructor(
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    redis: RedisService,
  ) {
    redis.client.defineCommand('renkeiRateHit', { lua: HIT_SCRIPT });
    const client = redis.client as unknown as Record<string, HitCommand>;
    this.hit = (...args) => client.renkeiRateHit(...args);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const address = request.ip ?? 'unknown';
    const prefix = `${this.config.queuePrefix}:rl`;
    const keys = [`${prefix}:route:${request.method}:${request.routeOptions?.url ?? request.url}:${address}`];
    const limits = [this.config.throttlePerMinute];
    const bucket = this.reflector.getAllAndOverride<RateBucket | undefined>(RATE_BUCKET, [context.getHandler(), context.getClass()]);
    if (bucket) {
      keys.push(`${prefix}:${bucket}:${address}`);
      limits.push(this.config.throttleLoginPerMinute);
    }
    let result: [number, number];
    try {
      result = await this.hit(keys.length, ...keys, WINDOW_MS, ...limits);
    } catch (error) {
      this.logger.warn(`throttle not checked, Redis unavailable: ${(error as Error).message}`);
      return true;
    }
    const [over, waitMs] = result;
    if (over === 1) {
      const seconds = Math.max(1, Math.ceil(waitMs / 1000));
      context.switchToHttp().getResponse<FastifyReply>().header('Retry-After', String(seconds));
      throw new DomainError('TOO_MANY_REQUESTS', `アクセスが集中しています。${seconds}秒ほど待ってからもう一度お試しください`, {
        retryAfterSeconds: seconds,
      });
    }
    return true;
  }
}
