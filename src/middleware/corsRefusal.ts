/**
 * A browser page on an origin missing from `CORS_ORIGINS` only sees its request fail, without a
 * reason. The server says it where people look: each refused origin is logged once (warn), and a
 * preflight from it is answered 403 with an `origin_not_allowed` problem naming the origin and
 * the setting (shown in the browser's network panel, and to `curl`). Widget files stay loadable
 * from anywhere: they are public code.
 */
import type { Middleware } from 'koa';
import type { Config } from '../config.ts';
import { forbidden } from '../errors.ts';
import type { Logger } from '../logger.ts';

/** Origins logged so far are remembered up to this many (a flood of origins cannot grow it). */
const MAX_LOGGED_ORIGINS = 1000;

export function corsRefusal(config: Config, logger: Logger): Middleware {
  const allowAll = config.corsOrigins.includes('*');
  const publicOrigin = config.publicUrl ? new URL(config.publicUrl).origin : null;
  const logged = new Set<string>();
  return async function corsRefusal(ctx, next) {
    const origin = ctx.get('Origin');
    const allowed = !origin || allowAll || config.corsOrigins.includes(origin) || origin === `${ctx.protocol}://${ctx.host}` || origin === publicOrigin;
    if (allowed || ctx.path.startsWith('/widgets/')) return next();
    if (!logged.has(origin) && logged.size < MAX_LOGGED_ORIGINS) {
      logged.add(origin);
      logger.warn({ origin, path: ctx.path }, 'CORS: refused a page on an origin not listed in CORS_ORIGINS');
    }
    // A cross-origin OPTIONS from a browser is always a preflight.
    if (ctx.method === 'OPTIONS') {
      throw forbidden(`The origin ${origin} is not allowed by this server: add it to CORS_ORIGINS to call the API from there.`, 'origin_not_allowed');
    }
    return next();
  };
}
