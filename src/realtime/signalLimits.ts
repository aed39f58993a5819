/**
 * Byte limits on relayed `signal`s, so a room member cannot disconnect others by flooding them
 * with large signals (each within the message rate): whoever fills a peer's buffer is the one
 * refused, never the peer.
 *
 * - Per sender: a byte bucket (WS_SIGNAL_BYTES_PER_SECOND, bursts of WS_SIGNAL_BURST_BYTES). The
 *   first signal over it is answered `rate_limited`, later ones are dropped until it refills; a
 *   sender that keeps going (SENDER_REFUSALS_BEFORE_CLOSE more) is closed with 1008.
 * - Per target, on the process holding the target's socket: a byte bucket for everything all its
 *   peers send it (WS_SIGNAL_TARGET_BYTES_PER_SECOND, bursts of two seconds' worth), and no signal
 *   is queued once the target's unsent data passes half of WS_MAX_BUFFERED_BYTES (the other half
 *   stays for pushes and chat). A signal refused there is dropped and its sender told `peer_busy`
 *   (at most once a second), wherever the sender is connected.
 *
 * State lives beside each socket (WeakMaps), so sockets need no extra fields.
 */
import type { Config } from '../config.ts';
import type { Connection } from './connection.ts';
import { CloseCode, WsError } from './protocol.ts';
import { TokenBucket } from './tokenBucket.ts';

/** Refused signals in a row, after the `rate_limited` answer, that close the sender. */
export const SENDER_REFUSALS_BEFORE_CLOSE = 20;

interface SenderState {
  bucket: TokenBucket;
  /** Signals refused by the sender's bucket since its last accepted one. */
  refused: number;
  /** When the sender was last told `peer_busy` (it is told at most once a second). */
  toldBusyAt: number;
}

export class SignalLimits {
  readonly #senders = new WeakMap<Connection, SenderState>();
  readonly #targets = new WeakMap<Connection, TokenBucket>();
  readonly #limit: Config['ws']['signalLimit'];
  readonly #targetBufferBytes: number;

  constructor(ws: Config['ws']) {
    this.#limit = ws.signalLimit;
    this.#targetBufferBytes = Math.floor(ws.maxBufferedBytes / 2);
  }

  /**
   * Takes `bytes` from the sender's budget. False when the signal must not be relayed: the sender
   * was answered `rate_limited` (the first time), or closed for persisting.
   */
  fromSender(conn: Connection, bytes: number): boolean {
    const state = this.#sender(conn);
    if (state.bucket.take(performance.now(), bytes)) {
      state.refused = 0;
      return true;
    }
    state.refused += 1;
    if (state.refused === 1) {
      const { bytesPerSecond, burstBytes } = this.#limit;
      conn.sendError(
        new WsError(
          'rate_limited',
          `Too many signal bytes: at most ${bytesPerSecond} per second in bursts of ${burstBytes}. Signals are dropped until the rate falls; continuing closes the socket (1008).`,
        ),
      );
    } else if (state.refused > SENDER_REFUSALS_BEFORE_CLOSE) {
      conn.close(CloseCode.policyViolation, 'signal byte rate exceeded');
    }
    return false;
  }

  /** Whether `target` can be sent `bytes` of signal now (its byte budget and its send buffer). */
  toTarget(target: Connection, bytes: number): boolean {
    if (target.ws.bufferedAmount + bytes > this.#targetBufferBytes) return false;
    let bucket = this.#targets.get(target);
    if (!bucket) {
      const perSecond = this.#limit.targetBytesPerSecond;
      this.#targets.set(target, (bucket = new TokenBucket(perSecond, Math.max(perSecond * 2, this.#limit.burstBytes))));
    }
    return bucket.take(performance.now(), bytes);
  }

  /** A signal of `sender` was refused on its target's side: tell the sender (at most once a second). */
  refusedByTarget(sender: Connection, channel: string, peer: string): void {
    const state = this.#sender(sender);
    const now = performance.now();
    if (now - state.toldBusyAt < 1000) return;
    state.toldBusyAt = now;
    sender.sendError(
      new WsError('peer_busy', `Peer "${peer}" cannot take more signals right now; signals to it are dropped. Send less, or wait.`, { channel }),
    );
  }

  #sender(conn: Connection): SenderState {
    let state = this.#senders.get(conn);
    if (!state) {
      const { bytesPerSecond, burstBytes } = this.#limit;
      this.#senders.set(conn, (state = { bucket: new TokenBucket(bytesPerSecond, burstBytes), refused: 0, toldBusyAt: -Infinity }));
    }
    return state;
  }
}
