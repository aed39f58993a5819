/**
 * A WebSocket client for tests: a real `ws` client on loopback that
 * - checks every message the server sends against `WsServerMessage` in openapi.yaml, and every
 *   refused handshake (status, problem+json body) against the `openWebSocket` operation;
 * - keeps an inbox, so a test awaits "the next message matching …" (with a timeout) instead of
 *   sleeping, whatever order unrelated messages arrive in.
 */
import { AssertionError } from 'node:assert';
import crypto from 'node:crypto';
import { WebSocket } from 'ws';
import { loadSpec } from '../../src/openapi/spec.ts';
import { createAjv, SPEC_SCHEMA_ID, toFieldErrors } from '../../src/openapi/validators.ts';
import { checkResponse } from '../helpers/contract.ts';

const ajv = createAjv(loadSpec(), { coerce: false });
const validateServerMessage = ajv.compile({ $ref: `${SPEC_SCHEMA_ID}#/components/schemas/WsServerMessage` });

/** A server message (already checked against the contract). */
export type Msg = { type: string; [field: string]: any };
export type Match = string | ((message: Msg) => boolean);

export interface ConnectOptions {
  /** How to send the token: the `bearer` subprotocol (default) or `?token=`. */
  via?: 'protocol' | 'query';
  origin?: string;
  path?: string;
  /** false: never answer the server's pings (a dead peer). */
  autoPong?: boolean;
}

export interface Closed {
  code: number;
  reason: string;
}

const DEFAULT_TIMEOUT_MS = 5000;

function wsUrl(baseUrl: string, path: string, token: string | undefined, via: 'protocol' | 'query'): string {
  const url = new URL(path, baseUrl.replace(/^http/, 'ws'));
  if (token && via === 'query') url.searchParams.set('token', token);
  return url.toString();
}

function connect(baseUrl: string, token: string | undefined, options: ConnectOptions): WebSocket {
  const via = options.via ?? 'protocol';
  const protocols = token && via === 'protocol' ? ['bearer', token] : [];
  const ws = new WebSocket(wsUrl(baseUrl, options.path ?? '/ws', token, via), protocols, {
    headers: options.origin ? { Origin: options.origin } : {},
    autoPong: options.autoPong ?? true,
  });
  ws.once('upgrade', (res) => checkResponse('GET', '/ws', { status: res.statusCode ?? 0, contentType: '', body: undefined }));
  return ws;
}

const matcher = (match: Match) => (typeof match === 'string' ? (m: Msg) => m.type === match : match);

export class TestSocket {
  readonly #inbox: Msg[] = [];
  readonly #waiters = new Set<{ match: (m: Msg) => boolean; resolve: (m: Msg) => void; reject: (e: Error) => void }>();
  #violation: Error | undefined;
  /** Resolves with the close code and reason once the socket is closed (by either side). */
  readonly closed: Promise<Closed>;
  welcome!: Msg;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => this.#receive(isBinary ? '<binary>' : data.toString()));
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    // A socket cut by the server (1006) reports an error first; the close result says it all.
    ws.on('error', () => {});
  }

  /** Opens a socket and waits for its `welcome`. Throws when the handshake is refused. */
  static async open(baseUrl: string, token: string | undefined, options: ConnectOptions = {}): Promise<TestSocket> {
    const ws = connect(baseUrl, token, options);
    const socket = new TestSocket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => reject(new Error(`handshake refused with ${res.statusCode}`)));
      ws.once('error', reject);
    });
    socket.welcome = await socket.next('welcome');
    return socket;
  }

  get peer(): string {
    return this.welcome.peer;
  }

  #receive(text: string): void {
    let message: Msg;
    try {
      message = JSON.parse(text);
    } catch {
      this.#fail(new AssertionError({ message: `the server sent a frame that is not JSON: ${text.slice(0, 200)}` }));
      return;
    }
    if (!validateServerMessage(message)) {
      const errors = toFieldErrors('body', validateServerMessage.errors).map((e) => `${e.path || '(root)'} ${e.message}`);
      this.#fail(new AssertionError({ message: `server message breaks WsServerMessage: ${errors.join('; ')}\n${text.slice(0, 2000)}` }));
      return;
    }
    for (const waiter of this.#waiters) {
      if (waiter.match(message)) {
        this.#waiters.delete(waiter);
        waiter.resolve(message);
        return;
      }
    }
    this.#inbox.push(message);
  }

  #fail(error: Error): void {
    this.#violation ??= error;
    for (const waiter of this.#waiters) waiter.reject(error);
    this.#waiters.clear();
  }

  send(message: object | string): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The next message matching (a type or a predicate), taken from the inbox or awaited. */
  next(match: Match, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Msg> {
    if (this.#violation) return Promise.reject(this.#violation);
    const test = matcher(match);
    const index = this.#inbox.findIndex(test);
    if (index >= 0) return Promise.resolve(this.#inbox.splice(index, 1)[0]!);
    return new Promise((resolve, reject) => {
      const waiter = {
        match: test,
        resolve: (m: Msg) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        const seen = this.#inbox.map((m) => m.type).join(', ') || 'nothing';
        reject(new Error(`no matching message within ${timeoutMs} ms (unclaimed: ${seen}; ${match.toString().slice(0, 120)})`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /** Sends `message` with a fresh `id` and awaits the answer carrying it as `ref`. */
  request(message: Record<string, unknown>, timeoutMs?: number): Promise<Msg> {
    const id = crypto.randomUUID();
    const answer = this.next((m) => m.ref === id, timeoutMs);
    this.send({ ...message, id });
    return answer;
  }

  /** A ping round trip: everything the server sent this socket before it has been received. */
  async sync(): Promise<void> {
    await this.request({ type: 'ping' });
  }

  /** Unclaimed messages matching, without taking them. */
  unclaimed(match: Match): Msg[] {
    return this.#inbox.filter(matcher(match));
  }

  async subscribe(channel: string): Promise<Msg> {
    return this.request({ type: 'subscribe', channel });
  }

  async close(): Promise<Closed> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(1000);
    return this.closed;
  }
}

export interface Refusal {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

/** Attempts a handshake that must be refused; returns the HTTP answer (checked against the contract). */
export function refusal(baseUrl: string, token: string | undefined, options: ConnectOptions = {}): Promise<Refusal> {
  const ws = connect(baseUrl, token, options);
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.terminate();
      reject(new Error('the handshake was accepted'));
    });
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const contentType = String(res.headers['content-type'] ?? '');
        const body = contentType.includes('json') ? JSON.parse(text) : text;
        try {
          checkResponse('GET', options.path ?? '/ws', { status: res.statusCode ?? 0, contentType, body });
        } catch (err) {
          reject(err);
          return;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
  });
}
