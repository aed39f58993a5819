/**
 * One webhook attempt: sign the body per Standard Webhooks and POST it.
 *
 * Headers: `webhook-id` (the message id, the same on every attempt), `webhook-timestamp` (Unix
 * seconds of this attempt), `webhook-signature` (`v1,<base64 HMAC-SHA256>`, one per valid secret,
 * space-separated: during a rotation the previous secret signs beside the new one). Signing uses
 * the `standardwebhooks` package, so receivers can verify with any Standard Webhooks library.
 *
 * A 2xx answer is a success; any other status, a redirect (never followed), a connection error, a
 * refused address (src/webhooks/ssrf.ts) or no complete answer within the timeout is a failure.
 * At most the first 1 KB of the answer is kept.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import { Webhook } from 'standardwebhooks';
import { addressRefusal, guardedLookup, urlRefusal, SsrfError, type TargetPolicy } from './ssrf.ts';

export const RESPONSE_BODY_LIMIT = 1024;

export interface AttemptOutcome {
  succeeded: boolean;
  statusCode: number | null;
  durationMs: number;
  responseBody: string | null;
  error: string | null;
}

/** A new signing secret: `whsec_` and the base64 of 24 random bytes (Standard Webhooks format). */
export function newSecret(): string {
  return `whsec_${crypto.randomBytes(24).toString('base64')}`;
}

/** The `webhook-signature` value: one `v1,…` per secret. */
export function signatureHeader(secrets: readonly string[], messageId: string, at: Date, body: string): string {
  return secrets.map((secret) => new Webhook(secret).sign(messageId, at, body)).join(' ');
}

export interface SendOptions extends TargetPolicy {
  timeoutMs: number;
}

export interface Message {
  url: string;
  messageId: string;
  body: string;
  secrets: readonly string[];
}

const agents = new Map<string, http.Agent>();

/** Keep-alive agents per policy; their `lookup` refuses non-public addresses at connect time. */
function agentFor(protocol: string, policy: TargetPolicy): http.Agent {
  const key = `${protocol}${policy.allowPrivateNetworks}`;
  let agent = agents.get(key);
  if (!agent) {
    const options = { keepAlive: true, maxSockets: 50, lookup: guardedLookup(policy) } as http.AgentOptions;
    agent = protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
    agents.set(key, agent);
  }
  return agent;
}

/** Sends one attempt of `message`; never throws. */
export function sendMessage(message: Message, options: SendOptions, now = new Date()): Promise<AttemptOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const refused = urlRefusal(message.url, options);
  if (refused) {
    return Promise.resolve({ succeeded: false, statusCode: null, durationMs: 0, responseBody: null, error: `refused: ${refused.message}` });
  }
  const url = new URL(message.url);
  const body = Buffer.from(message.body);
  return new Promise<AttemptOutcome>((resolve) => {
    let settled = false;
    const finish = (outcome: Omit<AttemptOutcome, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...outcome, durationMs: elapsed() });
    };
    const fail = (err: Error) => {
      const text = err instanceof SsrfError ? `refused: ${err.message}` : err.message || String(err);
      finish({ succeeded: false, statusCode: null, responseBody: null, error: text.slice(0, 500) });
    };
    const request = (url.protocol === 'https:' ? https : http).request(url, {
      method: 'POST',
      agent: agentFor(url.protocol, options),
      headers: {
        'Content-Type': 'application/json',
        'Content-Length': body.length,
        'User-Agent': 'mentor-dashboard-webhooks',
        'webhook-id': message.messageId,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': signatureHeader(message.secrets, message.messageId, now, message.body),
      },
    });
    const timer = setTimeout(() => request.destroy(new Error(`no complete answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    request.on('socket', (socket: net.Socket) => {
      // The address actually dialled, whatever resolved it (a reused keep-alive socket was checked
      // when it connected).
      const check = () => {
        const refusal = socket.remoteAddress ? addressRefusal(socket.remoteAddress, options) : null;
        if (refusal) request.destroy(new SsrfError(refusal));
      };
      if (socket.connecting) socket.once('connect', check);
    });
    request.on('error', fail);
    request.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        const status = res.statusCode ?? 0;
        const text = Buffer.concat(chunks).subarray(0, RESPONSE_BODY_LIMIT).toString('utf8');
        const ok = status >= 200 && status < 300;
        finish({
          succeeded: ok,
          statusCode: status,
          responseBody: text,
          error: ok ? null : status >= 300 && status < 400 ? `HTTP ${status} (redirects are not followed)` : `HTTP ${status}`,
        });
      };
      res.on('data', (chunk: Buffer) => {
        if (size < RESPONSE_BODY_LIMIT) chunks.push(chunk);
        size += chunk.length;
        if (size >= RESPONSE_BODY_LIMIT) {
          // Enough kept: stop reading and drop the connection rather than download the rest.
          done();
          res.destroy();
        }
      });
      res.on('end', done);
      res.on('error', (err) => fail(err));
    });
    request.end(body);
  });
}
