/**
 * Gives every request an id (the caller's `X-Request-Id` when it looks sane, else a UUID), a child
 * logger carrying it, and one access-log line when the response is done. URLs are logged with any
 * `token=` query parameter masked; headers and bodies are never logged.
 */
import crypto from 'node:crypto';
import type { Middleware } from 'koa';
import { redactUrl, type Logger } from '../logger.ts';
import type { AppState } from '../types.ts';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestContext(options: { logger: Logger }): Middleware<AppState> {
  return async function requestContextMiddleware(ctx, next) {
    const incoming = ctx.get('X-Request-Id');
    const requestId = SAFE_ID.test(incoming) ? incoming : crypto.randomUUID();
    ctx.state.requestId = requestId;
    ctx.state.log = options.logger.child({ reqId: requestId });
    ctx.set('X-Request-Id', requestId);
    const start = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const status = ctx.status;
      const line = {
        method: ctx.method,
        url: redactUrl(ctx.originalUrl),
        status,
        ms: Math.round(ms * 10) / 10,
        user: ctx.state.user?.id,
        apiKey: ctx.state.principal?.kind === 'api_key' ? ctx.state.principal.key.id : undefined,
        ip: ctx.ip,
      };
      if (status >= 500) ctx.state.log.error(line, 'request failed');
      else ctx.state.log.info(line, 'request');
    }
  };
}
