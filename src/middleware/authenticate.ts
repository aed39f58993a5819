/**
 * Bearer authentication for every operation whose spec entry requires it. koa-jwt verifies the
 * signature with the pinned algorithm, issuer and audience; `isRevoked` adds what jsonwebtoken does
 * not check (RFC 8725): the explicit `at+jwt` type, a mandatory `exp` and a canonical user id in
 * `sub` (the same rule as the WebSocket upgrade, src/realtime/upgrade.ts). The user is then loaded so
 * a deactivated account or a changed role takes effect at once, not when the token expires — on
 * every request, never cached. The load goes through the read pool (`deps.dbRead`), which sees
 * every committed change, so it does not wait behind the writer's transactions. Tokens of a login
 * that was signed out are refused from the in-memory deny-list (src/auth/revocations.ts).
 */
import type { Middleware } from 'koa';
import koaJwt from 'koa-jwt';
import { ACCESS_TYP, tokenHeaderType, type AccessClaims, type TokenService } from '../auth/tokens.ts';
import { forbidden, unauthorized } from '../errors.ts';
import { User, type Role } from '../models/index.ts';
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
      return tokenHeaderType(token) !== ACCESS_TYP || typeof claims.exp !== 'number' || !/^[1-9]\d*$/.test(String(claims.sub));
    },
  });
  return async function authenticateMiddleware(ctx, next) {
    await verify(ctx as never, async () => {
      const claims = ctx.state.jwt!;
      if (claims.fam && (ctx as unknown as AppContext).deps.revocations.isRevoked(claims.fam)) {
        throw unauthorized('This login was signed out; sign in again.', 'token_revoked');
      }
      const user = await User.query((ctx as unknown as AppContext).deps.dbRead).findById(Number(claims.sub));
      if (!user || !user.is_active) throw unauthorized('This account is not available.', 'account_unavailable');
      ctx.state.user = user;
      await next();
    });
  };
}

/** The authenticated user, or a 401 (for handlers of authenticated operations). */
export function currentUser(ctx: AppContext): User {
  const user = ctx.state.user;
  if (!user) throw unauthorized();
  return user;
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
