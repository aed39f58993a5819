/**
 * Bearer authentication for every operation whose spec entry requires it. koa-jwt verifies the
 * signature with the pinned algorithm, issuer and audience; `isRevoked` adds what jsonwebtoken does
 * not check (RFC 8725): the explicit `at+jwt` type, a mandatory `exp` and a canonical user id in
 * `sub` (the same rule as the WebSocket upgrade, src/realtime/upgrade.ts). The user is then loaded so
 * a deactivated account or a changed role takes effect at once, not when the token expires — on
 * every request, never cached. The load goes through the read pool (`deps.dbRead`), which sees
 * every committed change, so it does not wait behind the writer's transactions.
 *
 * A bearer credential starting with `mdk_` is an API key instead (src/services/apiKeys.ts): it is
 * looked up on every call (a revocation holds at once on every process) and rate limited per key.
 * Either way the caller becomes `ctx.state.principal` (src/auth/principal.ts); a user's token also
 * sets `ctx.state.user`. Whether the principal's scopes cover the operation is checked next, by
 * the router.
 * Tokens of a login that was signed out are refused from the in-memory deny-list
 * (src/auth/revocations.ts).
 */
import type { Middleware } from 'koa';
import koaJwt from 'koa-jwt';
import { looksLikeApiKey } from '../auth/apiKeys.ts';
import { insufficientScope } from '../auth/principal.ts';
import { ACCESS_TYP, tokenHeaderType, tokenScope, validScopeClaims, type AccessClaims, type TokenService } from '../auth/tokens.ts';
import { forbidden, tooManyRequests, unauthorized } from '../errors.ts';
import { consumeApiKeyCall } from '../lib/apiKeyRateLimit.ts';
import { User, type Role } from '../models/index.ts';
import { touchApiKey, verifyApiKey } from '../services/apiKeys.ts';
import type { AppContext, AppState } from '../types.ts';

export function authenticate(options: { tokens: TokenService }): Middleware<AppState> {
  const { tokens } = options;
  const verify = koaJwt({
    // A KeyObject, not a string: see tokens.ts.
    secret: tokens.accessKey as unknown as string,
    algorithms: [...tokens.accessVerifyOptions().algorithms],
    issuer: tokens.issuer,
    audience: tokens.audience,
    key: 'jwt',
    isRevoked: async (_ctx, payload, token) => {
      const claims = payload as Partial<AccessClaims>;
      return (
        tokenHeaderType(token) !== ACCESS_TYP ||
        typeof claims.exp !== 'number' ||
        !/^[1-9]\d*$/.test(String(claims.sub)) ||
        !validScopeClaims(claims)
      );
    },
  });
  return async function authenticateMiddleware(ctx, next) {
    const c = ctx as unknown as AppContext;
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(ctx.get('Authorization'))?.[1];
    if (bearer && looksLikeApiKey(bearer)) {
      await authenticateApiKey(c, bearer);
      await next();
      return;
    }
    await verify(ctx as never, async () => {
      const claims = ctx.state.jwt!;
      if (claims.fam && c.deps.revocations.isRevoked(claims.fam)) {
        throw unauthorized('This login was signed out; sign in again.', 'token_revoked');
      }
      const user = await User.query(c.deps.dbRead).findById(Number(claims.sub));
      if (!user || !user.is_active) throw unauthorized('This account is not available.', 'account_unavailable');
      ctx.state.user = user;
      ctx.state.principal = { kind: 'user', user, scope: tokenScope(claims), session: claims.sid ?? null };
      await next();
    });
  };
}

async function authenticateApiKey(ctx: AppContext, key: string): Promise<void> {
  const { dbRead, db, apiKeyLimiter } = ctx.deps;
  const apiKey = await verifyApiKey(dbRead, key);
  const retryAfter = await consumeApiKeyCall(apiKeyLimiter, apiKey.id);
  if (retryAfter > 0) throw tooManyRequests(retryAfter, 'This API key made too many calls; slow down and retry after the delay.');
  await touchApiKey(db, apiKey);
  ctx.state.principal = {
    kind: 'api_key',
    key: { id: apiKey.id, name: apiKey.name, prefix: apiKey.prefix, scopes: apiKey.scopes, created_by: apiKey.created_by },
  };
}

/**
 * The authenticated user, or a 401 (for handlers of authenticated operations). An API key has no
 * user: operations that need one do not list API-key scopes, so this 403 is only a safety net.
 */
export function currentUser(ctx: AppContext): User {
  if (ctx.state.principal?.kind === 'api_key') throw insufficientScope([[]], 'This operation acts as a user; an API key cannot call it.');
  const user = ctx.state.user;
  if (!user) throw unauthorized();
  return user;
}

/**
 * For admin operations that API keys may call too: an API key passes (the router already checked
 * that its scopes cover the operation); a user must be an admin. Returns the admin, or null for a
 * key.
 */
export function requireAdminOrKey(ctx: AppContext): User | null {
  if (ctx.state.principal?.kind === 'api_key') return null;
  return requireRole(ctx, 'admin');
}

/** Refuses callers without one of the given roles (admins pass `admin`). */
export function requireRole(ctx: AppContext, ...roles: Array<Role | 'admin'>): User {
  const user = currentUser(ctx);
  const ok = roles.some((r) => (r === 'admin' ? user.is_admin : user.role === r));
  if (!ok) {
    const names = roles.map((r) => (r === 'admin' ? 'an admin' : `a ${r}`)).join(' or ');
    throw forbidden(`Only ${names} may do this.`, 'wrong_role');
  }
  return user;
}
