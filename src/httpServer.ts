/**
 * The Node HTTP server around the Koa app, shared by `src/server.ts` and the test harness.
 * Requests Node refuses before Koa sees them (header section or URL over the size limit, a
 * malformed request line) are still answered as problem+json rather than a bare status line.
 * Connection timeouts (HTTP_*_TIMEOUT_MS) bound how long a client may hold a socket without
 * completing a request (docs/security-realtime.md).
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { AppBundle } from './app.ts';
import type { ProblemCode } from './errors.ts';

function problem(status: number, code: ProblemCode, title: string, detail: string): string {
  const body = JSON.stringify({ type: `/problems/${code}`, title, status, detail, code });
  return [
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}`,
    'Content-Type: application/problem+json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || (socket as { _httpMessage?: unknown })._httpMessage) {
    socket.destroy();
    return;
  }
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    socket.end(problem(408, 'request_timeout', 'Request timeout', 'The request was not received in time (HTTP_HEADERS_TIMEOUT_MS, HTTP_REQUEST_TIMEOUT_MS).'));
    return;
  }
  socket.end(
    tooLarge
      ? problem(431, 'headers_too_large', 'Request header fields too large', 'The URL or the headers are larger than the server accepts.')
      : problem(400, 'malformed_request', 'Bad request', 'The request could not be parsed as HTTP.'),
  );
}

export function createHttpServer(bundle: AppBundle): http.Server {
  const timeouts = bundle.deps.config.http;
  const server = http.createServer(
    {
      headersTimeout: timeouts.headersTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      // Node enforces the two timeouts above on this sweep (30 s by default, which let slow
      // headers live ~40 s): sweep often enough that a cut comes close to the configured time.
      connectionsCheckingInterval: Math.min(1000, Math.max(25, Math.floor(timeouts.headersTimeoutMs / 4))),
    },
    bundle.app.callback(),
  );
  server.keepAliveTimeout = timeouts.keepAliveTimeoutMs;
  server.on('clientError', answerClientError);
  closeSilentConnections(server, timeouts.idleTimeoutMs);
  return server;
}

/**
 * Node's timeouts start with a request's first byte: a connection that never sends one would stay
 * open forever. Each connection that has received nothing after `idleMs` is closed. (Once bytes
 * arrive, the headers, request and keep-alive timeouts apply; an upgraded socket is the hub's,
 * which pings it.)
 */
function closeSilentConnections(server: http.Server, idleMs: number): void {
  server.on('connection', (socket: Socket) => {
    const timer = setTimeout(() => {
      if (socket.bytesRead === 0) socket.destroy();
    }, idleMs);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  });
}
