/**
 * The checks made on the HTTP upgrade request, before any WebSocket exists: Origin, then the
 * access token. A refusal is a plain HTTP answer with a problem+json body (documented on
 * `openWebSocket` in openapi.yaml), written straight to the socket, which is then closed.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import jwt from 'jsonwebtoken';
import { looksLikeApiKey } from '../auth/apiKeys.ts';
import type { AccessClaims, TokenService } from '../auth/tokens.ts';
import type { Config } from '../config.ts';
import { forbidden, problemBody, unauthorized, type ApiError } from '../errors.ts';

/** The subprotocol clients offer before the token, and the one the server selects. */
export const BEARER_PROTOCOL = 'bearer';

/**
 * The token from `Sec-WebSocket-Protocol: bearer, <jwt>` (preferred: browsers cannot set
 * headers on a WebSocket, but can offer subprotocols) or from `?token=` (fallback).
 */
export function tokenFromRequest(req: http.IncomingMessage, url: URL): string | undefined {
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const at = offered.indexOf(BEARER_PROTOCOL);
  if (at >= 0 && offered[at + 1]) return offered[at + 1];
  return url.searchParams.get('token') || undefined;
}

/**
 * Browsers always send `Origin` on a WebSocket; other clients usually do not, and cannot be
 * tricked into carrying a victim's token. So: absent, the server's own origin (same host as the
 * Host header, or PUBLIC_URL), or one listed in CORS_ORIGINS (`*` allows any).
 */
export function originAllowed(req: http.IncomingMessage, config: Config): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  if (config.corsOrigins.includes('*') || config.corsOrigins.includes(origin)) return true;
  if (config.publicUrl && origin === config.publicUrl) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/** Verifies Origin and token; throws the ApiError to answer with. The user is checked by the hub. */
export function verifyUpgrade(req: http.IncomingMessage, url: URL, config: Config, tokens: TokenService): AccessClaims {
  if (!originAllowed(req, config)) {
    throw forbidden('This Origin may not open a WebSocket here (see CORS_ORIGINS).', 'origin_not_allowed');
  }
  const token = tokenFromRequest(req, url);
  if (!token) {
    throw unauthorized('Send the access token as `Sec-WebSocket-Protocol: bearer, <token>` or as `?token=`.', 'missing_token');
  }
  if (looksLikeApiKey(token)) {
    throw unauthorized('API keys cannot open a WebSocket: mint a user token for the user instead.', 'invalid_token');
  }
  let claims: AccessClaims;
  try {
    claims = tokens.verifyAccess(token);
  } catch (err) {
    if (err instanceof jwt.TokenExpiredError) throw unauthorized('The access token has expired.', 'token_expired');
    throw unauthorized('The access token is invalid.', 'invalid_token');
  }
  if (!/^[1-9]\d*$/.test(claims.sub)) throw unauthorized('The access token is invalid.', 'invalid_token');
  return claims;
}

/** Answers the upgrade request with `error` as problem+json and closes the socket. */
export function rejectUpgrade(socket: Duplex, error: ApiError, instance: string): void {
  if (socket.destroyed || socket.writableEnded) return;
  const body = JSON.stringify(problemBody(error, instance));
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/problem+json',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    Connection: 'close',
    ...error.headers,
  };
  const head = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\r\n');
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${error.status} ${http.STATUS_CODES[error.status]}\r\n${head}\r\n\r\n${body}`);
}
