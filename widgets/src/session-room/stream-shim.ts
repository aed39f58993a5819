/**
 * The part of Node's `stream.Duplex` that simple-peer 9 uses, in place of readable-stream (which
 * brings `buffer`, `events`, `process` and ~25 KiB gzip with it). esbuild aliases `readable-stream`
 * to this file in the session-room bundle only (scripts/build-widgets.ts).
 *
 * What simple-peer relies on, and all this does:
 * - an event emitter (`on`, `once`, `removeListener`, `emit`; an `error` nobody listens to throws);
 * - `push(chunk)` delivers a data channel message as a `data` event (the room listens before the
 *   channel opens, so there is no paused mode or buffering), `push(null)` ends the readable side
 *   (`end` event, `_readableState.ended`);
 * - `write()` hands a chunk to simple-peer's `_write` (the room sends with `send()` instead),
 *   `end()` finishes the writable side (`finish` event, `_writableState.finished`), which is how
 *   simple-peer learns to close the connection.
 * Chunks are passed as they are: a string message stays a string (simple-peer is created with
 * `objectMode: true`), binary arrives as the `Uint8Array` of ./buffer-shim.ts.
 */
type Listener = ((...args: unknown[]) => void) & { listener?: Listener };

export class EventEmitter {
  #listeners = new Map<string | symbol, Listener[]>();

  on(event: string | symbol, listener: Listener): this {
    this.#listeners.set(event, [...(this.#listeners.get(event) ?? []), listener]);
    return this;
  }

  addListener(event: string | symbol, listener: Listener): this {
    return this.on(event, listener);
  }

  once(event: string | symbol, listener: Listener): this {
    const once: Listener = (...args) => {
      this.removeListener(event, once);
      listener.apply(this, args);
    };
    once.listener = listener;
    return this.on(event, once);
  }

  removeListener(event: string | symbol, listener: Listener): this {
    const left = (this.#listeners.get(event) ?? []).filter((l) => l !== listener && l.listener !== listener);
    if (left.length) this.#listeners.set(event, left);
    else this.#listeners.delete(event);
    return this;
  }

  off(event: string | symbol, listener: Listener): this {
    return this.removeListener(event, listener);
  }

  removeAllListeners(event?: string | symbol): this {
    if (event === undefined) this.#listeners.clear();
    else this.#listeners.delete(event);
    return this;
  }

  listenerCount(event: string | symbol): number {
    return this.#listeners.get(event)?.length ?? 0;
  }

  emit(event: string | symbol, ...args: unknown[]): boolean {
    const listeners = this.#listeners.get(event);
    if (!listeners?.length) {
      if (event === 'error') throw args[0] instanceof Error ? args[0] : new Error(`Unhandled error: ${String(args[0])}`);
      return false;
    }
    for (const listener of [...listeners]) listener.apply(this, args);
    return true;
  }
}

type WriteCallback = (error?: Error | null) => void;

export class Duplex extends EventEmitter {
  readable = true;
  writable = true;
  readonly _readableState = { ended: false };
  readonly _writableState = { finished: false };

  // Node's options (allowHalfOpen, objectMode, highWaterMark…) change nothing here.
  constructor(_options?: unknown) {
    super();
  }

  /** Called by Node when the consumer wants more; data here is pushed as it comes. */
  _read(): void {}

  _write(_chunk: unknown, _encoding: string, callback: WriteCallback): void {
    callback();
  }

  push(chunk: unknown): boolean {
    if (chunk === null) {
      if (!this._readableState.ended) {
        this._readableState.ended = true;
        queueMicrotask(() => this.emit('end'));
      }
      return false;
    }
    if (this._readableState.ended) return false;
    this.emit('data', chunk);
    return true;
  }

  write(chunk: unknown, encoding?: string | WriteCallback, callback?: WriteCallback): boolean {
    if (typeof encoding === 'function') [callback, encoding] = [encoding, undefined];
    if (this._writableState.finished) {
      const error = new Error('write after end');
      queueMicrotask(() => (callback ? callback(error) : this.emit('error', error)));
      return false;
    }
    this._write(chunk, encoding ?? 'utf8', (error) => {
      if (error) this.emit('error', error);
      callback?.(error);
    });
    return true;
  }

  end(chunk?: unknown): this {
    if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') this.write(chunk);
    if (!this._writableState.finished) {
      this._writableState.finished = true;
      queueMicrotask(() => this.emit('finish'));
    }
    return this;
  }
}
