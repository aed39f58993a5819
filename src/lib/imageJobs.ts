/**
 * Bounds the image work (decoding and re-encoding uploads with sharp) a process does at once.
 * Each job holds a libuv thread for as long as it runs, and so do SQLite queries and file I/O: left
 * unbounded, a burst of big uploads queues every other request's database work behind it.
 *
 * - `concurrency` jobs run at once per process; up to `queueMax` more wait their turn (first come,
 *   first served); past that the upload is refused with 429 and a short Retry-After.
 * - each owner (user) has at most `perOwner` jobs running or waiting; another one is refused with
 *   429 at once, so one account cannot fill the queue.
 *
 * - `admit` is the same check made earlier, when an upload arrives and before its body is read: a
 *   caller who already has `perOwner` uploads in flight, or any caller while the queue is full, is
 *   refused with 429 without the server parsing the body or writing it to a temporary file.
 *
 * 0 for `concurrency` or `perOwner` switches that bound off. Limits are per process.
 */
import { tooManyRequests } from '../errors.ts';

export interface ImageJobLimits {
  concurrency: number;
  perOwner: number;
  queueMax: number;
}

export class ImageJobs {
  #running = 0;
  readonly #waiting: Array<() => void> = [];
  readonly #perOwner = new Map<number, number>();
  readonly #admitted = new Map<number, number>();

  constructor(private readonly limits: ImageJobLimits) {}

  /** Jobs running now and waiting for a slot (for tests and diagnostics). */
  get load(): { running: number; waiting: number } {
    return { running: this.#running, waiting: this.#waiting.length };
  }

  /** Uploads of `owner` admitted and not yet answered. */
  admitted(owner: number): number {
    return this.#admitted.get(owner) ?? 0;
  }

  /**
   * Admits an upload of `owner` before its body is read, or throws 429 when that owner already has
   * `perOwner` uploads in flight or the queue is full. Returns the release to call once answered.
   */
  admit(owner: number): () => void {
    const { concurrency, perOwner, queueMax } = this.limits;
    const mine = this.admitted(owner);
    if (perOwner > 0 && mine >= perOwner) {
      throw tooManyRequests(1, 'Another picture of yours is still being processed; send the next one when it is done.');
    }
    if (concurrency > 0 && this.#running >= concurrency && this.#waiting.length >= queueMax) {
      throw tooManyRequests(2, 'The server is busy processing pictures; try again in a moment.');
    }
    this.#admitted.set(owner, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = this.admitted(owner) - 1;
      if (left > 0) this.#admitted.set(owner, left);
      else this.#admitted.delete(owner);
    };
  }

  /** Runs `job` for `owner` within the limits, or throws 429 without running it. */
  async run<T>(owner: number, job: () => Promise<T>): Promise<T> {
    const { concurrency, perOwner, queueMax } = this.limits;
    const mine = this.#perOwner.get(owner) ?? 0;
    if (perOwner > 0 && mine >= perOwner) {
      throw tooManyRequests(1, 'Another picture of yours is still being processed; send the next one when it is done.');
    }
    const mustWait = concurrency > 0 && this.#running >= concurrency;
    if (mustWait && this.#waiting.length >= queueMax) {
      throw tooManyRequests(2, 'The server is busy processing pictures; try again in a moment.');
    }
    this.#perOwner.set(owner, mine + 1);
    try {
      if (mustWait) await new Promise<void>((resolve) => this.#waiting.push(resolve));
      else this.#running++;
      try {
        return await job();
      } finally {
        this.#release();
      }
    } finally {
      const left = (this.#perOwner.get(owner) ?? 1) - 1;
      if (left > 0) this.#perOwner.set(owner, left);
      else this.#perOwner.delete(owner);
    }
  }

  /** Hands the slot to the next waiting job (the running count stays), or frees it. */
  #release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#running--;
  }
}
