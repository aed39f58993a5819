/**
 * Users provisioned by a host platform under its own id (`external_id`), and the short-lived user
 * tokens it mints for them. Provisioned users are created by the same `createUser` as every other
 * account (with no password) and deactivated by the same `updateUserAccess` as an admin would.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { TokenService, UserTokenScope } from '../auth/tokens.ts';
import { conflict, invalidField, notFound } from '../errors.ts';
import { inTransaction, type EventBus, type Tx } from '../events.ts';
import { isValidTimezone } from '../lib/time.ts';
import { User, type Role } from '../models/index.ts';
import { can } from '../policies/index.ts';
import { updateUserAccess } from './admin.ts';
import { createUser, fieldTaken } from './auth.ts';
import { loadSessionForUser } from './sessionAccess.ts';

type Db = Knex | Knex.Transaction;

export interface PlatformUserFields {
  role: Role;
  email: string;
  first_name?: string;
  last_name?: string;
  timezone?: string;
  currency?: string;
}

/** Default and bounds of a user token's lifetime, in seconds. */
export const USER_TOKEN_TTL = { default: 600, min: 60, max: 3600 } as const;

/**
 * The username of a provisioned account: derived from the external id (which may hold characters
 * a username may not), stable, and unguessable without it.
 */
export function platformUsername(externalId: string): string {
  return `ext_${crypto.createHash('sha256').update(externalId, 'utf8').digest('hex').slice(0, 20)}`;
}

export function findPlatformUser(db: Db, externalId: string, opts: { forUpdate?: boolean } = {}) {
  const q = User.query(db).where({ external_id: externalId }).first();
  return opts.forUpdate ? q.forUpdate() : q;
}

async function updatePlatformUser(tx: Tx & { actor: User }, target: User, fields: PlatformUserFields): Promise<User> {
  if (!target.is_active) throw conflict('This account is deactivated; it cannot be changed.', 'account_deactivated');
  if (fields.email.toLowerCase() !== target.email.toLowerCase()) {
    const taken = await tx.trx('users').whereRaw('lower(email) = ?', [fields.email.toLowerCase()]).whereNot('id', target.id).first();
    if (taken) throw fieldTaken('email');
  }
  // A role change goes through the admins' rules (a mentor with open work stays a mentor).
  const current = fields.role !== target.role ? await updateUserAccess(tx, target, { role: fields.role }) : target;
  const patch: Partial<User> = { email: fields.email };
  if (fields.first_name !== undefined) patch.first_name = fields.first_name;
  if (fields.last_name !== undefined) patch.last_name = fields.last_name;
  if (fields.timezone !== undefined) patch.timezone = fields.timezone;
  if (fields.currency !== undefined) patch.currency = fields.currency;
  return current.$query(tx.trx).patchAndFetch(patch);
}

/**
 * Creates or updates the account of `externalId`: `created` tells which. Two first calls racing
 * for the same id both try to insert; the unique index lets one win and the other is retried as
 * the update it really is.
 */
export async function upsertPlatformUser(
  deps: { db: Knex; events: EventBus },
  actor: User,
  externalId: string,
  fields: PlatformUserFields,
): Promise<{ user: User; created: boolean }> {
  if (fields.timezone !== undefined && !isValidTimezone(fields.timezone)) {
    throw invalidField('timezone', 'must be an IANA timezone such as Europe/Berlin');
  }
  const username = platformUsername(externalId);
  const attempt = () =>
    inTransaction(deps.db, deps.events, async (tx) => {
      const existing = await findPlatformUser(tx.trx, externalId, { forUpdate: true });
      if (existing) return { user: await updatePlatformUser({ actor, ...tx }, existing, fields), created: false };
      const user = await createUser(tx.trx, { ...fields, username, password: null, external_id: externalId }, deps.events);
      return { user, created: true };
    });
  try {
    return await attempt();
  } catch (err) {
    // Lost the race for the first insert (the winner's row is committed by now): update it.
    if (!(await findPlatformUser(deps.db, externalId))) throw err;
    return attempt();
  }
}

/** Deactivates the account of `externalId` (a no-op when it already is); false when there is none. */
export async function deactivatePlatformUser(deps: { db: Knex; events: EventBus }, actor: User, externalId: string): Promise<boolean> {
  return inTransaction(deps.db, deps.events, async (tx) => {
    const target = await findPlatformUser(tx.trx, externalId, { forUpdate: true });
    if (!target) return false;
    if (target.is_active) await updateUserAccess({ actor, ...tx }, target, { is_active: false });
    return true;
  });
}

export interface UserTokenRequest {
  scope: UserTokenScope;
  session?: number;
  ttl?: number;
}

export interface MintedToken {
  access: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: UserTokenScope;
  session?: number;
}

/** A user token for the browser; a `room` token only for a session the user may join. */
export async function mintUserToken(db: Db, tokens: TokenService, externalId: string, input: UserTokenRequest): Promise<MintedToken> {
  const user = await findPlatformUser(db, externalId);
  if (!user) throw notFound('User');
  if (!user.is_active) throw conflict('This account is deactivated; no token can be issued for it.', 'account_deactivated');
  if (input.scope === 'room') {
    if (input.session === undefined) throw invalidField('session', 'is required for a room token');
    const session = await loadSessionForUser(db, user, input.session);
    if (!session || !can(user, 'join_room', session)) {
      throw invalidField('session', 'must be a session this user may join (its mentor, or a learner with a live booking)');
    }
  } else if (input.session !== undefined) {
    throw invalidField('session', 'is only accepted for a room token');
  }
  const ttl = input.ttl ?? USER_TOKEN_TTL.default;
  const access = tokens.signAccess(user, { scope: input.scope, session: input.session, ttlSeconds: ttl });
  return { access, token_type: 'Bearer', expires_in: ttl, scope: input.scope, ...(input.scope === 'room' ? { session: input.session } : {}) };
}
