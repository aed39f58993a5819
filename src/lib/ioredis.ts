/**
 * ioredis, loaded on first use: a process without REDIS_URL never loads it (≈ 20 MiB of resident
 * memory at rest). Import its types with `import type` and construct through `loadRedis()`.
 */
import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';

const require = createRequire(import.meta.url);

export function loadRedis(): typeof Redis {
  return (require('ioredis') as { Redis: typeof Redis }).Redis;
}
