import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RedisConnection } from './connection.js';

/**
 * A rate limiter (rate-limiter-flexible) counted across instances in Redis when there is one, with a limiter in
 * this instance's memory as insurance while Redis cannot be reached; in memory alone otherwise.
 */
export function rateLimiter(o: { points: number; duration: number; keyPrefix: string }, redis?: RedisConnection): RateLimiterAbstract {
  const memory = new RateLimiterMemory({ points: o.points, duration: o.duration });
  if (!redis) return memory;
  return new RateLimiterRedis({ storeClient: redis.client, points: o.points, duration: o.duration, keyPrefix: `osce:limit:${o.keyPrefix}`, insuranceLimiter: memory });
}
