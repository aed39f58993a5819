/**
 * Login throttling that slows guessing without handing an attacker a way to lock people out
 * (the OWASP authentication cheat sheet's advice). Failed attempts are counted three ways:
 *
 * - per (username, address): `max` failures per window, then that pair gets 429 until the window
 *   ends. Only the guesser's own address is held back; the owner elsewhere is not.
 * - per address, any username: `addressMax` failures per window (high, so a NAT's own users are
 *   not caught), then the address may only log in to accounts it has recently logged in to —
 *   password spraying across usernames stops there.
 * - per username, any address: `userMax` failures per `userWindowSeconds` (the slow global
 *   back-off), then the account can only be logged in to from the addresses it has recently
 *   logged in from; everyone else gets 429 until the window ends.
 *
 * "Recently logged in from" means a successful login for that user from that address within
 * `knownAddressDays` (table `login_addresses`; IPv6 counts by /64, as one household or phone gets
 * a /64). Attempts refused with 429 check no password and count nothing, so a throttled attacker
 * cannot extend the block. Counters live in the app's rate limiter: per process, or shared in
 * Redis when REDIS_URL is set. The policy is described in docs/security.md.
 */
import ipaddr from 'ipaddr.js';
import type { Knex } from 'knex';
import { tooManyRequests } from '../errors.ts';
import type { RateLimiter } from '../lib/rateLimiter.ts';

export interface LoginThrottleLimits {
  /** Failures per (username, address) per window. */
  max: number;
  windowSeconds: number;
  /** Failures per address, any username, per window; beyond it, known (user, address) pairs only. */
  addressMax: number;
  /** Failures per username, any address, per `userWindowSeconds`; beyond it, known addresses only. */
  userMax: number;
  userWindowSeconds: number;
  /** How long a successful login keeps an address known for that user. */
  knownAddressDays: number;
}

/** The address a client is counted under: IPv4 as is (IPv4-mapped IPv6 too), IPv6 by its /64. */
export function clientAddress(ip: string): string {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(ip);
  } catch {
    return ip.slice(0, 64) || 'unknown';
  }
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().toString();
    return `${ipaddr.IPv6.networkAddressFromCIDR(`${v6.toString()}/64`).toString()}/64`;
  }
  return parsed.toString();
}

export interface LoginAttempt {
  /** The username as typed (compared without case). */
  username: string;
  /** From `clientAddress`. */
  address: string;
}

export class LoginThrottle {
  constructor(
    private readonly db: Knex,
    private readonly limiter: RateLimiter,
    private readonly limits: LoginThrottleLimits,
  ) {}

  #keys(attempt: LoginAttempt) {
    const name = attempt.username.toLowerCase();
    return {
      pair: `login:pair:${attempt.address}:${name}`,
      address: `login:addr:${attempt.address}`,
      user: `login:user:${name}`,
    };
  }

  /**
   * Throws 429 when this attempt must not be checked. `userId` resolves the account (undefined
   * for an unknown username) and is only called when a wider limit is reached.
   */
  async check(attempt: LoginAttempt, userId: () => Promise<number | undefined>): Promise<void> {
    const { max, windowSeconds, addressMax, userMax, userWindowSeconds } = this.limits;
    const keys = this.#keys(attempt);
    const [pair, address, user] = await Promise.all([
      this.limiter.peek(keys.pair, windowSeconds),
      this.limiter.peek(keys.address, windowSeconds),
      this.limiter.peek(keys.user, userWindowSeconds),
    ]);
    if (pair.count >= max) {
      throw tooManyRequests(pair.retryAfter, 'Too many failed logins for this account from your address; try again later.');
    }
    const addressFull = address.count >= addressMax;
    const userFull = user.count >= userMax;
    if (!addressFull && !userFull) return;
    const id = await userId();
    if (id !== undefined && (await this.isKnown(id, attempt.address))) return;
    if (userFull) {
      throw tooManyRequests(user.retryAfter, 'Too many failed logins for this account; try again later, or from a device you usually sign in from.');
    }
    throw tooManyRequests(address.retryAfter, 'Too many failed logins from your address; try again later.');
  }

  async failed(attempt: LoginAttempt): Promise<void> {
    const { windowSeconds, userWindowSeconds } = this.limits;
    const keys = this.#keys(attempt);
    await Promise.all([
      this.limiter.hit(keys.pair, windowSeconds),
      this.limiter.hit(keys.address, windowSeconds),
      this.limiter.hit(keys.user, userWindowSeconds),
    ]);
  }

  /** Clears the pair's failures and remembers the address for this user. */
  async succeeded(attempt: LoginAttempt, userId: number): Promise<void> {
    const now = new Date();
    await this.limiter.reset(this.#keys(attempt).pair);
    await this.db('login_addresses')
      .insert({ user_id: userId, address: attempt.address, last_success_at: now })
      .onConflict(['user_id', 'address'])
      .merge(['last_success_at']);
    // Forget this user's addresses that have not been used for longer than the memory lasts.
    await this.db('login_addresses').where({ user_id: userId }).where('last_success_at', '<', this.#knownSince(now)).delete();
  }

  async isKnown(userId: number, address: string): Promise<boolean> {
    const row = await this.db('login_addresses')
      .where({ user_id: userId, address })
      .where('last_success_at', '>=', this.#knownSince(new Date()))
      .first('user_id');
    return Boolean(row);
  }

  #knownSince(now: Date): Date {
    return new Date(now.getTime() - this.limits.knownAddressDays * 86_400_000);
  }
}
