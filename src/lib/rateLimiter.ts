/**
 * Fixed-window counters. `MemoryRateLimiter` serves one process; with REDIS_URL the app swaps in a
 * Redis-backed limiter with the same interface so several processes share the counts.
 */
export interface RateLimitResult {
  /** Hits recorded in the current window, including this one (for `hit`). */
  count: number;
  /** Seconds until the window resets. */
  retryAfter: number;
}

export interface RateLimiter {
  /** Records one hit on `key` and returns the count in the current window. */
  hit(key: string, windowSeconds: number): Promise<RateLimitResult>;
  /** The current count without recording a hit. */
  peek(key: string, windowSeconds: number): Promise<RateLimitResult>;
  reset(key: string): Promise<void>;
  close?(): Promise<void>;
}

export class MemoryRateLimiter implements RateLimiter {
  #windows = new Map<string, { count: number; resetAt: number }>();
  #lastSweep = Date.now();

  #current(key: string, windowSeconds: number, now: number) {
    this.#sweep(now);
    let w = this.#windows.get(key);
    if (!w || w.resetAt <= now) {
      w = { count: 0, resetAt: now + windowSeconds * 1000 };
      this.#windows.set(key, w);
    }
    return w;
  }

  /** Drops expired windows now and then, so idle keys cannot grow the map without bound. */
  #sweep(now: number) {
    if (now - this.#lastSweep < 60_000) return;
    this.#lastSweep = now;
    for (const [k, w] of this.#windows) if (w.resetAt <= now) this.#windows.delete(k);
  }

  async hit(key: string, windowSeconds: number): Promise<RateLimitResult> {
    const now = Date.now();
    const w = this.#current(key, windowSeconds, now);
    w.count += 1;
    return { count: w.count, retryAfter: Math.ceil((w.resetAt - now) / 1000) };
  }

  async peek(key: string, windowSeconds: number): Promise<RateLimitResult> {
    const now = Date.now();
    const w = this.#windows.get(key);
    if (!w || w.resetAt <= now) return { count: 0, retryAfter: windowSeconds };
    return { count: w.count, retryAfter: Math.ceil((w.resetAt - now) / 1000) };
  }

  async reset(key: string): Promise<void> {
    this.#windows.delete(key);
  }
}
