/**
 * Fixed-window counters in Redis, shared by every server process (used when REDIS_URL is set).
 * One Lua script per hit makes INCR and the window's expiry atomic. If Redis is unreachable the
 * limiter fails open for that call (logged): a Redis outage must not lock every user out.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import type { RateLimiter, RateLimitResult } from './rateLimiter.ts';

const HIT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
return { n, ttl }
`;

export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
    private readonly prefix = 'md:rl:',
  ) {}

  async hit(key: string, windowSeconds: number): Promise<RateLimitResult> {
    try {
      const [count, ttl] = (await this.redis.eval(HIT, 1, this.prefix + key, windowSeconds * 1000)) as [number, number];
      return { count, retryAfter: Math.max(1, Math.ceil((ttl > 0 ? ttl : windowSeconds * 1000) / 1000)) };
    } catch (err) {
      this.logger.warn({ err }, 'rate limiter: redis unavailable, allowing the request');
      return { count: 0, retryAfter: windowSeconds };
    }
  }

  async peek(key: string, windowSeconds: number): Promise<RateLimitResult> {
    try {
      const [value, ttl] = await Promise.all([this.redis.get(this.prefix + key), this.redis.pttl(this.prefix + key)]);
      return { count: Number(value ?? 0), retryAfter: Math.max(1, Math.ceil((ttl > 0 ? ttl : windowSeconds * 1000) / 1000)) };
    } catch (err) {
      this.logger.warn({ err }, 'rate limiter: redis unavailable, allowing the request');
      return { count: 0, retryAfter: windowSeconds };
    }
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(this.prefix + key).catch(() => undefined);
  }
}
