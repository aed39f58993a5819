/**
 * The access-token deny-list. Access tokens carry the id of their login's refresh-token family
 * (`fam`); when a family is revoked (logout, or a spent refresh token presented again) its id is
 * listed here for one access-token lifetime, the longest any of its access tokens can still be
 * valid. REST answers such tokens 401 `token_revoked`, and the realtime hub closes their sockets.
 *
 * Checking is synchronous and local (no round trip per request): each process keeps the list in
 * memory. With REDIS_URL, a revocation is also stored in Redis (`<prefix>auth:revoked:<family>`,
 * expiring with the list entry) and published on `<prefix>auth:revoked`; every process adds what it
 * hears to its own list and tells its listeners, and a process (re)connecting to Redis loads the
 * stored entries, so a process started after a logout knows it too. Redis trouble never fails a
 * logout: the revocation then holds on the process that made it (and the refresh family is revoked
 * in the database either way).
 */
import type { Redis } from 'ioredis';
import { loadRedis } from '../lib/ioredis.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';

export type RevocationListener = (family: string) => void;

export interface Revocations {
  /** Lists `family` for `ttlSeconds` on every process and tells the listeners. */
  revoke(family: string, ttlSeconds: number): Promise<void>;
  isRevoked(family: string): boolean;
  /** Called for every family revoked on any process; returns the unsubscribe function. */
  onRevoked(listener: RevocationListener): () => void;
  close(): Promise<void>;
}

const WARN_INTERVAL_MS = 30_000;

class RevocationList implements Revocations {
  /** Family → when its entry lapses (ms since the epoch). */
  readonly #until = new Map<string, number>();
  readonly #listeners = new Set<RevocationListener>();

  async revoke(family: string, ttlSeconds: number): Promise<void> {
    this.add(family, Date.now() + ttlSeconds * 1000);
  }

  /** Records an entry (from this process or another) and tells the listeners. */
  add(family: string, until: number): void {
    if (until <= Date.now() || (this.#until.get(family) ?? 0) >= until) return;
    this.#prune();
    this.#until.set(family, until);
    for (const listener of this.#listeners) listener(family);
  }

  isRevoked(family: string): boolean {
    const until = this.#until.get(family);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.#until.delete(family);
    return false;
  }

  onRevoked(listener: RevocationListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {}

  /** Drops lapsed entries (the list holds one access-token lifetime of logouts). */
  #prune(): void {
    const now = Date.now();
    for (const [family, until] of this.#until) if (until <= now) this.#until.delete(family);
  }
}

class SharedRevocationList extends RevocationList {
  readonly #commands: Redis;
  readonly #subscriber: Redis;
  readonly #channel: string;
  readonly #keyPrefix: string;
  readonly #logger: Logger;
  #lastWarned = 0;

  constructor(url: string, prefix: string, logger: Logger) {
    super();
    this.#logger = logger;
    this.#channel = `${prefix}auth:revoked`;
    this.#keyPrefix = `${prefix}auth:revoked:`;
    const options = { maxRetriesPerRequest: 1, retryStrategy: (attempt: number) => Math.min(attempt * 200, 5000) };
    // No offline queue: while Redis is away a logout fails over to this process at once instead
    // of waiting for a reconnection.
    const Redis = loadRedis();
    this.#commands = new Redis(url, { ...options, enableOfflineQueue: false, connectionName: 'md-auth-revocations' });
    this.#subscriber = new Redis(url, { ...options, connectionName: 'md-auth-revocations-sub' });
    this.#commands.on('error', (err) => this.#warn(err));
    this.#subscriber.on('error', (err) => this.#warn(err));
    this.#subscriber.on('message', (_channel: string, raw: string) => this.#heard(raw));
    // ioredis subscribes again after a reconnection; entries stored meanwhile are loaded here.
    this.#subscriber.subscribe(this.#channel).catch((err) => this.#warn(err));
    this.#subscriber.on('ready', () => void this.#load());
    this.#commands.on('ready', () => void this.#load());
  }

  override async revoke(family: string, ttlSeconds: number): Promise<void> {
    const until = Date.now() + ttlSeconds * 1000;
    this.add(family, until);
    try {
      await this.#commands
        .multi()
        .set(this.#keyPrefix + family, String(until), 'PX', ttlSeconds * 1000)
        .publish(this.#channel, JSON.stringify({ family, until }))
        .exec();
    } catch (err) {
      this.#warn(err);
    }
  }

  override async close(): Promise<void> {
    await Promise.all(
      [this.#subscriber, this.#commands].map(async (client) => {
        if (client.status === 'ready') await Promise.race([client.quit(), new Promise((r) => setTimeout(r, 1000).unref())]).catch(() => {});
        client.disconnect();
      }),
    );
  }

  #heard(raw: string): void {
    try {
      const { family, until } = JSON.parse(raw) as { family: unknown; until: unknown };
      if (typeof family === 'string' && typeof until === 'number') this.add(family, until);
    } catch (err) {
      this.#warn(err);
    }
  }

  /** Loads the entries stored in Redis (revocations made while this process was not listening). */
  async #load(): Promise<void> {
    if (this.#commands.status !== 'ready') return;
    try {
      let cursor = '0';
      do {
        const [next, keys] = await this.#commands.scan(cursor, 'MATCH', `${this.#keyPrefix}*`, 'COUNT', 500);
        cursor = next;
        const values = keys.length ? await this.#commands.mget(...keys) : [];
        keys.forEach((key, i) => {
          const until = Number(values[i]);
          if (Number.isFinite(until)) this.add(key.slice(this.#keyPrefix.length), until);
        });
      } while (cursor !== '0');
    } catch (err) {
      this.#warn(err);
    }
  }

  #warn(err: unknown): void {
    if (Date.now() - this.#lastWarned < WARN_INTERVAL_MS) return;
    this.#lastWarned = Date.now();
    this.#logger.warn({ reason: err instanceof Error ? err.message : String(err) }, 'redis (token revocations) problem; logouts hold on this process meanwhile');
  }
}

/** In memory, or shared through Redis when REDIS_URL is set. */
export function createRevocations(config: Config, logger: Logger): Revocations {
  return config.redisUrl ? new SharedRevocationList(config.redisUrl, config.ws.redisPrefix, logger) : new RevocationList();
}
