/**
 * Per-connection message rate limit: a token bucket holding up to `burst` tokens, refilled at
 * `perSecond`. Two numbers per socket, refilled lazily on use (no timers).
 */
export class TokenBucket {
  #tokens: number;
  #updatedAt: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    now = performance.now(),
  ) {
    this.#tokens = burst;
    this.#updatedAt = now;
  }

  /** Takes `cost` tokens (one message, or a number of bytes); false when there are not enough. */
  take(now = performance.now(), cost = 1): boolean {
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#updatedAt) / 1000) * this.perSecond);
    this.#updatedAt = now;
    if (this.#tokens < cost) return false;
    this.#tokens -= cost;
    return true;
  }
}
