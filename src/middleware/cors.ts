/** CORS for the origins in CORS_ORIGINS (`*` for any); refused origins are handled by corsRefusal.ts. */
import cors from '@koa/cors';
import type { Config } from '../config.ts';
import type { AppMiddleware } from '../types.ts';

const EXPOSED_HEADERS = ['X-Request-Id', 'Retry-After', 'Idempotent-Replayed', 'Location', 'ETag'];

export function corsAllowlist(config: Pick<Config, 'corsOrigins'>): AppMiddleware {
  const allowAll = config.corsOrigins.includes('*');
  return cors({
    origin: (ctx) => {
      const origin = ctx.get('Origin');
      if (!origin) return '';
      return allowAll || config.corsOrigins.includes(origin) ? origin : '';
    },
    allowMethods: ['GET', 'HEAD', 'PUT', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
    allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id', 'If-None-Match'],
    exposeHeaders: EXPOSED_HEADERS,
    maxAge: 600,
    keepHeadersOnError: true,
  }) as AppMiddleware;
}
