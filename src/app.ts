/**
 * Builds the Koa application (without listening), so tests and the server share it:
 *
 *   request id + access log → compression → caching headers, conditional GET and ETag →
 *   problem+json errors → security headers → CORS → trailing-slash normalisation → static files
 *   (docs assets, media, widgets) → the spec-driven router → 404/405
 */
import path from 'node:path';
import { createRequire } from 'node:module';
import zlib from 'node:zlib';
import Koa from 'koa';
import compress from 'koa-compress';
import cors from '@koa/cors';
import helmet from 'koa-helmet';
import send from 'koa-send';
import type { Knex } from 'knex';
import type { Config } from './config.ts';
import { createLogger, type Logger } from './logger.ts';
import { roomWindowSettings } from './views/roomWindow.ts';
import { EventBus } from './events.ts';
import { TokenService } from './auth/tokens.ts';
import { createRevocations, type Revocations } from './auth/revocations.ts';
import { MemoryRateLimiter, type RateLimiter } from './lib/rateLimiter.ts';
import { ImageJobs } from './lib/imageJobs.ts';
import { configureImageThreads } from './services/media.ts';
import { createApiKeyLimiter, type ApiKeyLimiter } from './lib/apiKeyRateLimit.ts';
import { loadSpec, type LoadedSpec } from './openapi/spec.ts';
import { buildApiRouter } from './api/route.ts';
import { collectRoutes } from './api/index.ts';
import { conditionalGet } from './middleware/conditionalGet.ts';
import { errorHandler } from './middleware/errorHandler.ts';
import { requestContext } from './middleware/requestContext.ts';
import { corsRefusal } from './middleware/corsRefusal.ts';
import { pagesAndWidgets } from './pages/router.ts';
import { problemPages } from './pages/problems.ts';
import { redocBundle } from './pages/redoc.ts';
import { ApiError, badRequest } from './errors.ts';
import type { AppContext, AppContextExtras, AppState, Deps } from './types.ts';

export interface CreateAppOptions {
  config: Config;
  db: Knex;
  /** Reads outside transactions; `db` when absent. */
  dbRead?: Knex;
  logger?: Logger;
  events?: EventBus;
  rateLimiter?: RateLimiter;
  /** The API keys' per-key limit; in memory when absent. */
  apiKeyLimiter?: ApiKeyLimiter;
  spec?: LoadedSpec;
  redis?: Deps['redis'];
  revocations?: Revocations;
}

export interface AppBundle {
  app: Koa<AppState, AppContextExtras>;
  deps: Deps;
}


const EXPOSED_HEADERS = ['X-Request-Id', 'Retry-After', 'Idempotent-Replayed', 'Location', 'ETag'];

/**
 * API answers depend on who asks: shared caches must keep them apart by Authorization (`Vary`) and
 * not store a signed-in person's data at all (`private`); browsers revalidate them with the ETag
 * (`no-cache`). Errors are not stored anywhere (`no-store`). A Cache-Control set by a handler wins.
 */
async function apiCaching(ctx: Koa.ParameterizedContext<AppState, AppContextExtras>, next: Koa.Next): Promise<void> {
  await next();
  if (!ctx.path.startsWith('/api/')) return;
  ctx.vary('Authorization');
  if (ctx.response.get('Cache-Control')) return;
  if (ctx.status >= 400) ctx.set('Cache-Control', 'no-store');
  else ctx.set('Cache-Control', ctx.get('Authorization') ? 'private, no-cache' : 'no-cache');
}

/**
 * A request with more than one Host header names two targets; RFC 9112 (section 3.2) says to answer
 * 400. Node keeps the first one and drops the others silently, so count them in the raw headers.
 */
async function singleHostHeader(ctx: Koa.ParameterizedContext<AppState, AppContextExtras>, next: Koa.Next): Promise<void> {
  const raw = ctx.req.rawHeaders;
  let hosts = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() === 'host') hosts++;
  if (hosts > 1) throw badRequest('The request carries more than one Host header.', 'duplicate_host');
  await next();
}

export function createApp(options: CreateAppOptions): AppBundle {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.logLevel);
  const events =
    options.events ??
    new EventBus((err, event) => logger.error({ err, event: event.type }, 'event handler failed'), roomWindowSettings(config));
  const deps: Deps = {
    config,
    db: options.db,
    dbRead: options.dbRead ?? options.db,
    logger,
    events,
    tokens: new TokenService(config.jwt),
    revocations: options.revocations ?? createRevocations(config, logger),
    rateLimiter: options.rateLimiter ?? new MemoryRateLimiter(),
    imageJobs: new ImageJobs({ concurrency: config.images.concurrency, perOwner: config.images.perUser, queueMax: config.images.queueMax }),
    apiKeyLimiter: options.apiKeyLimiter ?? createApiKeyLimiter(config),
    spec: options.spec ?? loadSpec(),
    redis: options.redis,
  };

  configureImageThreads(config.images.threads);

  // Behind a proxy the client address is the last X-Forwarded-For entry, the one our proxy added:
  // entries before it are whatever the client sent, and rate limits must not trust those.
  const app = new Koa<AppState, AppContextExtras>({ proxy: config.trustProxy, maxIpsCount: config.trustProxy ? 1 : 0 });
  app.context.deps = deps;
  app.silent = true; // errors are rendered and logged by our own middleware

  app.use(requestContext({ logger }));
  // brotli or gzip by Accept-Encoding, for bodies of 1 KiB or more of a compressible type (JSON,
  // problem+json, HTML, YAML, scripts); brotli at quality 4, the fast end (quality 11, meant for
  // files compressed once, takes ~50× longer). Pre-compressed widget files are sent as they are.
  app.use(
    compress({
      threshold: 1024,
      br: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } },
      gzip: { level: 6 },
      deflate: false,
    }) as Koa.Middleware<AppState, AppContextExtras>,
  );
  app.use(apiCaching);
  // An ETag on every GET answer held in memory, and 304 without a body for If-None-Match.
  app.use(conditionalGet() as Koa.Middleware<AppState, AppContextExtras>);
  app.use(errorHandler({ production: config.env === 'production' }));
  app.use(singleHostHeader);
  app.use(
    helmet({
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
    }) as Koa.Middleware<AppState, AppContextExtras>,
  );
  // A page on an origin missing from CORS_ORIGINS: logged, and its preflight answered with a problem.
  app.use(corsRefusal(config, logger) as Koa.Middleware<AppState, AppContextExtras>);
  const allowAll = config.corsOrigins.includes('*');
  app.use(
    cors({
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
    }) as Koa.Middleware<AppState, AppContextExtras>,
  );

  // Paths work with and without the trailing slash: `/api/sessions` is `/api/sessions/`.
  app.use(async function trailingSlash(ctx, next) {
    if (ctx.path.startsWith('/api/') && !ctx.path.endsWith('/')) ctx.path = `${ctx.path}/`;
    await next();
  });

  app.use(async function staticFiles(ctx, next) {
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
  });

  // Built widgets (/widgets/*.js) and the host pages (/login, /dashboard, /embed-example).
  app.use(pagesAndWidgets(config) as Koa.Middleware<AppState, AppContextExtras>);
  // /problems and /problems/{code}: what each problem `type` means.
  app.use(problemPages() as Koa.Middleware<AppState, AppContextExtras>);

  const router = buildApiRouter(deps.spec, collectRoutes(), deps);
  app.use(router.routes() as Koa.Middleware<AppState, AppContextExtras>);

  app.use(async function notFoundOrMethod(ctx) {
    const c = ctx as unknown as AppContext;
    const allowed = [...deps.spec.operations.values()]
      .filter((op) => op.pathRegex.test(c.path))
      .map((op) => op.method.toUpperCase());
    if (allowed.length && ctx.method === 'OPTIONS') {
      ctx.status = 204;
      ctx.set('Allow', [...allowed, 'OPTIONS'].join(', '));
      return;
    }
    if (allowed.length) {
      ctx.set('Allow', [...allowed, 'OPTIONS'].join(', '));
      throw new ApiError(405, 'method_not_allowed', 'Method not allowed', `${ctx.method} is not allowed here; use ${allowed.join(', ')}.`);
    }
    throw new ApiError(404, 'not_found', 'Not found', `Nothing is served at ${ctx.path}.`);
  });

  return { app, deps };
}
