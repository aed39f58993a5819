/**
 * The one error middleware: every error leaves as RFC 9457 `application/problem+json`. Known errors
 * (ApiError, body-parser and JWT failures, database constraint violations; mapped by `toApiError` in
 * src/errors.ts) keep their status and a stable `code`; anything else is logged with its stack and
 * answered with a generic 500 that shows no internals (in production not even the message).
 */
import type { Middleware } from 'koa';
import { ApiError, problemBody, toApiError } from '../errors.ts';
import type { AppState } from '../types.ts';

export function errorHandler(options: { production: boolean }): Middleware<AppState> {
  return async function errorHandlerMiddleware(ctx, next) {
    try {
      await next();
    } catch (err) {
      let apiError = toApiError(err);
      if (!apiError) {
        ctx.state.log?.error({ err }, 'unhandled error');
        const detail = options.production
          ? 'An unexpected error occurred. The request id identifies it in the server logs.'
          : `An unexpected error occurred: ${(err as Error)?.message ?? String(err)}`;
        apiError = new ApiError(500, 'internal_error', 'Internal server error', detail);
      }
      for (const [k, v] of Object.entries(apiError.headers ?? {})) ctx.set(k, v);
      ctx.status = apiError.status;
      ctx.type = 'application/problem+json';
      ctx.body = problemBody(apiError, ctx.path);
    }
  };
}
