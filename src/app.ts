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
import { apiCaching } from './middleware/apiCaching.ts';
import { conditionalGet } from './middleware/conditionalGet.ts';
import { corsAllowlist } from './middleware/cors.ts';
import { corsRefusal } from './middleware/corsRefusal.ts';
import { errorHandler } from './middleware/errorHandler.ts';
import { notFoundOrMethod } from './middleware/notFound.ts';
import { requestContext } from './middleware/requestContext.ts';
import { securityHeaders } from './middleware/securityHeaders.ts';
import { singleHostHeader } from './middleware/singleHostHeader.ts';
import { staticFiles } from './middleware/staticFiles.ts';
import { trailingSlash } from './middleware/trailingSlash.ts';
import { pagesAndWidgets } from './pages/router.ts';
import { problemPages } from './pages/problems.ts';
import type { AppContextExtras, AppMiddleware, AppState, Deps } from './types.ts';

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
    }) as AppMiddleware,
  );
  app.use(apiCaching);
  // An ETag on every GET answer held in memory, and 304 without a body for If-None-Match.
  app.use(conditionalGet() as AppMiddleware);
  app.use(errorHandler({ production: config.env === 'production' }));
  app.use(singleHostHeader);
  app.use(securityHeaders(config));
  // A page on an origin missing from CORS_ORIGINS: logged, and its preflight answered with a problem.
  app.use(corsRefusal(config, logger) as AppMiddleware);
  app.use(corsAllowlist(config));
  app.use(trailingSlash);
  // The Redoc bundle and uploaded media.
  app.use(staticFiles(config));

  // Built widgets (/widgets/*.js) and the host pages (/login, /dashboard, /embed-example).
  app.use(pagesAndWidgets(config) as AppMiddleware);
  // /problems and /problems/{code}: what each problem `type` means.
  app.use(problemPages() as AppMiddleware);

  const router = buildApiRouter(deps.spec, collectRoutes(), deps);
  app.use(router.routes());
  // Nothing matched: 405 with Allow on a known path, else 404.
  app.use(notFoundOrMethod(deps.spec));

  return { app, deps };
}
