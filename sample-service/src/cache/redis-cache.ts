// The Cache port on Redis (ioredis).
import type { Redis } from 'ioredis';
import type { Cache } from '../ports.js';

export function createRedisCache(redis: Redis, keyPrefix = 'sample-service:'): Cache {
  return {
    get: (key) => redis.get(keyPrefix + key),
    async set(key, value, ttlSeconds) {
      await redis.set(keyPrefix + key, value, 'EX', ttlSeconds);
    },
    async delete(key) {
      await redis.del(keyPrefix + key);
    },
  };
}
