/** Static files: the Redoc bundle for /docs, and uploaded media (/media/…) from MEDIA_ROOT. */
import send from 'koa-send';
import type { Config } from '../config.ts';
import { redocBundle } from '../pages/redoc.ts';
import type { AppMiddleware } from '../types.ts';

export function staticFiles(config: Pick<Config, 'mediaRoot'>): AppMiddleware {
  return async function staticFiles(ctx, next) {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    if (ctx.path === '/docs/redoc.standalone.js') {
      ctx.type = 'application/javascript; charset=utf-8';
      ctx.set('Cache-Control', 'public, max-age=86400');
      ctx.body = await redocBundle();
      return;
    }
    if (ctx.path.startsWith('/media/')) {
      const rel = ctx.path.slice('/media/'.length);
      // Only files we wrote: random names, image extensions, no traversal.
      if (!/^[a-z0-9-]+\/[A-Za-z0-9_-]{16,}\.(webp|jpg|png)$/.test(rel)) return next();
      try {
        await send(ctx, rel, { root: config.mediaRoot, maxage: 31_536_000_000, immutable: true });
      } catch {
        return next();
      }
      return;
    }
    await next();
  };
}
