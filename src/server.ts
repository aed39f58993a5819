/**
 * The process entry point: reads the configuration, migrates the database, listens on HOST:PORT and
 * shuts down gracefully on SIGTERM/SIGINT (stop accepting, finish in-flight requests, close the
 * database, exit within SHUTDOWN_TIMEOUT_MS).
 */
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createLogger, type Logger } from './logger.ts';
import { createKnex, createReadKnex, dialectOf, optimizeDatabase } from './db/knex.ts';
import { migrateLatest } from './db/migrate.ts';
import type { Redis } from 'ioredis';
import { loadRedis } from './lib/ioredis.ts';
import { createApp, type AppBundle } from './app.ts';
import { createHttpServer } from './httpServer.ts';
import { RedisRateLimiter } from './lib/redisRateLimiter.ts';
import { createApiKeyLimiter } from './lib/apiKeyRateLimit.ts';
import { startScheduler } from './jobs/scheduler.ts';
import { startWebhookWorker } from './webhooks/worker.ts';
import { attachRealtime, type RealtimeHub } from './realtime/hub.ts';

export interface RunningServer {
  server: http.Server;
  bundle: AppBundle;
  db: Knex;
  hub: RealtimeHub;
  url: string;
  /** Graceful stop: refuse new connections, let in-flight requests finish, release resources. */
  close(): Promise<void>;
}

export async function startServer(config: Config, logger: Logger = createLogger(config.logLevel)): Promise<RunningServer> {
  if (config.jwt.generated && config.env === 'development') {
    logger.warn(
      { file: `${config.dataDir}/jwt-secret` },
      'JWT_SECRET is not set: using a generated secret stored in the data folder. Set JWT_SECRET in production.',
    );
  }
  const db = createKnex(config.databaseUrl);
  const applied = await migrateLatest(db);
  if (applied.length) logger.info({ applied }, 'migrations applied');
  await optimizeDatabase(db, { startup: true });
  const dbRead = createReadKnex(config.databaseUrl, db, config.dbReadPoolSize);

  // With REDIS_URL, rate-limit counters are shared by every process (the hub opens its own
  // pub/sub connections). ioredis reconnects by itself; failures are logged, never fatal.
  let redis: Redis | undefined;
  if (config.redisUrl) {
    const Redis = loadRedis();
    redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false });
    let lastWarned = 0;
    let suppressed = 0;
    redis.on('error', (err) => {
      // ioredis retries with backoff and reports every failed attempt: log one line per 30 s.
      if (Date.now() - lastWarned < 30_000) return void suppressed++;
      logger.warn({ reason: err.message, suppressed }, 'redis (rate limiter) connection problem; retrying');
      lastWarned = Date.now();
      suppressed = 0;
    });
  }
  const bundle = createApp({
    config,
    db,
    dbRead,
    logger,
    redis,
    rateLimiter: redis ? new RedisRateLimiter(redis, logger) : undefined,
    apiKeyLimiter: redis ? createApiKeyLimiter(config, redis) : undefined,
  });
  const server = createHttpServer(bundle);
  const hub = attachRealtime(server, bundle.deps);
  const stopScheduler = startScheduler(bundle.deps);
  const stopWebhooks = startWebhookWorker(bundle.deps);
  // Planner statistics follow the data as it grows (SQLite; see optimizeDatabase).
  const optimizer =
    config.dbOptimizeIntervalSeconds > 0
      ? setInterval(() => {
          optimizeDatabase(db).catch((err) => logger.warn({ err }, 'PRAGMA optimize failed'));
        }, config.dbOptimizeIntervalSeconds * 1000).unref()
      : undefined;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const everywhere = config.host === '0.0.0.0' || config.host === '::';
  const url = `http://${everywhere ? '127.0.0.1' : config.host}:${port}`;
  // `host` says where it really listens: 0.0.0.0 / :: is every interface, reachable from the network.
  logger.info({ url, host: config.host, everyInterface: everywhere, database: dialectOf(config.databaseUrl), env: config.env }, 'listening');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await stopScheduler();
      await stopWebhooks();
      clearInterval(optimizer);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await hub.close();
      // Keep-alive connections with a request in flight are closed as soon as they fall idle,
      // and whatever is still open when the timeout passes is cut.
      server.closeIdleConnections();
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      const timer = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs);
      await closed;
      clearInterval(sweep);
      clearTimeout(timer);
      // The readers go first: a checkpoint cannot truncate the WAL while another connection reads it.
      if (dbRead !== db) await dbRead.destroy();
      if (dialectOf(config.databaseUrl) === 'sqlite') {
        // Fold the WAL back into the database file so a copy of it alone is complete.
        await db.raw('PRAGMA wal_checkpoint(TRUNCATE)').catch((err) => logger.warn({ err }, 'WAL checkpoint failed'));
      }
      await db.destroy();
      await bundle.deps.revocations.close();
      redis?.disconnect();
    })());

  return { server, bundle, db, hub, url, close };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`Configuration error: ${err.message}`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const running = await startServer(config, logger);
  let signalled = false;
  const shutdown = (signal: string) => {
    if (signalled) return;
    signalled = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs + 2000);
    force.unref();
    running.close().then(
      () => {
        logger.info('bye');
        logger.flush?.();
        process.exit(0);
      },
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
