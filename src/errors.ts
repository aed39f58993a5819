/**
 * The one error module. Every error a client can see is an `ApiError` with a stable `code`, built by
 * the factories below; `src/middleware/errorHandler.ts` renders it as RFC 9457 problem+json.
 * Anything else is an internal error: logged, and answered with a generic 500.
 */

export interface FieldError {
  in: 'body' | 'query' | 'path' | 'header';
  path: string;
  message: string;
}

export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly errors?: FieldError[];
  readonly headers?: Record<string, string>;

  constructor(
    status: number,
    code: string,
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

export const badRequest = (detail: string, code = 'bad_request') => new ApiError(400, code, 'Bad request', detail);

export const unauthorized = (detail = 'Authentication credentials were missing or invalid.', code = 'unauthorized') =>
  new ApiError(401, code, 'Unauthorized', detail, { headers: { 'WWW-Authenticate': 'Bearer' } });

export const forbidden = (detail = 'You do not have permission to perform this action.', code = 'forbidden') =>
  new ApiError(403, code, 'Forbidden', detail);

export const notFound = (what = 'Resource', code = 'not_found') =>
  new ApiError(404, code, 'Not found', `${what} not found.`);

export const conflict = (detail: string, code = 'conflict') => new ApiError(409, code, 'Conflict', detail);

export const payloadTooLarge = (detail = 'The request body is too large.') =>
  new ApiError(413, 'payload_too_large', 'Payload too large', detail);

export const unsupportedMediaType = (detail: string) =>
  new ApiError(415, 'unsupported_media_type', 'Unsupported media type', detail);

export const unprocessable = (detail: string, code = 'unprocessable') =>
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
