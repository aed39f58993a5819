import type { AppMiddleware } from '../types.ts';

/**
 * API answers depend on who asks: shared caches must keep them apart by Authorization (`Vary`) and
 * not store a signed-in person's data at all (`private`); browsers revalidate them with the ETag
 * (`no-cache`). Errors are not stored anywhere (`no-store`). A Cache-Control set by a handler wins.
 */
export const apiCaching: AppMiddleware = async function apiCaching(ctx, next) {
  await next();
  if (!ctx.path.startsWith('/api/')) return;
  ctx.vary('Authorization');
  if (ctx.response.get('Cache-Control')) return;
  if (ctx.status >= 400) ctx.set('Cache-Control', 'no-store');
  else ctx.set('Cache-Control', ctx.get('Authorization') ? 'private, no-cache' : 'no-cache');
};
