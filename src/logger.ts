/**
 * Structured logging (pino). Secrets never reach a log line: credentials in headers and bodies are
 * redacted by path, and any `token=` query parameter (the WebSocket fallback) is masked in URLs.
 */
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

const REDACT_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'access',
  '*.access',
  'refresh',
  '*.refresh',
  'key',
  '*.key',
  'key_hash',
  '*.key_hash',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["sec-websocket-protocol"]',
  'headers.authorization',
  'headers.cookie',
  'headers["sec-websocket-protocol"]',
];

/** Masks credentials carried in a URL (`?token=…`, `&access_token=…`). */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:token|access_token|refresh|refresh_token|key|api_key)=)[^&#]*/gi, '$1[REDACTED]');
}

/** `destination` defaults to stdout (tests pass a stream to read what was logged). */
export function createLogger(level: string, base: Record<string, unknown> = {}, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { service: 'mentor-dashboard', ...base },
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return destination ? pino(options, destination) : pino(options);
}
