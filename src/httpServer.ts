/**
 * The Node HTTP server around the Koa app, shared by `src/server.ts` and the test harness.
 * Requests Node refuses before Koa sees them (header section or URL over the size limit, a
 * malformed request line) are still answered as problem+json rather than a bare status line.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { AppBundle } from './app.ts';

function problem(status: number, code: string, title: string, detail: string): string {
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
  socket.end(
    tooLarge
      ? problem(431, 'headers_too_large', 'Request header fields too large', 'The URL or the headers are larger than the server accepts.')
      : problem(400, 'malformed_request', 'Bad request', 'The request could not be parsed as HTTP.'),
  );
}

export function createHttpServer(bundle: AppBundle): http.Server {
  const server = http.createServer(bundle.app.callback());
  server.on('clientError', answerClientError);
  return server;
}
