import { CanActivate, ExecutionContext, Inject, Injectable, Logger, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/env';
import { DomainError } from './errors/domain-error';
import { withTimeout } from './job-delivery';
import { RedisService } from './redis.provider';
import { TickBatch } from './tick-batch';

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
 * Fixed one-minute windows in Redis, for several requests at once: for each request, INCR each of its keys,
 * start a key's expiry on its first hit, and answer whether any count is over its limit with the longest time
 * left. KEYS: every request's keys, one request after another; ARGV: the window (ms), then for each request
 * its number of keys followed by their limits. Atomic, so concurrent requests on any process count once each.
 */
const HIT_SCRIPT = `
local answers = {}
local k = 1
local a = 2
while a <= #ARGV do
  local n = tonumber(ARGV[a])
  a = a + 1
  local over = 0
  local wait = 0
  for i = 1, n do
    local key = KEYS[k]
    local count = redis.call('INCR', key)
    if count == 1 then redis.call('PEXPIRE', key, ARGV[1]) end
    if count > tonumber(ARGV[a]) then
      over = 1
      local ttl = redis.call('PTTL', key)
      if ttl > wait then wait = ttl end
    end
    k = k + 1
    a = a + 1
  end
  answers[#answers + 1] = over
  answers[#answers + 1] = wait
end
return answers`;

/** One request's keys and their limits. */
interface Hit {
  keys: string[];
  limits: number[];
}

type HitCommand = (...args: Array<string | number>) => Promise<number[]>;

/** How long a request waits for Redis's count before this process counts on its own. */
const REDIS_ANSWER_MS = 1000;

/**
 * The same fixed windows in this process's memory, for while Redis cannot be reached: each process then
 * allows the limit on its own (a looser but still finite throttle). Windows are dropped as they end.
 */
export class MemoryWindows {
  private readonly counts = new Map<string, { count: number; endsAt: number }>();
  private nextPrune = 0;

  hit(keys: string[], limits: number[], now = Date.now()): [number, number] {
    if (now >= this.nextPrune) {
      for (const [key, window] of this.counts) if (window.endsAt <= now) this.counts.delete(key);
      this.nextPrune = now + WINDOW_MS;
    }
    let over = 0;
    let wait = 0;
    keys.forEach((key, i) => {
      let window = this.counts.get(key);
      if (!window || window.endsAt <= now) this.counts.set(key, (window = { count: 0, endsAt: now + WINDOW_MS }));
      window.count += 1;
      if (window.count > limits[i]) {
        over = 1;
        wait = Math.max(wait, window.endsAt - now);
      }
    });
    return [over, wait];
  }
}

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
  private readonly memory = new MemoryWindows();
  /** Requests that arrive together are counted in one script call: one Redis round trip, not one each. */
  private readonly hits = new TickBatch<Hit, [number, number]>((batch) => this.hitAll(batch));

  constructor(
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly redis: RedisService,
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
    const [over, waitMs] = await this.count(keys, limits);
    if (over === 1) {
      const seconds = Math.max(1, Math.ceil(waitMs / 1000));
      context.switchToHttp().getResponse<FastifyReply>().header('Retry-After', String(seconds));
      throw new DomainError('TOO_MANY_REQUESTS', `アクセスが集中しています。${seconds}秒ほど待ってからもう一度お試しください`, {
        retryAfterSeconds: seconds,
      });
    }
    return true;
  }

  /** Redis's count when it answers at once; else (down, reconnecting, slow) this process's own. */
  private async count(keys: string[], limits: number[]): Promise<[number, number]> {
    if (this.redis.answersNow()) {
      try {
        return await this.hits.add({ keys, limits });
      } catch (error) {
        this.logger.warn(`throttle counted in memory, Redis unavailable: ${(error as Error).message}`);
      }
    }
    return this.memory.hit(keys, limits);
  }

  private async hitAll(batch: Hit[]): Promise<Array<[number, number]>> {
    const keys = batch.flatMap((hit) => hit.keys);
    const counts = batch.flatMap((hit) => [hit.keys.length, ...hit.limits]);
    const answers = await withTimeout(this.hit(keys.length, ...keys, WINDOW_MS, ...counts), REDIS_ANSWER_MS, 'throttle');
    return batch.map((_, i) => [answers[2 * i], answers[2 * i + 1]]);
  }
}
