import type { AppMiddleware } from '../types.ts';

/** Paths work with and without the trailing slash: `/api/sessions` is `/api/sessions/`. */
export const trailingSlash: AppMiddleware = async function trailingSlash(ctx, next) {
  if (ctx.path.startsWith('/api/') && !ctx.path.endsWith('/')) ctx.path = `${ctx.path}/`;
  await next();
};
