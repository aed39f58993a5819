/** Koa context and state types shared by middleware and routes. */
import type { Middleware, ParameterizedContext } from 'koa';
import type { Knex } from 'knex';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import type { EventBus } from './events.ts';
import type { TokenService, AccessClaims } from './auth/tokens.ts';
import type { Revocations } from './auth/revocations.ts';
import type { RateLimiter } from './lib/rateLimiter.ts';
import type { ImageJobs } from './lib/imageJobs.ts';
import type { ApiKeyLimiter } from './lib/apiKeyRateLimit.ts';
import type { Principal } from './auth/principal.ts';
import type { User } from './models/index.ts';
import type { LoadedSpec } from './openapi/spec.ts';

/** The application's collaborators, built once by `createApp` and reachable as `ctx.deps`. */
export interface Deps {
  config: Config;
  /** The writer: every write and every transaction. */
  db: Knex;
  /**
   * For reads outside transactions (the user load, listings): read-only connections on SQLite
   * beside the writer's single one, or `db` itself (src/db/knex.ts, createReadKnex).
   */
  dbRead: Knex;
  logger: Logger;
  events: EventBus;
  tokens: TokenService;
  /** Refresh-token families whose access tokens are refused (logout, reuse): auth/revocations.ts. */
  revocations: Revocations;
  rateLimiter: RateLimiter;
  /** Bounds concurrent image work (upload decoding) per process and per user. */
  imageJobs: ImageJobs;
  /** The per-key call limit of API keys (src/lib/apiKeyRateLimit.ts). */
  apiKeyLimiter: ApiKeyLimiter;
  spec: LoadedSpec;
  /** Set when REDIS_URL is configured (readiness reports it). */
  redis?: { ping(): Promise<unknown> };
}

export interface AppState {
  requestId: string;
  log: Logger;
  /** The verified access-token claims (set by koa-jwt). */
  jwt?: AccessClaims;
  /** The authenticated, active user (absent for an API key). */
  user?: User;
  /** Who is calling: a user with their token's scope, or an API key (src/auth/principal.ts). */
  principal?: Principal;
  /** The validated, coerced request input (set by the validation middleware). */
  input?: { path: Record<string, unknown>; query: Record<string, unknown>; headers: Record<string, unknown>; body: unknown };
}

export interface AppContextExtras {
  deps: Deps;
}

export type AppContext = ParameterizedContext<AppState, AppContextExtras>;

/** A Koa middleware of this application (its state and `ctx.deps`). */
export type AppMiddleware = Middleware<AppState, AppContextExtras>;
