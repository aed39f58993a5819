/**
 * The widgets' client for `/ws` (protocol: README "WebSocket protocol", the `Ws*` schemas in
 * openapi.yaml, whose generated types are used here):
 *
 * - authenticates with the access token as a subprotocol (`Sec-WebSocket-Protocol: bearer, <token>`,
 *   so the token never appears in a URL) and renews it with an `auth` message before the
 *   `expires_at` the server announced, so a long-lived socket is not closed with 4001;
 * - keeps the set of channels it was asked for and subscribes again after every reconnect;
 * - detects a dead connection with application pings (a browser never sees protocol pings);
 * - reconnects with exponential backoff and full jitter; after every (re)connect the widget catches
 *   up over REST (what happened while no socket was subscribed is not replayed by the socket).
 */
import type { Schema } from './api.ts';

export type ServerMessage = Schema<'WsServerMessage'>;
export type ClientMessage = Schema<'WsClientMessage'>;
export type ConnectionState = 'online' | 'reconnecting';

export interface RealtimeOptions {
  url: string;
  /** A fresh access token for every (re)connect and renewal; null waits for the next attempt. */
  credential: () => Promise<string | null>;
  /** Closes the socket and stops reconnecting. */
  signal: AbortSignal;
  onMessage: (message: ServerMessage) => void;
  onStateChange?: (state: ConnectionState) => void;
  /**
   * The socket is (re)established and subscribed (`welcome`), the first time too: read over REST
   * whatever may have happened before pushes could reach it.
   */
  onConnected?: (info: { reconnected: boolean }) => void;
  /** The server closed the socket because the account was deactivated (4003); no reconnect. */
  onRejected?: () => void;
}

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;
/** A ping when the socket has been quiet this long; no answer within the same time is a dead socket. */
const HEARTBEAT_MS = 25_000;
/**
 * Renew the token this long before it expires (or after ¾ of a shorter remaining lifetime): later
 * than a host refreshing a minute ahead, so the provider has a new token by then.
 */
const RENEW_BEFORE_MS = 30_000;
/** A connection that lived this long was healthy: the next drop starts the backoff afresh. */
const STABLE_MS = 60_000;
const CLOSE_TOKEN_EXPIRED = 4001;
const CLOSE_ACCOUNT_DISABLED = 4003;

/** Backoff before reconnect attempt `n` (0-based): random in [0, min(cap, base·2ⁿ)] ("full jitter"). */
export function backoffDelay(attempt: number, random = Math.random): number {
  return Math.round(random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt));
}

export class RealtimeClient {
  readonly #options: RealtimeOptions;
  readonly #channels = new Set<string>();
  #socket: WebSocket | null = null;
  #connecting = false;
  #attempt = 0;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #renewTimer: ReturnType<typeof setTimeout> | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #lastHeard = 0;
  #pingOutstanding = false;
  #onlineSince = 0;
  /** When the socket's token expires (epoch ms), from `welcome` / `authenticated`. */
  #expiresAt = 0;
  #everOnline = false;
  #state: ConnectionState | null = null;
  #peer: string | null = null;

  constructor(options: RealtimeOptions) {
    this.#options = options;
    const { signal } = options;
    signal.addEventListener('abort', () => this.#shutdown(), { once: true });
    // Coming back online is a better moment to retry than the end of a long backoff.
    window.addEventListener('online', () => this.#reconnectNow(), { signal });
    void this.#connect();
  }

  /** This connection's peer id (from `welcome`), used in rooms; null while disconnected. */
  get peer(): string | null {
    return this.#peer;
  }

  /** Channels such as `session_12` (the user's notification channel is subscribed by the server). */
  subscribe(channel: string): void {
    if (this.#channels.has(channel)) return;
    this.#channels.add(channel);
    this.send({ type: 'subscribe', channel });
  }

  unsubscribe(channel: string): void {
    if (!this.#channels.delete(channel)) return;
    this.send({ type: 'unsubscribe', channel });
  }

  /** Replaces the subscribed channels with `channels` (e.g. the sessions now on screen). */
  setChannels(channels: Iterable<string>): void {
    const wanted = new Set(channels);
    for (const channel of [...this.#channels]) if (!wanted.has(channel)) this.unsubscribe(channel);
    for (const channel of wanted) this.subscribe(channel);
  }

  /** Sends a message if the socket is open; returns whether it was sent. */
  send(message: ClientMessage): boolean {
    if (this.#socket?.readyState !== WebSocket.OPEN) return false;
    this.#socket.send(JSON.stringify(message));
    return true;
  }

  async #connect(): Promise<void> {
    const { signal } = this.#options;
    if (this.#connecting || this.#socket || signal.aborted) return;
    this.#connecting = true;
    const token = await this.#options.credential().catch(() => null);
    this.#connecting = false;
    if (signal.aborted) return;
    if (!token) return this.#scheduleReconnect();
    const socket = new WebSocket(this.#options.url, ['bearer', token]);
    this.#socket = socket;
    socket.addEventListener('open', () => {
      this.#lastHeard = Date.now();
      this.#pingOutstanding = false;
      for (const channel of this.#channels) this.send({ type: 'subscribe', channel });
      this.#startHeartbeat(socket);
    });
    socket.addEventListener('message', (event) => this.#receive(event));
    socket.addEventListener('close', (event) => this.#closed(socket, event.code));
  }

  #receive(event: MessageEvent): void {
    this.#lastHeard = Date.now();
    this.#pingOutstanding = false;
    let message: ServerMessage;
    try {
      message = JSON.parse(String(event.data)) as ServerMessage;
    } catch {
      return; // not JSON: nothing a widget could act on
    }
    switch (message.type) {
      case 'welcome': {
        this.#peer = message.peer;
        this.#onlineSince = Date.now();
        this.#expiresAt = 0;
        this.#scheduleRenewal(message.expires_at);
        this.#setState('online');
        this.#options.onConnected?.({ reconnected: this.#everOnline });
        this.#everOnline = true;
        break;
      }
      case 'authenticated':
        this.#scheduleRenewal(message.expires_at);
        break;
      case 'unsubscribed':
        // A room membership lost while servers could not reach each other is rejoined; a channel
        // closed for good (booking cancelled, session ended) is forgotten.
        if (message.reason === 'presence_lost' && this.#channels.has(message.channel)) {
          this.send({ type: 'subscribe', channel: message.channel });
        } else if (message.reason !== 'requested') {
          this.#channels.delete(message.channel);
        }
        break;
      case 'error':
        // A renewal the server refused: a new socket authenticates with a fresh token instead.
        if (message.code === 'auth_failed') this.#socket?.close(1000, 'reauthenticating');
        // A channel the server refused for good is not asked for again after every reconnect.
        if ((message.code === 'forbidden' || message.code === 'not_found') && message.channel) {
          this.#channels.delete(message.channel);
        }
        break;
    }
    this.#options.onMessage(message);
  }

  #closed(socket: WebSocket, code: number): void {
    if (this.#socket !== socket) return;
    this.#socket = null;
    this.#peer = null;
    clearInterval(this.#heartbeat);
    clearTimeout(this.#renewTimer);
    if (this.#options.signal.aborted) return;
    if (code === CLOSE_ACCOUNT_DISABLED) {
      this.#options.onRejected?.();
      return;
    }
    // A flapping connection keeps backing off; an expired token is not a network problem.
    if (code === CLOSE_TOKEN_EXPIRED || (this.#onlineSince && Date.now() - this.#onlineSince >= STABLE_MS)) this.#attempt = 0;
    this.#onlineSince = 0;
    this.#scheduleReconnect();
  }

  #startHeartbeat(socket: WebSocket): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = setInterval(() => {
      const quiet = Date.now() - this.#lastHeard;
      if (quiet >= 2 * HEARTBEAT_MS) socket.close(4000, 'heartbeat timeout');
      else if (quiet >= HEARTBEAT_MS && !this.#pingOutstanding) this.#pingOutstanding = this.send({ type: 'ping' });
    }, HEARTBEAT_MS / 5);
  }

  /**
   * Sends `auth` with a fresh token before `expiresAt`. When the provider handed back a token that
   * expires no later than the current one (the host had not refreshed yet), it tries again sooner;
   * if nothing fresher comes, the server closes with 4001 and the reconnect gets a new token.
   */
  #scheduleRenewal(expiresAt: string): void {
    clearTimeout(this.#renewTimer);
    const expiry = new Date(expiresAt).getTime();
    const extended = expiry > this.#expiresAt;
    this.#expiresAt = expiry;
    const remaining = Math.max(0, expiry - Date.now());
    const delay = extended ? remaining - Math.min(RENEW_BEFORE_MS, remaining / 4) : Math.max(1000, remaining / 3);
    this.#renewTimer = setTimeout(async () => {
      const token = await this.#options.credential().catch(() => null);
      if (token) this.send({ type: 'auth', token });
    }, delay);
  }

  #scheduleReconnect(): void {
    this.#setState('reconnecting');
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = setTimeout(() => void this.#connect(), backoffDelay(this.#attempt++));
  }

  #reconnectNow(): void {
    if (this.#socket || this.#options.signal.aborted) return;
    clearTimeout(this.#reconnectTimer);
    void this.#connect();
  }

  #setState(state: ConnectionState): void {
    if (this.#state === state) return;
    // Before the first successful connection there is nothing to "re"connect: stay quiet.
    if (state === 'reconnecting' && !this.#everOnline) return;
    this.#state = state;
    this.#options.onStateChange?.(state);
  }

  #shutdown(): void {
    clearTimeout(this.#reconnectTimer);
    clearTimeout(this.#renewTimer);
    clearInterval(this.#heartbeat);
    const socket = this.#socket;
    this.#socket = null;
    socket?.close(1000, 'widget disconnected');
  }
}
