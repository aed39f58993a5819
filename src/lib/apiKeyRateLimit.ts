/**
 * The per-key request limit of API keys (rate-limiter-flexible): in memory for one process, in
 * Redis when REDIS_URL is set so that every process counts against the same budget. If Redis
 * fails, each process falls back to its own memory count rather than refusing every call.
 */
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config } from '../config.ts';

export type ApiKeyLimiter = RateLimiterAbstract;

/** Counters live under the deployment's Redis prefix (WS_REDIS_PREFIX), as the hub's keys do. */
export function createApiKeyLimiter(config: Pick<Config, 'apiKeyRateLimit' | 'ws'>, redis?: Redis): ApiKeyLimiter {
  const limit = config.apiKeyRateLimit;
  const options = { points: limit.max, duration: limit.windowSeconds, keyPrefix: `${config.ws.redisPrefix}apikey` };
  const memory = new RateLimiterMemory(options);
  if (!redis) return memory;
  return new RateLimiterRedis({ ...options, storeClient: redis, insuranceLimiter: new RateLimiterMemory(options) });
}

/** Seconds until the key may call again, or 0 when this call is within the limit. */
export async function consumeApiKeyCall(limiter: ApiKeyLimiter, keyId: number): Promise<number> {
  try {
    await limiter.consume(String(keyId));
    return 0;
  } catch (res) {
    if (res instanceof RateLimiterRes) return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
    throw res;
  }
}
