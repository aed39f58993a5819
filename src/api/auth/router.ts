/** /api/auth/*: register, token, token refresh, logout. */
import type { ApiRoutes } from '../route.ts';
import { presentProfile } from '../../presenters/user.ts';
import { createUser, limitRegistrations, login, logout, refresh } from '../../services/auth.ts';
import { LoginThrottle } from '../../services/loginThrottle.ts';

export function registerAuthRoutes(routes: ApiRoutes): void {
  routes
    .on('register', async (ctx, { body }) => {
      await limitRegistrations(ctx.deps.rateLimiter, ctx.deps.config.registerRateLimit, ctx.ip);
      const user = await createUser(ctx.deps.db, body, ctx.deps.events);
      ctx.status = 201;
      ctx.body = presentProfile(user);
    })
    .on('obtainToken', async (ctx, { body }) => {
      const { db, tokens, rateLimiter, config } = ctx.deps;
      const throttle = new LoginThrottle(db, rateLimiter, config.loginRateLimit);
      ctx.body = await login({ db, tokens, throttle }, { ...body, ip: ctx.ip });
      ctx.set('Cache-Control', 'no-store');
    })
    .on('refreshToken', async (ctx, { body }) => {
      ctx.body = await refresh(ctx.deps, body.refresh, ctx.deps.config.jwt.refreshGraceSeconds);
      ctx.set('Cache-Control', 'no-store');
    })
    .on('logout', async (ctx, { body }) => {
      await logout(ctx.deps, body.refresh);
      ctx.status = 204;
    });
}
