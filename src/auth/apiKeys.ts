/**
 * API keys of host platforms' servers: `mdk_` + 32 random bytes in base64url (43 characters).
 * Such a key has 256 bits of entropy, so a fast hash is enough: the database keeps the SHA-256 of
 * the whole key and its non-secret prefix (`mdk_` + the first 8 characters), which finds the row.
 * The hashes are compared with `crypto.timingSafeEqual`, and an unknown or malformed key costs the
 * same hash and compare as a known one, so answers do not time the lookup.
 */
import crypto from 'node:crypto';

export const API_KEY_PREFIX = 'mdk_';
/** Scopes an API key may hold (declared as `ApiKeyScope` in openapi.yaml). */
export const API_KEY_SCOPES = ['platform:users', 'platform:tokens', 'webhooks', 'events', 'admin:read'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

const KEY_PATTERN = /^mdk_[A-Za-z0-9_-]{43,64}$/;
const PREFIX_LENGTH = API_KEY_PREFIX.length + 8;
/** Compared against when there is no row, so a miss does the same work as a hit. */
const DUMMY_HASH = Buffer.alloc(32);

export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const key = API_KEY_PREFIX + crypto.randomBytes(32).toString('base64url');
  return { key, prefix: key.slice(0, PREFIX_LENGTH), hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return crypto.createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Whether a bearer credential is meant as an API key (rather than a JWT). */
export function looksLikeApiKey(credential: string): boolean {
  return credential.startsWith(API_KEY_PREFIX);
}

/** The lookup prefix of a well-formed key, or undefined for anything else. */
export function apiKeyPrefix(key: string): string | undefined {
  return KEY_PATTERN.test(key) ? key.slice(0, PREFIX_LENGTH) : undefined;
}

/** Constant-time comparison of `key`'s hash with a stored hex hash (or with nothing). */
export function apiKeyMatches(key: string, storedHex: string | undefined): boolean {
  const actual = crypto.createHash('sha256').update(key, 'utf8').digest();
  const stored = storedHex && /^[0-9a-f]{64}$/.test(storedHex) ? Buffer.from(storedHex, 'hex') : DUMMY_HASH;
  return crypto.timingSafeEqual(actual, stored) && stored !== DUMMY_HASH;
}
