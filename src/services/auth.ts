/**
 * Accounts and tokens: register (rate limited), log in (throttled), refresh with rotation and reuse detection,
 * log out. A refresh token is single use; presenting a spent one means it was copied, so the whole
 * family (every token descended from that login) is revoked and both holders must log in again —
 * except within a short grace window after its use, for parallel refreshes (see graceReplay).
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Revocations } from '../auth/revocations.ts';
import type { TokenService } from '../auth/tokens.ts';
import { EventBus, inTransaction } from '../events.ts';
import { dummyPasswordHash, hashPassword, verifyPassword } from '../auth/passwords.ts';
import { ApiError, tooManyRequests, unauthorized, invalidField } from '../errors.ts';
import type { RateLimiter } from '../lib/rateLimiter.ts';
import { clientAddress, type LoginThrottle } from './loginThrottle.ts';
import { isValidTimezone } from '../lib/time.ts';
import { RefreshToken, User, type Role } from '../models/index.ts';

export interface TokenPair {
  access: string;
  refresh: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_expires_in: number;
}

/** A 409 naming the field whose value is already taken. */
export function fieldTaken(field: 'username' | 'email'): ApiError {
  return new ApiError(409, `${field}_taken`, 'Conflict', `This ${field} is already in use.`, {
    errors: [{ in: 'body', path: field, message: `this ${field} is already in use` }],
  });
}

export interface NewUser {
  username: string;
  email: string;
  /** Null for an account provisioned by a host platform: it never logs in with a password. */
  password: string | null;
  /** The host platform's id of a provisioned account. */
  external_id?: string;
  role: Role;
  is_admin?: boolean;
  first_name?: string;
  last_name?: string;
  timezone?: string;
  currency?: string;
}

/**
 * Counts a registration attempt from `ip` and throws 429 past `max` per window. Every attempt that
 * reaches the service counts (created or refused as taken): each one costs a password hash.
 */
export async function limitRegistrations(
  limiter: RateLimiter,
  limit: { max: number; windowSeconds: number },
  ip: string,
): Promise<void> {
  const { count, retryAfter } = await limiter.hit(`register:addr:${clientAddress(ip)}`, limit.windowSeconds);
  if (count > limit.max) throw tooManyRequests(retryAfter, 'Too many registrations from your address; try again later.');
}

/**
 * Creates an account (registered, created by an admin, or provisioned by a host platform);
 * usernames and emails are unique regardless of case. Every way of creating a user goes through
 * here, so each one records its `user.created` event (`bus` publishes it after commit; the CLI,
 * which has no subscribers, may leave it out).
 */
export async function createUser(db: Knex, input: NewUser, bus: EventBus = new EventBus()): Promise<User> {
  const timezone = input.timezone ?? 'UTC';
  if (!isValidTimezone(timezone)) throw invalidField('timezone', 'must be an IANA timezone such as Europe/Berlin');
  const taken = await db('users')
    .select(db.raw('lower(username) as u'), db.raw('lower(email) as e'))
    .whereRaw('lower(username) = ?', [input.username.toLowerCase()])
    .orWhereRaw('lower(email) = ?', [input.email.toLowerCase()]);
  if (taken.some((r: { u: string }) => r.u === input.username.toLowerCase())) throw fieldTaken('username');
  if (taken.length) throw fieldTaken('email');
  const password_hash = input.password === null ? null : await hashPassword(input.password);
  try {
    return await inTransaction(db, bus, async ({ trx, emit }) => {
      const user = await User.query(trx).insertAndFetch({
        username: input.username,
        email: input.email,
        password_hash,
        role: input.role,
        is_admin: input.is_admin ?? false,
        is_active: true,
        first_name: input.first_name ?? '',
        last_name: input.last_name ?? '',
        timezone,
        expertise: [],
        ...(input.currency ? { currency: input.currency } : {}),
        ...(input.external_id !== undefined ? { external_id: input.external_id } : {}),
      });
      emit({ type: 'user.created', user });
      return user;
    });
  } catch (err) {
    // Two registrations raced past the check above: the unique index decided.
    if ((err as Error).name === 'UniqueViolationError') {
      const again = await db('users').whereRaw('lower(username) = ?', [input.username.toLowerCase()]).first();
      throw fieldTaken(again ? 'username' : 'email');
    }
    throw err;
  }
}

async function issuePair(db: Knex, tokens: TokenService, user: User, family: string, parent?: RefreshToken, trx?: Knex.Transaction): Promise<TokenPair> {
  const jti = crypto.randomUUID();
  const now = new Date();
  const q = trx ?? db;
  await RefreshToken.query(q).insert({
    id: jti,
    user_id: user.id,
    family_id: family,
    expires_at: new Date(now.getTime() + tokens.refreshTtl * 1000),
  });
  if (parent) await RefreshToken.query(q).findById(parent.id).patch({ used_at: now, replaced_by: jti });
  return {
    access: tokens.signAccess(user, { family }),
    refresh: tokens.signRefresh(user.id, jti, family),
    token_type: 'Bearer',
    expires_in: tokens.accessTtl,
    refresh_expires_in: tokens.refreshTtl,
  };
}

export interface LoginDeps {
  db: Knex;
  tokens: TokenService;
  throttle: LoginThrottle;
}

const BAD_CREDENTIALS = 'No active account found with the given credentials.';

/**
 * Username + password → token pair. The throttle decides first whether this attempt may be
 * checked at all (429 with Retry-After otherwise, see src/services/loginThrottle.ts); a failure is
 * then counted, a success clears the (username, address) count and remembers the address.
 */
export async function login(deps: LoginDeps, input: { username: string; password: string; ip: string }): Promise<TokenPair> {
  const { db, tokens, throttle } = deps;
  const attempt = { username: input.username, address: clientAddress(input.ip) };
  let found: Promise<User | undefined> | undefined;
  const lookup = () => (found ??= User.query(db).whereRaw('lower(username) = ?', [input.username.toLowerCase()]).first().then((u) => u));
  await throttle.check(attempt, async () => (await lookup())?.id);

  const user = await lookup();
  const ok = await verifyPassword(input.password, user?.password_hash ?? (await dummyPasswordHash()));
  if (!user || !ok || !user.is_active) {
    await throttle.failed(attempt);
    if (user && user.is_active && user.password_hash === null) {
      throw unauthorized(
        'This account has no password: it signs in through the platform that created it, which hands out its tokens.',
        'password_login_unavailable',
      );
    }
    throw unauthorized(BAD_CREDENTIALS, 'invalid_credentials');
  }
  await User.query(db).findById(user.id).patch({ last_login: new Date() });
  await throttle.succeeded(attempt, user.id);
  return issuePair(db, tokens, user, crypto.randomUUID());
}

function verifyRefreshOr401(tokens: TokenService, token: string) {
  try {
    return tokens.verifyRefresh(token);
  } catch {
    throw unauthorized('The refresh token is invalid or expired.', 'invalid_refresh_token');
  }
}

async function revokeFamily(q: Knex | Knex.Transaction, family: string): Promise<void> {
  await q('refresh_tokens').where({ family_id: family }).whereNull('revoked_at').update({ revoked_at: new Date() });
}

/**
 * The pair answered when a token spent less than `graceSeconds` ago is presented again: a fresh
 * access token and the *same* successor refresh token (its row, re-signed), as long as that
 * successor is unused, unrevoked and unexpired. Both callers of a parallel refresh end up holding
 * one live refresh token, so the family stays a single chain and later reuse is still detected.
 * Undefined when the grace does not apply (then it is reuse).
 */
async function graceReplay(
  trx: Knex.Transaction,
  tokens: TokenService,
  spent: RefreshToken,
  graceSeconds: number,
): Promise<TokenPair | undefined> {
  const now = Date.now();
  if (graceSeconds <= 0 || !spent.used_at || !spent.replaced_by) return undefined;
  if (now - spent.used_at.getTime() > graceSeconds * 1000) return undefined;
  const successor = await RefreshToken.query(trx).findById(spent.replaced_by).forUpdate();
  if (!successor || successor.used_at || successor.revoked_at || successor.expires_at.getTime() <= now) return undefined;
  const user = await User.query(trx).findById(spent.user_id);
  if (!user || !user.is_active) return undefined;
  return {
    access: tokens.signAccess(user, { family: successor.family_id }),
    refresh: tokens.signRefresh(user.id, successor.id, successor.family_id, successor.expires_at),
    token_type: 'Bearer',
    expires_in: tokens.accessTtl,
    refresh_expires_in: Math.max(1, Math.floor((successor.expires_at.getTime() - now) / 1000)),
  };
}

/**
 * Spends a refresh token and returns a new pair in the same family. Within `graceSeconds` of its
 * use, the immediately previous token answers its unused successor again (see graceReplay);
 * otherwise a spent token is reuse and revokes the family.
 */
export async function refresh(
  deps: { db: Knex; tokens: TokenService; revocations: Revocations },
  token: string,
  graceSeconds = 0,
): Promise<TokenPair> {
  const { db, tokens } = deps;
  const claims = verifyRefreshOr401(tokens, token);
  const outcome = await db.transaction(async (trx) => {
    const row = await RefreshToken.query(trx).findById(claims.jti).forUpdate();
    if (!row || row.family_id !== claims.fam || String(row.user_id) !== claims.sub) return { kind: 'invalid' as const };
    if (row.revoked_at) return { kind: 'invalid' as const };
    if (row.used_at) {
      const replay = await graceReplay(trx, tokens, row, graceSeconds);
      if (replay) return { kind: 'ok' as const, pair: replay };
      // Reuse: somebody holds a copy. Revoke the whole family (committed, then refuse).
      await revokeFamily(trx, row.family_id);
      return { kind: 'reused' as const };
    }
    if (row.expires_at.getTime() <= Date.now()) return { kind: 'invalid' as const };
    const user = await User.query(trx).findById(row.user_id);
    if (!user || !user.is_active) return { kind: 'invalid' as const };
    return { kind: 'ok' as const, pair: await issuePair(db, tokens, user, row.family_id, row, trx) };
  });
  if (outcome.kind === 'reused') {
    await deps.revocations.revoke(claims.fam, tokens.accessTtl);
    throw unauthorized('This refresh token was already used; all sessions of this login were signed out.', 'refresh_token_reused');
  }
  if (outcome.kind === 'invalid') throw unauthorized('The refresh token is invalid or expired.', 'invalid_refresh_token');
  return outcome.pair;
}

/**
 * Revokes the family of the given refresh token (this login on every device it was refreshed on),
 * and deny-lists its access tokens until the last of them expires (their sockets close).
 */
export async function logout(deps: { db: Knex; tokens: TokenService; revocations: Revocations }, token: string): Promise<void> {
  const claims = verifyRefreshOr401(deps.tokens, token);
  const row = await RefreshToken.query(deps.db).findById(claims.jti);
  if (!row || String(row.user_id) !== claims.sub) throw unauthorized('The refresh token is invalid or expired.', 'invalid_refresh_token');
  await revokeFamily(deps.db, row.family_id);
  await deps.revocations.revoke(row.family_id, deps.tokens.accessTtl);
}

/** Revokes every refresh token of a user (deactivation, password change). */
export async function revokeAllTokens(q: Knex | Knex.Transaction, userId: number): Promise<void> {
  await q('refresh_tokens').where({ user_id: userId }).whereNull('revoked_at').update({ revoked_at: new Date() });
}
