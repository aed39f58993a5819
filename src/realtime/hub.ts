/**
 * The WebSocket hub (`/ws`), attached to the HTTP server next to the Koa app.
 *
 * - Upgrade: Origin, access token and account are checked in the HTTP `upgrade` event, before any
 *   handshake (refusals are problem+json answers, upgrade.ts); `ws` runs with `noServer`.
 * - Sockets: each is a `Connection` with a server-assigned peer id, a token bucket, a send-buffer
 *   cap and a timer closing it when its access token expires (unless renewed in-band with `auth`).
 *   Its messages are validated against the `Ws*` schemas of openapi.yaml and handled one at a time.
 * - Channels: `notifications_{user}` (joined on connect), `session_{id}`, `room_{id}`
 *   (rooms.ts), each authorised on subscribe (channels.ts), again once registered, and whenever a
 *   right may have ended (access.ts). Sockets of a signed-out login are closed (families.ts).
 * - Pushes: domain events after COMMIT, rendered by the REST presenters (pushes.ts).
 * - Processes: everything goes through a `Backend` (backend.ts): in memory by default, Redis
 *   pub/sub and presence with REDIS_URL (redisBackend.ts).
 * - Health: a heartbeat pings every socket and terminates those that did not answer the previous
 *   ping; `close()` (SIGTERM) lets in-flight work finish, then closes every socket with 1001.
 *
 * The protocol is documented in the README ("WebSocket protocol").
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { tokenScope, type AccessClaims } from '../auth/tokens.ts';
import { ApiError, notFound, serviceUnavailable, toApiError, unauthorized } from '../errors.ts';
import { redactUrl } from '../logger.ts';
import { User } from '../models/index.ts';
import { roomWindowSettings } from '../views/roomWindow.ts';
import type { Deps } from '../types.ts';
import { createLocalBackend, type Backend, type Envelope } from './backend.ts';
import { reauthorize, stillReaders } from './access.ts';
import { authorizeChannel, authorizeChannelScope, notificationsChannel, parseChannel, type Channel } from './channels.ts';
import { Connection } from './connection.ts';
import { CloseCode, ClientMessageValidator, withRef, WsError, type ClientMessage } from './protocol.ts';
import { createPushes } from './pushes.ts';
import { createRedisBackend } from './redisBackend.ts';
import { SocketFamilies } from './families.ts';
import { Rooms } from './rooms.ts';
import { SignalLimits } from './signalLimits.ts';
import { BEARER_PROTOCOL, rejectUpgrade, verifyUpgrade } from './upgrade.ts';

export interface RealtimeHub {
  /** Lets in-flight work finish, closes every socket with 1001 and stops listening for upgrades. */
  close(): Promise<void>;
}

/** Subscriptions one socket may hold (its rooms included). */
export const MAX_SUBSCRIPTIONS = 100;
/** How long shutdown waits for clients to answer the 1001 close before cutting them. */
const CLOSE_HANDSHAKE_WAIT_MS = 2000;
/** Presence entries outlive this many missed heartbeats. */
const PRESENCE_TTL_HEARTBEATS = 3;

type MessageOf<T extends ClientMessage['type']> = Extract<ClientMessage, { type: T }>;
const ignore = () => {};

export function attachRealtime(server: http.Server, deps: Deps): RealtimeHub {
  return new Hub(server, deps);
}

class Hub implements RealtimeHub {
  readonly #server: http.Server;
  readonly #deps: Deps;
  readonly #wss: WebSocketServer;
  readonly #validator: ClientMessageValidator;
  readonly #backend: Backend;
  readonly #rooms: Rooms;
  readonly #families: SocketFamilies;
  readonly #connections = new Set<Connection>();
  readonly #byUser = new Map<number, Set<Connection>>();
  /** Upgrades of each user still being checked (they count towards the connection cap). */
  readonly #pendingByUser = new Map<number, number>();
  /** Sockets receiving each notifications_ and session_ channel (rooms keep their own). */
  readonly #subscribers = new Map<string, Set<Connection>>();
  /** Channels received from other processes, with how many holders need each. */
  readonly #listening = new Map<string, { holders: number; ready: Promise<void> }>();
  /** Work shutdown must wait for: pushes being rendered, upgrades being checked, socket cleanup. */
  readonly #inflight = new Set<Promise<void>>();
  readonly #heartbeat: NodeJS.Timeout;
  #beating = false;
  readonly #unsubscribeEvents: () => void;
  #closing: Promise<void> | undefined;

  constructor(server: http.Server, deps: Deps) {
    this.#server = server;
    this.#deps = deps;
    const { config, logger } = deps;
    this.#validator = new ClientMessageValidator(deps.spec);
    this.#wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: config.ws.maxPayloadBytes,
      // Only `bearer` is ever selected: the token offered next to it must not be echoed back.
      handleProtocols: (protocols) => (protocols.has(BEARER_PROTOCOL) ? BEARER_PROTOCOL : false),
    });
    this.#backend = config.redisUrl
      ? createRedisBackend(
          {
            url: config.redisUrl,
            prefix: config.ws.redisPrefix,
            presenceTtlMs: config.ws.heartbeatMs * PRESENCE_TTL_HEARTBEATS,
            logger,
          },
          (channel, envelope) => this.#deliver(channel, envelope),
        )
      : createLocalBackend();
    this.#rooms = new Rooms({
      db: deps.db,
      events: deps.events,
      logger,
      presence: this.#backend.presence,
      window: roomWindowSettings(config),
      acquire: (channel) => this.#acquire(channel),
      release: (channel) => this.#release(channel),
      dispatch: (channel, envelope, where) => this.#dispatch(channel, envelope, where),
      signals: new SignalLimits(config.ws),
    });
    this.#families = new SocketFamilies(deps.revocations);
    const pushes = createPushes({
      db: deps.db,
      window: roomWindowSettings(config),
      dispatch: (channel, envelope) => this.#dispatch(channel, envelope),
      audience: (channel) => this.#audience(channel),
      readyLeadMinutes: deps.config.readyLeadMinutes,
    });
    this.#unsubscribeEvents = deps.events.subscribe((event) => {
      const work = pushes(event);
      if (work) this.#track(work, `push of ${event.type} failed`);
    });
    server.on('upgrade', this.#onUpgrade);
    this.#heartbeat = setInterval(() => this.#beat(), config.ws.heartbeatMs);
    this.#heartbeat.unref();
  }

  close(): Promise<void> {
    return (this.#closing ??= this.#shutdown());
  }

  // ------------------------------------------------------------------ upgrade

  readonly #onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/ws' && url.pathname !== '/ws/') {
      // Another upgrade listener may own this path; with none, nobody would ever answer it.
      if (this.#server.listenerCount('upgrade') === 1) rejectUpgrade(socket, notFound('WebSocket endpoint'), url.pathname);
      return;
    }
    // The client may hang up while the account is being loaded.
    socket.on('error', ignore);
    const deadline = this.#upgradeDeadline(socket, url.pathname);
    this.#track(
      this.#admit(req, socket, head, url).finally(() => clearTimeout(deadline)),
      'websocket upgrade failed',
    );
  };

  /** An upgrade still being checked after WS_UPGRADE_TIMEOUT_MS is refused (503) and cut. */
  #upgradeDeadline(socket: Duplex, path: string): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.#deps.logger.warn({ ms: this.#deps.config.ws.upgradeTimeoutMs }, 'websocket upgrade timed out');
      rejectUpgrade(socket, serviceUnavailable('The WebSocket could not be opened in time; retry with backoff.'), path);
    }, this.#deps.config.ws.upgradeTimeoutMs);
    timer.unref();
    return timer;
  }

  async #admit(req: http.IncomingMessage, socket: Duplex, head: Buffer, url: URL): Promise<void> {
    const { config, tokens, db, logger } = this.#deps;
    let reservedFor: number | undefined;
    try {
      if (this.#closing) throw serviceUnavailable('The server is shutting down; reconnect with backoff.');
      const claims = verifyUpgrade(req, url, config, tokens);
      this.#families.assertNotRevoked(claims);
      const userId = Number(claims.sub);
      const cap = config.ws.maxConnectionsPerUser;
      if ((this.#byUser.get(userId)?.size ?? 0) + (this.#pendingByUser.get(userId) ?? 0) >= cap) {
        throw new ApiError(429, 'too_many_connections', 'Too many requests', `At most ${cap} open WebSockets per user; close one first.`, {
          headers: { 'Retry-After': '5' },
        });
      }
      reservedFor = userId;
      this.#pendingByUser.set(userId, (this.#pendingByUser.get(userId) ?? 0) + 1);
      const user = await User.query(db).findById(userId);
      if (!user || !user.is_active) throw unauthorized('This account is not available.', 'account_unavailable');
      if (this.#closing) throw serviceUnavailable('The server is shutting down; reconnect with backoff.');
      // Gone, or already refused (the upgrade deadline passed).
      if (socket.destroyed || socket.writableEnded) return;
      socket.off('error', ignore);
      // `ws` completes the handshake synchronously here (there is no verifyClient).
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#open(ws, user, claims, req));
    } catch (err) {
      const error = toApiError(err);
      if (!error) logger.error({ err }, 'websocket upgrade failed');
      const answer = error ?? serviceUnavailable('WebSockets cannot be opened right now; retry with backoff.');
      logger.debug({ status: answer.status, code: answer.code, url: redactUrl(req.url ?? '') }, 'websocket refused');
      rejectUpgrade(socket, answer, url.pathname);
    } finally {
      if (reservedFor !== undefined) this.#unreserve(reservedFor);
    }
  }

  #unreserve(userId: number): void {
    const left = (this.#pendingByUser.get(userId) ?? 1) - 1;
    if (left > 0) this.#pendingByUser.set(userId, left);
    else this.#pendingByUser.delete(userId);
  }

  // ------------------------------------------------------------------ sockets

  #open(ws: WebSocket, user: User, claims: AccessClaims, req: http.IncomingMessage): void {
    const conn = new Connection(ws, user.id, claims.exp, this.#deps.config.ws, this.#onTaskError);
    conn.scope = tokenScope(claims);
    conn.roomSession = claims.sid ?? null;
    this.#connections.add(conn);
    let mine = this.#byUser.get(user.id);
    if (!mine) this.#byUser.set(user.id, (mine = new Set()));
    mine.add(conn);
    this.#families.track(conn, claims);
    this.#deps.logger.debug({ user: user.id, peer: conn.peer, url: redactUrl(req.url ?? '') }, 'websocket opened');
    this.#listen(conn);
    conn.enqueue(() => this.#welcome(conn));
  }

  /**
   * The socket's event handlers. Kept apart from `#open` so their closures hold the connection
   * only, not the user record or the request (10,000 idle sockets would keep them all alive).
   */
  #listen(conn: Connection): void {
    const { ws } = conn;
    ws.on('message', (data, isBinary) => this.#onFrame(conn, data, isBinary));
    ws.on('pong', () => {
      conn.alive = true;
    });
    ws.on('error', (err) => this.#deps.logger.debug({ peer: conn.peer, reason: err.message }, 'websocket error'));
    ws.once('close', (code) => this.#onClose(conn, code));
  }

  async #welcome(conn: Connection): Promise<void> {
    const own = notificationsChannel(conn.userId);
    // Held for the socket's whole life, so `close` envelopes reach it even if it unsubscribes.
    await this.#acquire(own);
    // A `room` token hears nothing but its room (the close envelopes still reach it, by user).
    const channels = conn.scope === 'room' ? [] : [own];
    if (channels.length) this.#addSubscriber(conn, own);
    // A deactivation committed since the upgrade's check, before this channel was received from
    // other processes, is seen now (one committed later closes the socket through the channel).
    const user = await User.query(this.#deps.db).findById(conn.userId);
    if (!user?.is_active) return conn.close(CloseCode.accountDisabled, 'account deactivated');
    conn.send({ type: 'welcome', peer: conn.peer, user: conn.userId, channels, expires_at: conn.expiresAt.toISOString() });
  }

  readonly #onTaskError = (err: unknown): void => this.#deps.logger.error({ err }, 'websocket task failed');

  #onFrame(conn: Connection, data: RawData, isBinary: boolean): void {
    const { perSecond, burst } = this.#deps.config.ws.rateLimit;
    switch (conn.admit()) {
      case 'flood':
        conn.close(CloseCode.policyViolation, 'message rate exceeded');
        return;
      case 'throttle':
        conn.sendError(
          new WsError(
            'rate_limited',
            `Too many messages: at most ${perSecond} per second in bursts of ${burst}. Messages are dropped until the rate falls; continuing closes the socket (1008).`,
          ),
        );
        return;
      case 'drop':
        return;
      case 'accept':
        conn.enqueue(() => this.#handle(conn, isBinary ? null : rawText(data)));
    }
  }

  #onClose(conn: Connection, code: number): void {
    conn.dispose();
    this.#connections.delete(conn);
    this.#families.untrack(conn);
    const mine = this.#byUser.get(conn.userId);
    mine?.delete(conn);
    if (mine?.size === 0) this.#byUser.delete(conn.userId);
    this.#deps.logger.debug({ user: conn.userId, peer: conn.peer, code }, 'websocket closed');
    // Queued behind whatever the socket was doing (a join in progress is completed, then undone).
    conn.enqueue(async () => {
      for (const channel of [...conn.channels]) {
        const { kind, id } = parseChannel(channel);
        if (kind === 'room') await this.#rooms.leave(conn, id, 'closed');
        else this.#removeSubscriber(conn, channel);
      }
      this.#release(notificationsChannel(conn.userId));
    });
    this.#track(conn.idle(), 'websocket cleanup failed');
  }

  // ------------------------------------------------------------------ messages

  async #handle(conn: Connection, raw: string | null): Promise<void> {
    if (raw === null) {
      conn.sendError(new WsError('invalid_message', 'Binary frames are not accepted: send JSON as text frames.'));
      return;
    }
    const parsed = this.#validator.parse(raw);
    if (!parsed.ok) {
      conn.sendError(parsed.error, parsed.ref);
      return;
    }
    const message = parsed.message;
    try {
      await this.#route(conn, message);
    } catch (err) {
      conn.sendError(this.#asWsError(err), message.id);
    }
  }

  async #route(conn: Connection, message: ClientMessage): Promise<void> {
    switch (message.type) {
      case 'ping':
        conn.send({ type: 'pong', ...withRef(message.id) });
        return;
      case 'auth':
        return this.#reauthenticate(conn, message);
      case 'subscribe':
        return this.#subscribe(conn, message);
      case 'unsubscribe':
        return this.#unsubscribe(conn, message);
      case 'signal':
        return this.#rooms.signal(conn, message);
      case 'chat':
        return this.#rooms.chat(conn, await this.#activeUser(conn), message);
    }
  }

  /** Errors thrown by services and policies, as protocol errors. */
  #asWsError(err: unknown): WsError {
    if (err instanceof WsError) return err;
    const api = toApiError(err);
    if (api?.status === 400) {
      return new WsError('invalid_message', api.detail, { errors: api.errors?.map((e) => ({ path: e.path, message: e.message })) });
    }
    if (api?.status === 403) return new WsError('forbidden', api.detail);
    if (api?.status === 404) return new WsError('not_found', api.detail);
    this.#deps.logger.error({ err }, 'websocket message failed');
    return new WsError('internal_error', 'The message could not be processed.');
  }

  /** The socket's user, reloaded so a deactivation bites at once (the socket is then closed). */
  async #activeUser(conn: Connection): Promise<User> {
    const user = await User.query(this.#deps.db).findById(conn.userId);
    if (user?.is_active) return user;
    conn.close(CloseCode.accountDisabled, 'account deactivated');
    throw new WsError('forbidden', 'This account is not available.');
  }

  async #reauthenticate(conn: Connection, message: MessageOf<'auth'>): Promise<void> {
    let claims: AccessClaims;
    try {
      claims = this.#deps.tokens.verifyAccess(message.token);
    } catch {
      throw new WsError('auth_failed', 'The token is invalid or expired; the current one stays in force.');
    }
    if (claims.sub !== String(conn.userId)) {
      throw new WsError('auth_failed', 'The token belongs to another user; open a new socket to change user.');
    }
    if (tokenScope(claims) !== conn.scope || (claims.sid ?? null) !== conn.roomSession) {
      throw new WsError('insufficient_scope', `This socket was opened with a ${conn.scope} token; renew it with a token of the same scope, or open a new socket.`);
    }
    if (this.#families.revoked(claims)) throw new WsError('auth_failed', 'This login was signed out; the current token stays in force.');
    await this.#activeUser(conn);
    this.#families.track(conn, claims);
    conn.setExpiry(claims.exp);
    conn.send({ type: 'authenticated', expires_at: conn.expiresAt.toISOString(), ...withRef(message.id) });
  }

  async #subscribe(conn: Connection, { channel: name, id }: MessageOf<'subscribe'>): Promise<void> {
    if (conn.channels.has(name)) {
      conn.send({ type: 'subscribed', channel: name, ...withRef(id) });
      return;
    }
    if (conn.channels.size >= MAX_SUBSCRIPTIONS) {
      throw new WsError('too_many_subscriptions', `A socket may hold ${MAX_SUBSCRIPTIONS} subscriptions.`, { channel: name });
    }
    const channel = parseChannel(name);
    authorizeChannelScope(conn, channel);
    const user = await this.#activeUser(conn);
    const session = await authorizeChannel(this.#deps.db, user, channel);
    if (channel.kind === 'room') return this.#rooms.join(conn, session!, user, id);
    if (channel.kind === 'session') await this.#acquire(name);
    this.#addSubscriber(conn, name);
    if (channel.kind === 'session') await this.#confirmSubscriber(conn, channel);
    conn.send({ type: 'subscribed', channel: name, ...withRef(id) });
  }

  async #unsubscribe(conn: Connection, { channel: name, id }: MessageOf<'unsubscribe'>): Promise<void> {
    if (!conn.channels.has(name)) throw new WsError('not_subscribed', `This socket is not subscribed to ${name}.`, { channel: name });
    const channel = parseChannel(name);
    if (channel.kind === 'room') {
      await this.#rooms.leave(conn, channel.id, 'requested', id);
      return;
    }
    this.#removeSubscriber(conn, name);
    conn.send({ type: 'unsubscribed', channel: name, reason: 'requested', ...withRef(id) });
  }

  // ------------------------------------------------------------------ channels

  #addSubscriber(conn: Connection, channel: string): void {
    let subscribers = this.#subscribers.get(channel);
    if (!subscribers) this.#subscribers.set(channel, (subscribers = new Set()));
    subscribers.add(conn);
    conn.channels.add(channel);
  }

  #removeSubscriber(conn: Connection, channel: string): void {
    const subscribers = this.#subscribers.get(channel);
    subscribers?.delete(conn);
    if (subscribers?.size === 0) this.#subscribers.delete(channel);
    conn.channels.delete(channel);
    if (parseChannel(channel).kind === 'session') this.#release(channel);
  }

  /** Starts receiving `channel` from other processes (first holder) and resolves once it does. */
  #acquire(channel: string): Promise<void> {
    let entry = this.#listening.get(channel);
    if (!entry) this.#listening.set(channel, (entry = { holders: 0, ready: this.#backend.broker.listen(channel) }));
    entry.holders += 1;
    return entry.ready;
  }

  #release(channel: string): void {
    const entry = this.#listening.get(channel);
    if (!entry || --entry.holders > 0) return;
    this.#listening.delete(channel);
    this.#backend.broker.unlisten(channel);
  }

  /** Whether a push on `channel` can reach anyone (always, when other processes may listen). */
  #audience(channel: string): boolean {
    if (this.#backend.broker.shared) return true;
    const { kind, id } = parseChannel(channel);
    return kind === 'room' ? this.#rooms.has(id) : (this.#subscribers.get(channel)?.size ?? 0) > 0;
  }

  /** Local delivery first (program order, no network hop), then the other processes. */
  #dispatch(channel: string, envelope: Envelope, where: 'everywhere' | 'local' | 'remote' = 'everywhere'): void {
    if (where !== 'remote') this.#deliver(channel, envelope);
    if (where !== 'local') this.#backend.broker.publish(channel, envelope);
  }

  #deliver(channel: string, envelope: Envelope): void {
    const { kind, id } = parseChannel(channel);
    if (kind === 'room') {
      this.#rooms.onEnvelope(id, envelope);
    } else if (envelope.kind === 'push') {
      for (const conn of this.#subscribers.get(channel) ?? []) conn.send(envelope.data);
    } else if (envelope.kind === 'close' && kind === 'notifications') {
      for (const conn of this.#byUser.get(id) ?? []) conn.close(envelope.code, envelope.reason);
    } else if (envelope.kind === 'recheck' && kind === 'session') {
      this.#track(this.#recheckSubscribers(channel, id, envelope), 'session channel re-check failed');
    }
  }

  // ------------------------------------------------------------------ rights that end

  /**
   * A session subscription's second authorisation, once the socket is listed where a `recheck`
   * finds it (a right lost while the subscribe was checked is seen here or by that recheck).
   */
  async #confirmSubscriber(conn: Connection, channel: Channel): Promise<void> {
    try {
      await reauthorize(this.#deps.db, conn.userId, channel);
    } catch (err) {
      this.#removeSubscriber(conn, channel.name);
      throw err;
    }
  }

  /** Unsubscribes this process's sockets that may no longer read the session (see access.ts). */
  async #recheckSubscribers(channel: string, sessionId: number, { user, reason }: Extract<Envelope, { kind: 'recheck' }>): Promise<void> {
    const holders = [...(this.#subscribers.get(channel) ?? [])].filter((conn) => user === undefined || conn.userId === user);
    if (holders.length === 0) return;
    const readers = await stillReaders(this.#deps.db, sessionId, [...new Set(holders.map((conn) => conn.userId))]);
    for (const conn of holders) {
      if (readers.has(conn.userId)) continue;
      conn.enqueue(async () => {
        if (!conn.channels.has(channel)) return;
        this.#removeSubscriber(conn, channel);
        conn.send({ type: 'unsubscribed', channel, reason });
      });
    }
  }

  // ------------------------------------------------------------------ lifecycle

  #beat(): void {
    for (const conn of this.#connections) {
      if (!conn.alive) {
        conn.terminate();
        continue;
      }
      conn.alive = false;
      conn.ws.ping();
    }
    if (this.#beating) return;
    this.#beating = true;
    this.#track(
      this.#rooms.heartbeat().finally(() => {
        this.#beating = false;
      }),
      'room heartbeat failed',
    );
  }

  #track(work: Promise<unknown>, failure: string): void {
    const tracked = work.then(
      () => {},
      (err) => this.#deps.logger.error({ err }, failure),
    );
    this.#inflight.add(tracked);
    void tracked.finally(() => this.#inflight.delete(tracked));
  }

  async #settle(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.all([...this.#inflight]);
  }

  async #shutdown(): Promise<void> {
    this.#unsubscribeEvents();
    this.#families.stop();
    clearInterval(this.#heartbeat);
    await this.#settle();
    await Promise.all([...this.#connections].map((conn) => conn.idle()));
    const sockets = [...this.#connections];
    const closed = Promise.all(sockets.map((conn) => socketClosed(conn.ws)));
    for (const conn of sockets) conn.close(CloseCode.goingAway, 'server shutting down');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_HANDSHAKE_WAIT_MS)))]);
    clearTimeout(timer);
    for (const conn of sockets) conn.terminate();
    await closed;
    await this.#settle();
    this.#server.off('upgrade', this.#onUpgrade);
    this.#wss.close();
    await this.#backend.close();
  }
}

function socketClosed(ws: WebSocket): Promise<void> {
  if (ws.readyState === ws.CLOSED) return Promise.resolve();
  return new Promise((resolve) => ws.once('close', () => resolve()));
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
