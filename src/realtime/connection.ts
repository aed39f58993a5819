/**
 * One authenticated socket: its peer id, its subscriptions, its limits (rate, send buffer, token
 * lifetime) and a queue that handles its messages one at a time, in arrival order.
 */
import crypto from 'node:crypto';
import { WebSocket } from 'ws';
import type { UserTokenScope } from '../auth/tokens.ts';
import { CloseCode, withRef, WsError, type ServerMessage } from './protocol.ts';
import { TokenBucket } from './tokenBucket.ts';

export interface ConnectionLimits {
  rateLimit: { perSecond: number; burst: number };
  maxBufferedBytes: number;
}

/** What to do with an incoming frame under the rate limit. */
export type Admission = 'accept' | 'throttle' | 'drop' | 'flood';

export class Connection {
  /** Server-assigned, unguessable, one per socket: two tabs of one user are two peers. */
  readonly peer = crypto.randomBytes(9).toString('base64url');
  /** Channels this socket receives (its rooms included). */
  readonly channels = new Set<string>();
  /** Cleared by every heartbeat ping, set again by the pong. */
  alive = true;
  /** The scope of the socket's token, fixed for its life (a renewal must keep it). */
  scope: UserTokenScope = 'full';
  /** The session of a `room` token. */
  roomSession: number | null = null;
  #expiresAt = 0;
  #expiryTimer: NodeJS.Timeout | undefined;
  #queue: Promise<void> = Promise.resolve();
  readonly #bucket: TokenBucket;
  /** Frames refused since the last accepted one. */
  #refused = 0;
  #closing = false;

  constructor(
    readonly ws: WebSocket,
    readonly userId: number,
    expiresAtSeconds: number,
    private readonly limits: ConnectionLimits,
    /** Called with anything a queued task throws (the queue itself keeps going). */
    private readonly onTaskError: (err: unknown) => void,
  ) {
    this.#bucket = new TokenBucket(limits.rateLimit.perSecond, limits.rateLimit.burst);
    this.setExpiry(expiresAtSeconds);
  }

  get expiresAt(): Date {
    return new Date(this.#expiresAt * 1000);
  }

  get open(): boolean {
    return !this.#closing && this.ws.readyState === WebSocket.OPEN;
  }

  /** (Re)arms the close at token expiry (`exp`, in seconds). */
  setExpiry(expiresAtSeconds: number): void {
    this.#expiresAt = expiresAtSeconds;
    clearTimeout(this.#expiryTimer);
    const delay = Math.max(0, expiresAtSeconds * 1000 - Date.now());
    this.#expiryTimer = setTimeout(() => this.close(CloseCode.tokenExpired, 'access token expired'), delay);
    this.#expiryTimer.unref();
  }

  /**
   * The token bucket's verdict on a new frame. The first refusal of a burst is answered with a
   * `rate_limited` error; later ones are dropped (the client was told); a client that keeps
   * sending as much again as its whole burst while refused is flooding and gets closed.
   */
  admit(): Admission {
    if (this.#bucket.take()) {
      this.#refused = 0;
      return 'accept';
    }
    this.#refused += 1;
    if (this.#refused === 1) return 'throttle';
    return this.#refused > this.limits.rateLimit.burst ? 'flood' : 'drop';
  }

  /**
   * Sends a message (an object, or one already serialised for many sockets). A socket whose unsent
   * data passed the cap is closed rather than allowed to grow without bound.
   */
  send(message: ServerMessage | string): void {
    if (!this.open) return;
    if (this.ws.bufferedAmount > this.limits.maxBufferedBytes) {
      this.close(CloseCode.slowConsumer, 'slow consumer: send buffer full');
      return;
    }
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  sendError(error: WsError, ref?: string): void {
    this.send({ type: 'error', code: error.code, message: error.message, ...withRef(ref), ...error.extra });
  }

  /** Runs `task` after every task queued before it. */
  enqueue(task: () => Promise<void>): void {
    this.#queue = this.#queue.then(() => task().catch(this.onTaskError));
  }

  /** Resolves once every queued task has run. */
  idle(): Promise<void> {
    return this.#queue;
  }

  close(code: number, reason: string): void {
    if (this.#closing) return;
    this.#closing = true;
    clearTimeout(this.#expiryTimer);
    this.ws.close(code, reason);
  }

  /** Cuts a socket that stopped answering (no close handshake possible). */
  terminate(): void {
    this.#closing = true;
    clearTimeout(this.#expiryTimer);
    this.ws.terminate();
  }

  /** Releases the timer once the socket is gone. */
  dispose(): void {
    this.#closing = true;
    clearTimeout(this.#expiryTimer);
  }
}
