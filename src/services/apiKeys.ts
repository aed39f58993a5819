/**
 * API keys: created by an admin (the secret is answered once), listed without secrets, revoked at
 * once, and checked on every call that presents one. The check reads the row each time (by its
 * unique prefix, through the read pool), so a revocation or an expiry holds on the very next call
 * on every process; `last_used_at` is written at most once a minute per key.
 */
import type { Knex } from 'knex';
import { apiKeyMatches, apiKeyPrefix, generateApiKey, type ApiKeyScope } from '../auth/apiKeys.ts';
import { invalidField, unauthorized } from '../errors.ts';
import { ApiKey, type User } from '../models/index.ts';

type Db = Knex | Knex.Transaction;

/** How often `last_used_at` may be written for one key. */
export const LAST_USED_RESOLUTION_MS = 60_000;

/** A key to create, decoded at the route: `expiresAt` is an instant (none when absent or null). */
export interface NewApiKey {
  name: string;
  scopes: ApiKeyScope[];
  expiresAt?: Date | null;
}

/** Creates a key; returns the row and the secret, which is never stored or shown again. */
export async function createApiKey(db: Db, actor: User, input: NewApiKey, now = new Date()): Promise<{ apiKey: ApiKey; key: string }> {
  const expiresAt = input.expiresAt ?? null;
  if (expiresAt && expiresAt.getTime() <= now.getTime()) throw invalidField('expires_at', 'must be in the future');
  // A prefix collision (48 random bits) is astronomically rare; the unique index decides, and a
  // fresh key is drawn.
  for (let attempt = 0; ; attempt++) {
    const { key, prefix, hash } = generateApiKey();
    try {
      const apiKey = await ApiKey.query(db).insertAndFetch({
        name: input.name,
        prefix,
        key_hash: hash,
        scopes: [...input.scopes],
        created_by: actor.id,
        expires_at: expiresAt,
      });
      return { apiKey, key };
    } catch (err) {
      if ((err as Error).name !== 'UniqueViolationError' || attempt >= 2) throw err;
    }
  }
}

/** Every key, newest first. */
export function apiKeysQuery(db: Db) {
  return ApiKey.query(db).orderBy('id', 'desc');
}

/** Revokes a key (idempotent: a revoked key keeps its first revocation time). */
export async function revokeApiKey(db: Db, apiKey: ApiKey, now = new Date()): Promise<void> {
  await db('api_keys').where({ id: apiKey.id }).whereNull('revoked_at').update({ revoked_at: now });
}

const INVALID = 'The API key is invalid or was revoked.';

/**
 * The key a bearer credential names, or a 401. Unknown, malformed and revoked keys get the same
 * answer; an expired one says so (the caller proved they hold it).
 */
export async function verifyApiKey(db: Db, key: string, now = new Date()): Promise<ApiKey> {
  // A malformed key is looked up too (under an empty prefix that never exists), so every refusal
  // costs one query, one hash and one constant-time compare.
  const row = await ApiKey.query(db).where({ prefix: apiKeyPrefix(key) ?? '' }).first();
  if (!apiKeyMatches(key, row?.key_hash) || !row) throw unauthorized(INVALID, 'invalid_api_key');
  if (row.revoked_at) throw unauthorized(INVALID, 'invalid_api_key');
  if (row.expires_at && row.expires_at.getTime() <= now.getTime()) throw unauthorized('The API key has expired.', 'api_key_expired');
  return row;
}

/** Per-process memory of the last `last_used_at` write of each key (bounded by the key count). */
const lastWritten = new Map<number, number>();

/**
 * Records that `apiKey` was used, at most once a minute per key: skipped in memory when this
 * process wrote recently, and conditional in SQL so that several processes write once between them.
 */
export async function touchApiKey(db: Db, apiKey: ApiKey, now = new Date()): Promise<void> {
  const last = Math.max(lastWritten.get(apiKey.id) ?? 0, apiKey.last_used_at?.getTime() ?? 0);
  if (now.getTime() - last < LAST_USED_RESOLUTION_MS) return;
  lastWritten.set(apiKey.id, now.getTime());
  const before = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
  await db('api_keys')
    .where({ id: apiKey.id })
    .where((q) => q.whereNull('last_used_at').orWhere('last_used_at', '<=', before))
    .update({ last_used_at: now });
}
