/**
 * Security headers (koa-helmet): a Content-Security-Policy for our pages and widgets, and
 * cross-origin loading of widgets and media by pages on other (allowlisted) origins.
 */
import helmet from 'koa-helmet';
import type { Config } from '../config.ts';
import type { AppMiddleware } from '../types.ts';

export function securityHeaders(config: Pick<Config, 'env'>): AppMiddleware {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'script-src': ["'self'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:', 'blob:'],
        'media-src': ["'self'", 'blob:', 'mediastream:'],
        'connect-src': ["'self'", 'ws:', 'wss:'],
        'worker-src': ["'self'", 'blob:'],
        'upgrade-insecure-requests': config.env === 'production' ? [] : null,
      },
    },
    // Widgets and media are meant to be loaded by pages on other (allowlisted) origins.
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    crossOriginEmbedderPolicy: false,
    strictTransportSecurity: config.env === 'production',
  }) as AppMiddleware;
}
