/**
 * The one place that reads the environment. Every variable is parsed and validated here, once, at
 * start-up; a bad value stops the process with a message naming the variable. Every variable is
 * documented in docs/configuration.md, the security limits in docs/security.md.
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
    /**
     * For this long after a refresh token was spent, the same token may be exchanged again and
     * answers its (still unused) successor: parallel refreshes do not count as reuse.
     */
    refreshGraceSeconds: number;
  };
  corsOrigins: string[];
  logLevel: string;
  trustProxy: boolean;
  redisUrl: string;
  readyLeadMinutes: number;
  /** How far ahead a session with live bookings must start, before and after a move. */
  rescheduleNoticeMinutes: number;
  /** Minutes a scheduled session's room stays open after its end (src/services/attendance.ts). */
  roomGraceMinutes: number;
  reminderMinutes: number;
  schedulerIntervalSeconds: number;
  /** Login throttling (src/services/loginThrottle.ts, docs/security.md). */
  loginRateLimit: {
    max: number;
    windowSeconds: number;
    addressMax: number;
    userMax: number;
    userWindowSeconds: number;
    knownAddressDays: number;
  };
  /** Registrations per client address per window. */
  registerRateLimit: { max: number; windowSeconds: number };
  /** Session requests: pending ones per learner and mentor, and new ones per learner and window. */
  requestLimits: { maxPending: number; rate: { max: number; windowSeconds: number } };
  /** Calls one API key may make per window (shared across processes with REDIS_URL). */
  apiKeyRateLimit: { max: number; windowSeconds: number };
  uploadMaxBytes: number;
  /** Image work on uploads (src/lib/imageJobs.ts, src/services/media.ts, docs/security.md). */
  images: {
    /** Largest decoded canvas (width × height) accepted. */
    maxPixels: number;
    /** Image jobs running at once per process (0: unbounded). */
    concurrency: number;
    /** Jobs one user may have running or waiting (0: unbounded). */
    perUser: number;
    /** Jobs that may wait for a slot; more are refused with 429. */
    queueMax: number;
    /** libvips threads per image (sharp.concurrency); 0 keeps sharp's default (one per core). */
    threads: number;
  };
  bodyLimitBytes: number;
  turn: { urls: string[]; secret: string; ttlSeconds: number };
  stunUrls: string[];
  shutdownTimeoutMs: number;
  /** Connection timeouts of the HTTP server (src/httpServer.ts, docs/security-realtime.md). */
  http: {
    /** A connection that has not completed a request's headers after this long is closed. */
    idleTimeoutMs: number;
    /** Time allowed to receive a request's headers, from its first byte. */
    headersTimeoutMs: number;
    /** Time allowed to receive a whole request (headers and body). */
    requestTimeoutMs: number;
    /** How long a kept-alive connection may wait for its next request. */
    keepAliveTimeoutMs: number;
  };
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
    /**
     * Bytes of `signal` a socket may send (refill per second, burst) and a socket may be sent by
     * all its room's peers together (per second; bursts of two seconds' worth).
     */
    signalLimit: { bytesPerSecond: number; burstBytes: number; targetBytesPerSecond: number };
    /** An upgrade request not admitted (or refused) within this time is cut. */
    upgradeTimeoutMs: number;
  };
  /** The event feed and webhook delivery (src/webhooks/). */
  webhooks: WebhookConfig;
}

export interface WebhookConfig {
  /** Accept `http:` endpoint URLs (otherwise only `https:`). */
  allowHttp: boolean;
  /** Deliver to loopback, private, link-local and other non-public addresses. */
  allowPrivateNetworks: boolean;
  /** Waits before the 2nd, 3rd, … attempt (ms); a delivery fails for good after the last. */
  retryScheduleMs: number[];
  /** An attempt without a complete answer after this long failed. */
  timeoutMs: number;
  /** How often each process's worker looks for due deliveries written by other processes. */
  pollIntervalMs: number;
  /** Events (and finished deliveries) older than this are pruned by the scheduler. */
  eventRetentionDays: number;
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

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `5s,5m,30m,2h` → milliseconds; a bare number is milliseconds. */
function retrySchedule(env: Env): number[] {
  const raw = str(env, 'WEBHOOK_RETRY_SCHEDULE', '5s,5m,30m,2h,5h,10h,10h');
  const steps = raw.split(',').map((s) => s.trim());
  return steps.map((step) => {
    const m = /^(\d+)(ms|s|m|h|d)?$/.exec(step);
    const ms = m ? Number(m[1]) * DURATION_UNITS[m[2] ?? 'ms']! : NaN;
    if (!(ms >= 1 && ms <= 7 * 86_400_000) || steps.length > 20) {
      throw new ConfigError(`WEBHOOK_RETRY_SCHEDULE must be up to 20 comma-separated durations such as 5s,5m,2h (1 ms to 7 d), got "${raw}"`);
    }
    return ms;
  });
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
  const loginMax = int(env, 'LOGIN_RATE_LIMIT', 5, 1, 100000);
  const http = httpTimeouts(env);
  const maxPayloadBytes = int(env, 'WS_MAX_PAYLOAD_BYTES', 64 * 1024, 1024, 1024 * 1024);
  const signalBurst = int(env, 'WS_SIGNAL_BURST_BYTES', 256 * 1024, 1024, 64 * 1024 * 1024);
  if (signalBurst < maxPayloadBytes) {
    throw new ConfigError('WS_SIGNAL_BURST_BYTES must be at least WS_MAX_PAYLOAD_BYTES (a largest message must be able to pass)');
  }

  return {
    env: nodeEnv,
    // Development and tests listen on loopback only: the demo accounts have known passwords.
    // Production (containers, process managers) listens on every interface unless HOST says otherwise.
    host: str(env, 'HOST', nodeEnv === 'production' ? '0.0.0.0' : '127.0.0.1'),
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
      refreshGraceSeconds: int(env, 'JWT_REFRESH_GRACE_SECONDS', 20, 0, 60),
    },
    corsOrigins: list(env, 'CORS_ORIGINS').map((o) => origin('CORS_ORIGINS', o)),
    logLevel,
    trustProxy: bool(env, 'TRUST_PROXY', false),
    redisUrl,
    readyLeadMinutes: int(env, 'READY_LEAD_MINUTES', 30, 0, 24 * 60),
    rescheduleNoticeMinutes: int(env, 'RESCHEDULE_NOTICE_MINUTES', 24 * 60, 0, 30 * 24 * 60),
    roomGraceMinutes: int(env, 'ROOM_GRACE_MINUTES', 15, 0, 24 * 60),
    reminderMinutes: int(env, 'REMINDER_MINUTES', 15, 1, 7 * 24 * 60),
    schedulerIntervalSeconds: int(env, 'SCHEDULER_INTERVAL_SECONDS', 30, 0, 3600),
    loginRateLimit: {
      max: loginMax,
      windowSeconds: int(env, 'LOGIN_RATE_WINDOW_SECONDS', 15 * 60, 1, 86400),
      addressMax: int(env, 'LOGIN_ADDRESS_LIMIT', 20 * loginMax, 1, 10_000_000),
      userMax: int(env, 'LOGIN_USER_LIMIT', 4 * loginMax, 1, 10_000_000),
      userWindowSeconds: int(env, 'LOGIN_USER_WINDOW_SECONDS', 3600, 1, 7 * 86400),
      knownAddressDays: int(env, 'LOGIN_KNOWN_ADDRESS_DAYS', 30, 1, 365),
    },
    registerRateLimit: {
      max: int(env, 'REGISTER_RATE_LIMIT', 10, 1, 10_000_000),
      windowSeconds: int(env, 'REGISTER_RATE_WINDOW_SECONDS', 3600, 1, 86400),
    },
    requestLimits: {
      maxPending: int(env, 'REQUEST_MAX_PENDING', 3, 1, 100),
      rate: {
        max: int(env, 'REQUEST_RATE_LIMIT', 20, 1, 100000),
        windowSeconds: int(env, 'REQUEST_RATE_WINDOW_SECONDS', 600, 1, 86400),
      },
    },
    apiKeyRateLimit: {
      max: int(env, 'API_KEY_RATE_LIMIT', 600, 1, 1_000_000),
      windowSeconds: int(env, 'API_KEY_RATE_WINDOW_SECONDS', 60, 1, 86400),
    },
    uploadMaxBytes: int(env, 'UPLOAD_MAX_BYTES', 2 * 1024 * 1024, 1024, 50 * 1024 * 1024),
    images: {
      maxPixels: int(env, 'IMAGE_MAX_PIXELS', 25_000_000, 1, 0x3fff * 0x3fff),
      concurrency: int(env, 'IMAGE_CONCURRENCY', 2, 0, 64),
      perUser: int(env, 'IMAGE_USER_CONCURRENCY', 1, 0, 64),
      queueMax: int(env, 'IMAGE_QUEUE_MAX', 16, 0, 10_000),
      threads: int(env, 'IMAGE_THREADS', 1, 0, 64),
    },
    bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 100 * 1024, 1024, 10 * 1024 * 1024),
    turn: { urls: turnUrls, secret: turnSecret, ttlSeconds: int(env, 'TURN_TTL_SECONDS', 3600, 60, 86400) },
    stunUrls: list(env, 'STUN_URLS'),
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 10000, 0, 120000),
    http,
    ws: {
      heartbeatMs: int(env, 'WS_HEARTBEAT_MS', 30000, 50, 600000),
      maxPayloadBytes,
      maxConnectionsPerUser: int(env, 'WS_MAX_CONNECTIONS_PER_USER', 10, 1, 10000),
      rateLimit: {
        perSecond: int(env, 'WS_RATE_LIMIT', 50, 1, 10000),
        burst: int(env, 'WS_RATE_BURST', 200, 1, 100000),
      },
      maxBufferedBytes: int(env, 'WS_MAX_BUFFERED_BYTES', 1024 * 1024, 1024, 256 * 1024 * 1024),
      redisPrefix: wsRedisPrefix(env),
      signalLimit: {
        bytesPerSecond: int(env, 'WS_SIGNAL_BYTES_PER_SECOND', 64 * 1024, 1024, 64 * 1024 * 1024),
        burstBytes: signalBurst,
        targetBytesPerSecond: int(env, 'WS_SIGNAL_TARGET_BYTES_PER_SECOND', 256 * 1024, 1024, 256 * 1024 * 1024),
      },
      upgradeTimeoutMs: int(env, 'WS_UPGRADE_TIMEOUT_MS', 10000, 50, 120000),
    },
    webhooks: {
      allowHttp: bool(env, 'WEBHOOK_ALLOW_HTTP', false),
      allowPrivateNetworks: bool(env, 'WEBHOOK_ALLOW_PRIVATE_NETWORKS', false),
      retryScheduleMs: retrySchedule(env),
      timeoutMs: int(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100, 60_000),
      pollIntervalMs: int(env, 'WEBHOOK_POLL_INTERVAL_MS', 1000, 10, 60_000),
      eventRetentionDays: int(env, 'EVENT_RETENTION_DAYS', 30, 1, 3650),
    },
  };
}

function httpTimeouts(env: Env): Config['http'] {
  const http = {
    idleTimeoutMs: int(env, 'HTTP_IDLE_TIMEOUT_MS', 10000, 50, 600000),
    headersTimeoutMs: int(env, 'HTTP_HEADERS_TIMEOUT_MS', 10000, 50, 600000),
    requestTimeoutMs: int(env, 'HTTP_REQUEST_TIMEOUT_MS', 30000, 50, 3600000),
    keepAliveTimeoutMs: int(env, 'HTTP_KEEP_ALIVE_TIMEOUT_MS', 5000, 50, 600000),
  };
  // Node refuses a headers timeout longer than the request timeout.
  if (http.headersTimeoutMs > http.requestTimeoutMs) {
    throw new ConfigError('HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS');
  }
  return http;
}
