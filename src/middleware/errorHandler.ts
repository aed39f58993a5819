/**
 * The one error renderer: every error leaves as RFC 9457 `application/problem+json`. Known errors
 * (ApiError, body-parser and JWT failures, database constraint violations) keep their status and a
 * stable `code`; anything else is logged with its stack and answered with a generic 500 that shows
 * no internals (in production not even the message).
 */
import type { Middleware } from 'koa';
import {
  CheckViolationError,
  DataError,
  ForeignKeyViolationError,
  NotFoundError,
  NotNullViolationError,
  UniqueViolationError,
} from 'objection';
import { wrapError } from 'db-errors';
import { ApiError, conflict, notFound, payloadTooLarge, unauthorized, unsupportedMediaType, badRequest } from '../errors.ts';
import type { AppState } from '../types.ts';

function fromDatabase(err: unknown): ApiError | undefined {
  const wrapped = err instanceof Error ? wrapError(err) : err;
  if (wrapped instanceof UniqueViolationError) return conflict('A record with these values already exists.', 'duplicate');
  if (wrapped instanceof ForeignKeyViolationError) return conflict('A referenced record does not exist or is still in use.', 'reference_conflict');
  if (wrapped instanceof CheckViolationError) return conflict('The change would break a data rule.', 'constraint_violation');
  if (wrapped instanceof NotNullViolationError) return badRequest('A required value is missing.', 'missing_value');
  if (wrapped instanceof DataError) return badRequest('A value is out of range or malformed.', 'invalid_value');
  if (wrapped instanceof NotFoundError) return notFound();
  return undefined;
}

/**
 * A zlib or brotli failure: the body parser inflates `Content-Encoding: gzip|deflate|br` bodies and
 * passes on what the decoder throws (a corrupt or truncated stream), without an HTTP status.
 */
function isDecompressionError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && /^(Z_|ERR__ERROR_)/.test(code);
}

/** Maps any thrown value to an ApiError, or undefined for a genuine internal error. */
export function toApiError(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  const db = fromDatabase(err);
  if (db) return db;
  if (isDecompressionError(err)) return badRequest('The request body could not be decompressed.', 'malformed_body');
  const e = err as { status?: number; statusCode?: number; expose?: boolean; message?: string; type?: string };
  const status = e?.status ?? e?.statusCode;
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  if (status === 401) return unauthorized();
  if (status === 413) return payloadTooLarge();
  if (status === 415) return unsupportedMediaType(e.expose && e.message ? e.message : 'Unsupported media type.');
  if (status === 400 && (e.type === 'entity.parse.failed' || /JSON/i.test(e.message ?? ''))) {
    return badRequest('The request body is not valid JSON.', 'malformed_body');
  }
  const message = e.expose && e.message ? e.message : 'The request could not be processed.';
  return new ApiError(status, status === 404 ? 'not_found' : 'http_error', httpTitle(status), message);
}

function httpTitle(status: number): string {
  return (
    { 400: 'Bad request', 403: 'Forbidden', 404: 'Not found', 405: 'Method not allowed', 406: 'Not acceptable', 409: 'Conflict', 411: 'Length required', 413: 'Payload too large', 414: 'URI too long', 415: 'Unsupported media type', 422: 'Unprocessable content', 429: 'Too many requests' }[status] ?? 'Request error'
  );
}

export function problemBody(err: ApiError, instance: string): Record<string, unknown> {
  const body: Record<string, unknown> = {
    type: `/problems/${err.code}`,
    title: err.title,
    status: err.status,
    detail: err.detail,
    code: err.code,
    instance,
  };
  if (err.errors?.length) body.errors = err.errors;
  return body;
}

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
