/**
 * Who is calling, and whether their credential covers the operation.
 *
 * A principal is either a user (a password login's token, or a user token minted for a host
 * platform with the scope `full`, `dashboard`, `booking` or `room`) or an API key (no user, a set of scopes).
 * Operations list their `security` alternatives in openapi.yaml; `bearerAuth: []` is a full user
 * token, `bearerAuth: [X]` a credential holding scope X. The router checks them before the
 * handler runs (src/api/route.ts), so a handler only ever sees callers its operation admits.
 */
import { ApiError } from '../errors.ts';
import type { ApiKey, User } from '../models/index.ts';
import { USER_TOKEN_SCOPES, type UserTokenScope } from './tokens.ts';

export type Principal =
  | {
      kind: 'user';
      user: User;
      /** `full` for a password login. */
      scope: UserTokenScope;
      /** The session of a `room` token. */
      session: number | null;
    }
  | {
      kind: 'api_key';
      key: Pick<ApiKey, 'id' | 'name' | 'prefix' | 'scopes' | 'created_by'>;
    };

/** The scopes a principal holds, compared with the named scopes of a security alternative. */
function heldScopes(principal: Principal): readonly string[] {
  return principal.kind === 'api_key' ? principal.key.scopes : [principal.scope];
}

/** Whether the principal satisfies one security alternative (a list of required scopes). */
export function satisfies(principal: Principal, required: readonly string[]): boolean {
  if (required.length === 0) return principal.kind === 'user' && principal.scope === 'full';
  const held = heldScopes(principal);
  return required.every((scope) => held.includes(scope));
}

function describeAlternative(required: readonly string[]): string {
  if (required.length === 0) return 'a full user token';
  const names = required.map((s) => `\`${s}\``).join(' and ');
  return required.every((s) => (USER_TOKEN_SCOPES as readonly string[]).includes(s)) ? `a ${names} user token` : `an API key with ${names}`;
}

/** 403 naming what the operation accepts (RFC 6750 `insufficient_scope`). */
export function insufficientScope(alternatives: readonly (readonly string[])[], detail?: string): ApiError {
  const scopes = [...new Set(alternatives.flat())];
  const accepted = alternatives.map(describeAlternative).join(', or ');
  return new ApiError(403, 'insufficient_scope', 'Forbidden', detail ?? `This operation needs ${accepted}.`, {
    headers: {
      'WWW-Authenticate': `Bearer error="insufficient_scope"${scopes.length ? `, scope="${scopes.join(' ')}"` : ''}`,
    },
  });
}

/** Refuses a principal that satisfies none of the alternatives. */
export function checkScopes(principal: Principal, alternatives: readonly (readonly string[])[]): void {
  if (!alternatives.some((required) => satisfies(principal, required))) throw insufficientScope(alternatives);
}
