/** API keys (never their secret or hash) and provisioned users, as the API shows them. */
import type { Schema } from '../contract/types.ts';
import { iso } from '../lib/time.ts';
import type { ApiKey, User } from '../models/index.ts';

export function presentApiKey(key: ApiKey): Schema<'ApiKey'> {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes as Schema<'ApiKeyScope'>[],
    created_at: iso(key.created_at),
    last_used_at: iso(key.last_used_at),
    expires_at: iso(key.expires_at),
    revoked_at: iso(key.revoked_at),
  };
}

/** The one answer that carries the secret: right after the key was created. */
export function presentCreatedApiKey(key: ApiKey, secret: string): Schema<'ApiKeyCreated'> {
  return { ...presentApiKey(key), key: secret };
}

export function presentPlatformUser(user: User): Schema<'PlatformUser'> {
  return {
    id: user.id,
    external_id: user.external_id!,
    username: user.username,
    email: user.email,
    role: user.role,
    first_name: user.first_name,
    last_name: user.last_name,
    timezone: user.timezone,
    currency: user.currency,
    is_active: user.is_active,
    created_at: iso(user.created_at),
    updated_at: iso(user.updated_at),
  };
}
