/**
 * The one error module. Every error a client can see is an `ApiError` with a stable `code`, built by
 * the factories below; `toApiError` maps other known failures (database constraints, body parser,
 * HTTP errors) to one and `problemBody` renders it as RFC 9457 problem+json — used by
 * `src/middleware/errorHandler.ts` for HTTP and by the realtime hub for `/ws`.
 * Anything else is an internal error: logged, and answered with a generic 500.
 */
import {
  CheckViolationError,
  DataError,
  ForeignKeyViolationError,
  NotFoundError,
  NotNullViolationError,
  UniqueViolationError,
} from 'objection';
import { wrapError } from 'db-errors';
import type { Schema } from './contract/types.ts';

/**
 * Every `code` an error may carry: the `ProblemCode` enum of openapi.yaml, which lists exactly the
 * codes of src/problems.ts (a test compares them). A code missing there, or a typo, fails to compile.
 */
export type ProblemCode = Schema<'ProblemCode'>;

export interface FieldError {
  in: 'body' | 'query' | 'path' | 'header';
  path: string;
  message: string;
}

export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  readonly code: ProblemCode;
  readonly title: string;
  readonly errors?: FieldError[];
  readonly headers?: Record<string, string>;

  constructor(
    status: number,
    code: ProblemCode,
    title: string,
    detail?: string,
    extra: { errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(detail ?? title);
    this.status = status;
    this.code = code;
    this.title = title;
    this.errors = extra.errors;
    this.headers = extra.headers;
  }

  get detail(): string {
    return this.message;
  }
}

export const validationFailed = (errors: FieldError[], detail?: string) =>
  new ApiError(
    400,
    'validation_failed',
    'Request validation failed',
    detail ?? errors.map((e) => `${e.in} ${e.path || '(root)'}: ${e.message}`).join('; '),
    { errors },
  );

/** A single invalid field found by a service (after schema validation passed). */
export const invalidField = (path: string, message: string, where: FieldError['in'] = 'body') =>
  validationFailed([{ in: where, path, message }]);

export const badRequest = (detail: string, code: ProblemCode = 'bad_request') => new ApiError(400, code, 'Bad request', detail);

export const unauthorized = (detail = 'Authentication credentials were missing or invalid.', code: ProblemCode = 'unauthorized') =>
  new ApiError(401, code, 'Unauthorized', detail, { headers: { 'WWW-Authenticate': 'Bearer' } });

export const forbidden = (detail = 'You do not have permission to perform this action.', code: ProblemCode = 'forbidden') =>
  new ApiError(403, code, 'Forbidden', detail);

export const notFound = (what = 'Resource', code: ProblemCode = 'not_found') =>
  new ApiError(404, code, 'Not found', `${what} not found.`);

export const conflict = (detail: string, code: ProblemCode = 'conflict') => new ApiError(409, code, 'Conflict', detail);

export const payloadTooLarge = (detail = 'The request body is too large.') =>
  new ApiError(413, 'payload_too_large', 'Payload too large', detail);

export const unsupportedMediaType = (detail: string) =>
  new ApiError(415, 'unsupported_media_type', 'Unsupported media type', detail);

export const unprocessable = (detail: string, code: ProblemCode = 'unprocessable') =>
  new ApiError(422, code, 'Unprocessable content', detail);

export const tooManyRequests = (retryAfterSeconds: number, detail = 'Too many requests; try again later.') =>
  new ApiError(429, 'rate_limited', 'Too many requests', detail, {
    headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
  });

export const notImplemented = (operationId: string) =>
  new ApiError(
    501,
    'not_implemented',
    'Not implemented',
    `The operation "${operationId}" is part of the API contract but is not implemented by this server yet.`,
  );

export const serviceUnavailable = (detail: string) =>
  new ApiError(503, 'service_unavailable', 'Service unavailable', detail);

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
