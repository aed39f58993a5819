/**
 * A webhook receiver on 127.0.0.1 for tests: verifies every message with the `standardwebhooks`
 * package (the library integrators use), records it, and answers with the status the test chose.
 * `waitFor(n)` resolves once n messages arrived, so tests await deliveries instead of sleeping.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedMessage {
  id: string;
  timestamp: number;
  signature: string;
  body: { type: string; timestamp: string; data: any };
  raw: string;
  receivedAt: number;
  /** The secrets whose signature verified (of those the receiver knows). */
  verifiedWith: string[];
}

export class WebhookReceiver {
  readonly messages: ReceivedMessage[] = [];
  /** Rejected messages: a bad signature is a test failure. */
  readonly rejected: string[] = [];
  /** The status to answer per message (1-based), or 'hold' to never answer it. */
  respond: (n: number) => number | 'hold' = () => 204;
  secrets: string[] = [];
  #server: http.Server;
  #waiters: Array<{ n: number; resolve: () => void }> = [];
  port = 0;

  private constructor() {
    this.#server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const headers = {
          'webhook-id': String(req.headers['webhook-id']),
          'webhook-timestamp': String(req.headers['webhook-timestamp']),
          'webhook-signature': String(req.headers['webhook-signature']),
        };
        const verifiedWith = this.secrets.filter((secret) => {
          try {
            new Webhook(secret).verify(raw, headers);
            return true;
          } catch {
            return false;
          }
        });
        if (verifiedWith.length === 0) {
          this.rejected.push(raw);
          res.writeHead(401).end('bad signature');
          return;
        }
        this.messages.push({
          id: headers['webhook-id'],
          timestamp: Number(headers['webhook-timestamp']),
          signature: headers['webhook-signature'],
          body: JSON.parse(raw),
          raw,
          receivedAt: Date.now(),
          verifiedWith,
        });
        const status = this.respond(this.messages.length);
        if (status !== 'hold') res.writeHead(status, { 'Content-Type': 'text/plain' }).end(status >= 300 ? `status ${status} as asked` : 'ok');
        this.#waiters = this.#waiters.filter((w) => (this.messages.length >= w.n ? (w.resolve(), false) : true));
      });
    });
  }

  static async start(port = 0): Promise<WebhookReceiver> {
    const r = new WebhookReceiver();
    await r.listen(port);
    return r;
  }

  async listen(port = this.port): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.#server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  waitFor(n: number, timeoutMs = 15000): Promise<void> {
    if (this.messages.length >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.messages.length} of ${n} webhook messages arrived in ${timeoutMs} ms`)), timeoutMs);
      this.#waiters.push({ n, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  /** Stops listening (connections are then refused); `listen()` reopens on the same port. */
  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** Polls `check` until it returns a value (not undefined/false) — for state only the database shows. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 15000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
