/**
 * The one place that reads the environment. Every variable is parsed and validated here, once, at
 * start-up; a bad value stops the process with a message naming the variable. Every variable is
 * documented in the README ("Configuration").
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export type NodeEnv = 'development' | 'production' | 'test';

export interface Config {
  env: NodeEnv;
  host: string;
  port: number;
  /** Public base URL, used for absolute links (pagination, media). Empty: derived from the request. */
  publicUrl: string;
  dataDir: string;
  databaseUrl: string;
  /**
   * Read-only SQLite connections for reads outside transactions (src/db/knex.ts, createReadKnex);
   * 0 sends every read to the single writer connection. Unused on PostgreSQL.
   */
  dbReadPoolSize: number;
  /** Seconds between `PRAGMA optimize` runs on SQLite (also run at start-up); 0: start-up only. */
  dbOptimizeIntervalSeconds: number;
  mediaRoot: string;
  jwt: {
    secret: Buffer;
    /** true when the secret was generated and persisted in DATA_DIR (development only). */
    generated: boolean;
    issuer: string;
    audience: string;
    accessTtlSeconds: number;
    refreshTtlSeconds: number;
  };
  corsOrigins: string[];
  logLevel: string;
  trustProxy: boolean;
  redisUrl: string;
  readyLeadMinutes: number;
  reminderMinutes: number;
  schedulerIntervalSeconds: number;
  loginRateLimit: { max: number; windowSeconds: number };
  uploadMaxBytes: number;
  bodyLimitBytes: number;
  turn: { urls: string[]; secret: string; ttlSeconds: number };
  stunUrls: string[];
  shutdownTimeoutMs: number;
  /** The realtime hub on /ws (src/realtime/). */
  ws: {
    /** Ping interval; a socket that has not answered the previous ping is terminated. */
    heartbeatMs: number;
    /** Largest accepted client frame; larger ones close the socket with 1009. */
    maxPayloadBytes: number;
    /** Open sockets per user and process; more are refused with 429 before the handshake. */
    maxConnectionsPerUser: number;
    /** Client messages per second per socket (token bucket refill) and the burst allowed. */
    rateLimit: { perSecond: number; burst: number };
    /** Unsent bytes a socket may queue before it is closed as a slow consumer. */
    maxBufferedBytes: number;
    /** Prefix of the Redis channels and keys (several deployments may share one Redis). */
    redisPrefix: string;
  };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function str(env: Env, name: string, fallback: string): string {
  const v = env[name];
  return v === undefined || v === '' ? fallback : v;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be an integer, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function list(env: Env, name: string): string[] {
  return str(env, name, '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function origin(name: string, value: string): string {
  if (value === '*') return value;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name}: "${value}" is not an origin like https://example.com`);
  }
  if (url.origin !== value.replace(/\/$/, '')) {
    throw new ConfigError(`${name}: "${value}" must be a bare origin (scheme://host[:port]), no path`);
  }
  return url.origin;
}

function loadJwtSecret(env: Env, nodeEnv: NodeEnv, dataDir: string): { secret: Buffer; generated: boolean } {
  const raw = env.JWT_SECRET;
  if (raw !== undefined && raw !== '') {
    const secret = Buffer.from(raw, 'utf8');
    if (secret.length < 32) throw new ConfigError('JWT_SECRET must be at least 32 bytes long');
    return { secret, generated: false };
  }
  if (nodeEnv === 'production') throw new ConfigError('JWT_SECRET is required when NODE_ENV=production');
  if (nodeEnv === 'test') return { secret: crypto.randomBytes(32), generated: true };
  const file = path.join(dataDir, 'jwt-secret');
  try {
    const existing = fs.readFileSync(file);
    if (existing.length >= 32) return { secret: existing, generated: true };
  } catch {
    /* generated below */
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const secret = crypto.randomBytes(48);
  fs.writeFileSync(file, secret, { mode: 0o600 });
  return { secret, generated: true };
}

function wsRedisPrefix(env: Env): string {
  const prefix = str(env, 'WS_REDIS_PREFIX', 'mentor-dashboard:ws:');
  if (!/^[A-Za-z0-9:._-]{1,64}$/.test(prefix)) {
    throw new ConfigError('WS_REDIS_PREFIX must be 1–64 letters, digits, ":", ".", "_" or "-"');
  }
  return prefix;
}

/** Reads and validates the configuration. `env` defaults to process.env (tests pass their own). */
export function loadConfig(env: Env = process.env): Config {
  const rawEnv = str(env, 'NODE_ENV', 'development');
  if (!['development', 'production', 'test'].includes(rawEnv)) {
    throw new ConfigError(`NODE_ENV must be development, production or test, got "${rawEnv}"`);
  }
  const nodeEnv = rawEnv as NodeEnv;
  const dataDir = path.resolve(str(env, 'DATA_DIR', 'data'));
  const databaseUrl = str(env, 'DATABASE_URL', `sqlite://${path.join(dataDir, 'mentor-dashboard.sqlite3')}`);
  if (!/^(sqlite:|postgres(ql)?:\/\/)/.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must start with sqlite: or postgres:// (e.g. postgres://user@127.0.0.1:5432/db)');
  }
  const publicUrl = str(env, 'PUBLIC_URL', '');
  if (publicUrl) origin('PUBLIC_URL', publicUrl);
  const redisUrl = str(env, 'REDIS_URL', '');
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) throw new ConfigError('REDIS_URL must start with redis:// or rediss://');
  const logLevel = str(env, 'LOG_LEVEL', nodeEnv === 'test' ? 'silent' : 'info');
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got "${logLevel}"`);
  }
  const turnUrls = list(env, 'TURN_URLS');
  const turnSecret = str(env, 'TURN_SECRET', '');
  if (turnUrls.length && !turnSecret) throw new ConfigError('TURN_URLS is set but TURN_SECRET is missing');
  for (const u of [...turnUrls, ...list(env, 'STUN_URLS')]) {
    if (!/^(stun|turn|turns):/.test(u)) throw new ConfigError(`ICE server URL "${u}" must start with stun:, turn: or turns:`);
  }
  const { secret, generated } = loadJwtSecret(env, nodeEnv, dataDir);

  return {
    env: nodeEnv,
    host: str(env, 'HOST', '0.0.0.0'),
    port: int(env, 'PORT', 8000, 0, 65535),
    publicUrl: publicUrl.replace(/\/$/, ''),
    dataDir,
    databaseUrl,
    dbReadPoolSize: int(env, 'DB_READ_POOL_SIZE', 3, 0, 16),
    dbOptimizeIntervalSeconds: int(env, 'DB_OPTIMIZE_INTERVAL_SECONDS', 3600, 0, 7 * 86400),
    mediaRoot: path.resolve(str(env, 'MEDIA_ROOT', path.join(dataDir, 'media'))),
    jwt: {
      secret,
      generated,
      issuer: str(env, 'JWT_ISSUER', 'mentor-dashboard'),
      audience: str(env, 'JWT_AUDIENCE', 'mentor-dashboard-api'),
      accessTtlSeconds: int(env, 'JWT_ACCESS_TTL', 15 * 60, 30, 24 * 3600),
      refreshTtlSeconds: int(env, 'JWT_REFRESH_TTL', 14 * 24 * 3600, 60, 365 * 24 * 3600),
    },
    corsOrigins: list(env, 'CORS_ORIGINS').map((o) => origin('CORS_ORIGINS', o)),
    logLevel,
    trustProxy: bool(env, 'TRUST_PROXY', false),
    redisUrl,
    readyLeadMinutes: int(env, 'READY_LEAD_MINUTES', 30, 0, 24 * 60),
    reminderMinutes: int(env, 'REMINDER_MINUTES', 15, 1, 7 * 24 * 60),
    schedulerIntervalSeconds: int(env, 'SCHEDULER_INTERVAL_SECONDS', 30, 0, 3600),
    loginRateLimit: {
      max: int(env, 'LOGIN_RATE_LIMIT', 10, 1, 100000),
      windowSeconds: int(env, 'LOGIN_RATE_WINDOW_SECONDS', 60, 1, 86400),
    },
    uploadMaxBytes: int(env, 'UPLOAD_MAX_BYTES', 2 * 1024 * 1024, 1024, 50 * 1024 * 1024),
    bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 100 * 1024, 1024, 10 * 1024 * 1024),
    turn: { urls: turnUrls, secret: turnSecret, ttlSeconds: int(env, 'TURN_TTL_SECONDS', 3600, 60, 86400) },
    stunUrls: list(env, 'STUN_URLS'),
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 10000, 0, 120000),
    ws: {
      heartbeatMs: int(env, 'WS_HEARTBEAT_MS', 30000, 50, 600000),
      maxPayloadBytes: int(env, 'WS_MAX_PAYLOAD_BYTES', 64 * 1024, 1024, 1024 * 1024),
      maxConnectionsPerUser: int(env, 'WS_MAX_CONNECTIONS_PER_USER', 10, 1, 10000),
      rateLimit: {
        perSecond: int(env, 'WS_RATE_LIMIT', 50, 1, 10000),
        burst: int(env, 'WS_RATE_BURST', 200, 1, 100000),
      },
      maxBufferedBytes: int(env, 'WS_MAX_BUFFERED_BYTES', 1024 * 1024, 1024, 256 * 1024 * 1024),
      redisPrefix: wsRedisPrefix(env),
    },
  };
}
