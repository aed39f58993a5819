/**
 * Accounts and tokens: register, log in (rate limited), refresh with rotation and reuse detection,
 * log out. A refresh token is single use; presenting a spent one means it was copied, so the whole
 * family (every token descended from that login) is revoked and both holders must log in again.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { TokenService } from '../auth/tokens.ts';
import { EventBus, inTransaction } from '../events.ts';
import { dummyPasswordHash, hashPassword, verifyPassword } from '../auth/passwords.ts';
import { ApiError, tooManyRequests, unauthorized, invalidField } from '../errors.ts';
import type { RateLimiter } from '../lib/rateLimiter.ts';
import { isValidTimezone } from '../lib/time.ts';
import { RefreshToken, User, dbTime, type Role } from '../models/index.ts';

export interface TokenPair {
  access: string;
  refresh: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_expires_in: number;
}

/** A 409 naming the field whose value is already taken. */
export function fieldTaken(field: string): ApiError {
  return new ApiError(409, `${field}_taken`, 'Conflict', `This ${field} is already in use.`, {
    errors: [{ in: 'body', path: field, message: `this ${field} is already in use` }],
  });
}

export interface NewUser {
  username: string;
  email: string;
  password: string;
  role: Role;
  is_admin?: boolean;
  first_name?: string;
  last_name?: string;
  timezone?: string;
}

/**
 * Creates an account; usernames and emails are unique regardless of case. Every way of creating a
 * user goes through here, so each one records its `user.created` event (`bus` publishes it after
 * commit; the CLI, which has no subscribers, may leave it out).
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
  const password_hash = await hashPassword(input.password);
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
      } as Partial<User>);
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
  } as Partial<RefreshToken>);
  if (parent) await RefreshToken.query(q).findById(parent.id).patch({ used_at: now, replaced_by: jti } as Partial<RefreshToken>);
  return {
    access: tokens.signAccess(user),
    refresh: tokens.signRefresh(user.id, jti, family),
    token_type: 'Bearer',
    expires_in: tokens.accessTtl,
    refresh_expires_in: tokens.refreshTtl,
  };
}

export interface LoginDeps {
  db: Knex;
  tokens: TokenService;
  rateLimiter: RateLimiter;
  limit: { max: number; windowSeconds: number };
}

const BAD_CREDENTIALS = 'No active account found with the given credentials.';

/**
 * Username + password → token pair. Failed attempts are counted per username and per client
 * address; once either passes its limit the endpoint answers 429 with Retry-After until the window
 * ends, without even checking the password.
 */
export async function login(deps: LoginDeps, input: { username: string; password: string; ip: string }): Promise<TokenPair> {
  const { db, tokens, rateLimiter, limit } = deps;
  const userKey = `login:user:${input.username.toLowerCase()}`;
  const ipKey = `login:ip:${input.ip}`;
  const [byUser, byIp] = await Promise.all([
    rateLimiter.peek(userKey, limit.windowSeconds),
    rateLimiter.peek(ipKey, limit.windowSeconds),
  ]);
  if (byUser.count >= limit.max) throw tooManyRequests(byUser.retryAfter, 'Too many failed logins for this account; try again later.');
  if (byIp.count >= limit.max * 5) throw tooManyRequests(byIp.retryAfter, 'Too many failed logins from this address; try again later.');

  const user = await User.query(db).whereRaw('lower(username) = ?', [input.username.toLowerCase()]).first();
  const ok = await verifyPassword(input.password, user?.password_hash ?? (await dummyPasswordHash()));
  if (!user || !ok || !user.is_active) {
    await Promise.all([rateLimiter.hit(userKey, limit.windowSeconds), rateLimiter.hit(ipKey, limit.windowSeconds)]);
    throw unauthorized(BAD_CREDENTIALS, 'invalid_credentials');
  }
  await User.query(db).findById(user.id).patch({ last_login: new Date() } as Partial<User>);
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
  await q('refresh_tokens').where({ family_id: family }).whereNull('revoked_at').update({ revoked_at: dbTime(new Date()) });
}

/** Spends a refresh token and returns a new pair in the same family. */
export async function refresh(deps: { db: Knex; tokens: TokenService }, token: string): Promise<TokenPair> {
  const { db, tokens } = deps;
  const claims = verifyRefreshOr401(tokens, token);
  const outcome = await db.transaction(async (trx) => {
    const row = await RefreshToken.query(trx).findById(claims.jti).forUpdate();
    if (!row || row.family_id !== claims.fam || String(row.user_id) !== claims.sub) return { kind: 'invalid' as const };
    if (row.revoked_at) return { kind: 'invalid' as const };
    if (row.used_at) {
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
    throw unauthorized('This refresh token was already used; all sessions of this login were signed out.', 'refresh_token_reused');
  }
  if (outcome.kind === 'invalid') throw unauthorized('The refresh token is invalid or expired.', 'invalid_refresh_token');
  return outcome.pair;
}

/** Revokes the family of the given refresh token (this login on every device it was refreshed on). */
export async function logout(deps: { db: Knex; tokens: TokenService }, token: string): Promise<void> {
  const claims = verifyRefreshOr401(deps.tokens, token);
  const row = await RefreshToken.query(deps.db).findById(claims.jti);
  if (!row || String(row.user_id) !== claims.sub) throw unauthorized('The refresh token is invalid or expired.', 'invalid_refresh_token');
  await revokeFamily(deps.db, row.family_id);
}

/** Revokes every refresh token of a user (deactivation, password change). */
export async function revokeAllTokens(q: Knex | Knex.Transaction, userId: number): Promise<void> {
  await q('refresh_tokens').where({ user_id: userId }).whereNull('revoked_at').update({ revoked_at: dbTime(new Date()) });
}
