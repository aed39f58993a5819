import { expect } from 'chai';
import { Redis } from 'ioredis';
import { MemoryRateLimiter, type RateLimiter } from '../../src/lib/rateLimiter.ts';
import { RedisRateLimiter } from '../../src/lib/redisRateLimiter.ts';
import { createLogger } from '../../src/logger.ts';

function behaves(name: string, make: () => Promise<{ limiter: RateLimiter; done: () => Promise<void> }>) {
  describe(`${name} rate limiter`, () => {
    let limiter: RateLimiter;
    let done: () => Promise<void>;
    before(async () => ({ limiter, done } = await make()));
    after(() => done());

    it('counts hits per key within the window', async () => {
      const key = `k-${Math.random()}`;
      expect((await limiter.peek(key, 60)).count).to.equal(0);
      for (let i = 1; i <= 3; i++) expect((await limiter.hit(key, 60)).count).to.equal(i);
      const peek = await limiter.peek(key, 60);
      expect(peek.count).to.equal(3);
      expect(peek.retryAfter).to.be.within(1, 60);
      expect((await limiter.peek(`other-${key}`, 60)).count).to.equal(0);
      await limiter.reset(key);
      expect((await limiter.peek(key, 60)).count).to.equal(0);
    });

    it('counts concurrent hits exactly', async () => {
      const key = `c-${Math.random()}`;
      const results = await Promise.all(Array.from({ length: 50 }, () => limiter.hit(key, 60)));
      expect(results.map((r) => r.count).sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 50 }, (_, i) => i + 1));
    });
  });
}

behaves('memory', async () => ({ limiter: new MemoryRateLimiter(), done: async () => {} }));

if (process.env.TEST_REDIS_URL) {
  behaves('Redis', async () => {
    const redis = new Redis(process.env.TEST_REDIS_URL!, { lazyConnect: false, maxRetriesPerRequest: 1 });
    return { limiter: new RedisRateLimiter(redis, createLogger('silent'), `md:test:${process.pid}:`), done: async () => void redis.disconnect() };
  });

  describe('Redis rate limiter across clients', () => {
    it('shares counts between two clients (processes)', async () => {
      const a = new Redis(process.env.TEST_REDIS_URL!);
      const b = new Redis(process.env.TEST_REDIS_URL!);
      const prefix = `md:test:shared:${process.pid}:`;
      const la = new RedisRateLimiter(a, createLogger('silent'), prefix);
      const lb = new RedisRateLimiter(b, createLogger('silent'), prefix);
      await la.hit('login:user:x', 60);
      await lb.hit('login:user:x', 60);
      expect((await la.peek('login:user:x', 60)).count).to.equal(2);
      await la.reset('login:user:x');
      a.disconnect();
      b.disconnect();
    });

    it('fails open (and does not throw) when Redis is unreachable', async () => {
      const dead = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
      const limiter = new RedisRateLimiter(dead, createLogger('silent'));
      expect((await limiter.hit('x', 60)).count).to.equal(0);
      expect((await limiter.peek('x', 60)).count).to.equal(0);
      dead.disconnect();
    });
  });
} else {
  describe('Redis rate limiter', () => {
    it('needs TEST_REDIS_URL (set by .ci/run); not configured here', function () {
      if (process.env.CI) throw new Error('CI must set TEST_REDIS_URL');
      this.skip();
    });
  });
}
