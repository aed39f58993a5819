/**
 * Routes are declared by operationId: the method and path come from `openapi.yaml`, so a handler
 * cannot drift from its documented path. Each operation is mounted as
 *
 *   authenticate (when the spec requires a bearer token) → scopes → parse body → validate →
 *   room session → handler
 *
 * The scope check reads the operation's `security` alternatives (src/auth/principal.ts): a caller
 * whose credential matches none of them gets 403 `insufficient_scope` before anything is parsed.
 * A `room` user token then passes only for its own session, found where the operation's
 * `x-room-session` says. The handler receives the coerced, validated input typed from the
 * generated spec types.
 * Operations in the spec without a handler answer 501 problem+json, so the contract is complete
 * from day one and every gap is visible.
 */
import type { Knex } from 'knex';
import Router from '@koa/router';
import { koaBody } from 'koa-body';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import {
  badRequest,
  notImplemented,
  payloadTooLarge,
  unsupportedMediaType,
  validationFailed,
  type ApiError,
  type FieldError,
} from '../errors.ts';
import { checkScopes, insufficientScope } from '../auth/principal.ts';
import { inTransaction, type ActorTx } from '../events.ts';
import { authenticate } from '../middleware/authenticate.ts';
import { Booking, type User } from '../models/index.ts';
import type { LoadedSpec, Operation } from '../openapi/spec.ts';
import { compileValidators, type OperationValidator } from '../openapi/validators.ts';
import { authorize, type ActionOn } from '../policies/index.ts';
import type { AppContext, AppContextExtras, AppMiddleware, AppState, Deps } from '../types.ts';
import type { OperationId, OperationInput } from '../contract/types.ts';

export type Handler<Op extends OperationId> = (ctx: AppContext, input: OperationInput<Op>) => Promise<void> | void;

/** Collects handlers; each resource's router module registers its operations on it. */
export class ApiRoutes {
  readonly handlers = new Map<string, Handler<any>>();

  on<Op extends OperationId>(operationId: Op, handler: Handler<Op>): this {
    if (this.handlers.has(operationId)) throw new Error(`operation ${operationId} registered twice`);
    this.handlers.set(operationId, handler);
    return this;
  }
}

/**
 * A change to one record, the one way handlers write (after Outline's `transaction()` middleware).
 * In one transaction: `load` the record (locked `forUpdate` when the work depends on its state),
 * authorize the caller's `action` on it — 404 when they may not even read it, 403 when they may read
 * it but not act — and run the service's `work` as the caller. The events the work records are
 * published after COMMIT (src/events.ts).
 */
export interface Mutation<R extends object, T> {
  /** The record's model class: it types `action` (the model's policy actions) and `work`. */
  model: abstract new (...args: never[]) => R;
  load: (trx: Knex.Transaction) => PromiseLike<R | undefined | null>;
  action: NoInfer<ActionOn<R>>;
  /** The record's name in a 404 or 403 problem ("Session not found."). */
  what: string;
  work: (tx: ActorTx, record: NoInfer<R>) => Promise<T>;
}

export function mutate<R extends object, T>(ctx: AppContext, actor: User, m: Mutation<R, T>): Promise<T> {
  return inTransaction(ctx.deps.db, ctx.deps.events, async (tx) => {
    const record = await m.load(tx.trx);
    authorize(actor, m.action, record, m.what);
    return m.work({ actor, ...tx }, record);
  });
}

/** A write with no record to authorize first (a creation, a broadcast): `work` in one transaction. */
export function transact<T>(ctx: AppContext, actor: User, work: (tx: ActorTx) => Promise<T>): Promise<T> {
  return inTransaction(ctx.deps.db, ctx.deps.events, (tx) => work({ actor, ...tx }));
}

export interface UploadedFile {
  field: string;
  filepath: string;
  originalFilename: string | null;
  mimetype: string | null;
  size: number;
}

function hasBody(ctx: AppContext): boolean {
  const length = ctx.get('Content-Length');
  return Boolean(ctx.get('Transfer-Encoding')) || (length !== '' && length !== '0');
}

function bodyParsers(op: Operation, deps: Deps): AppMiddleware[] {
  const content = op.requestBody?.content ?? {};
  const parsers: AppMiddleware[] = [];
  const multipart = 'multipart/form-data' in content;
  // Operations without a body still parse a JSON one, so that `{}` is accepted and anything
  // else is refused (request bodies are closed like everything else).
  const json = 'application/json' in content || !op.requestBody;
  if (json) {
    parsers.push(
      koaBody({
        json: true,
        jsonStrict: true,
        jsonLimit: deps.config.bodyLimitBytes,
        multipart: false,
        urlencoded: false,
        text: false,
        parsedMethods: ['POST', 'PUT', 'PATCH', 'DELETE'] as never,
      }) as AppMiddleware,
    );
  }
  if (multipart) {
    // Built per request so every temp file formidable starts writing is known and removed
    // afterwards, even when the upload is refused half-way (too large, wrong field). Each file's
    // write stream is ours, so the cleanup can wait until it is closed: removing a file whose
    // stream is still opening would let it reappear afterwards.
    parsers.push(async function parseMultipart(ctx, next) {
      // A caller with an upload still in flight (or anyone, while the picture queue is full) is
      // refused before the body is read: no parse, no temporary file for an upload that would be
      // refused anyway.
      const owner = ctx.state.user?.id;
      let release = () => {};
      if (owner !== undefined && ctx.is('multipart')) {
        try {
          release = deps.imageJobs.admit(owner);
        } catch (err) {
          await refuseUnread(ctx, err);
        }
      }
      try {
        await parseAndHandle(ctx, next);
      } finally {
        release();
      }
    });
  }
  return parsers;

  async function parseAndHandle(ctx: Parameters<AppMiddleware>[0], next: () => Promise<unknown>) {
    const streams: Array<{ filepath: string; stream: WriteStream }> = [];
    const parse = koaBody({
      json: false,
      multipart: true,
      urlencoded: false,
      text: false,
      parsedMethods: ['POST', 'PUT', 'PATCH'] as never,
      formidable: {
        maxFileSize: deps.config.uploadMaxBytes,
        maxTotalFileSize: deps.config.uploadMaxBytes,
        maxFiles: 1,
        maxFields: 50,
        maxFieldsSize: deps.config.bodyLimitBytes,
        // An empty file is the handler's to refuse: it can name the field, formidable cannot.
        allowEmptyFiles: true,
        minFileSize: 0,
        uploadDir: os.tmpdir(),
        keepExtensions: false,
        fileWriteStreamHandler: ((file: { filepath: string }) => {
          const stream = createWriteStream(file.filepath);
          streams.push({ filepath: file.filepath, stream });
          return stream;
        }) as never,
      },
    }) as AppMiddleware;
    try {
      try {
        await parse(ctx, async () => {});
      } catch (err) {
        throw multipartError(err, deps.config.uploadMaxBytes);
      }
      await next();
    } finally {
      await Promise.all(streams.map(({ filepath, stream }) => removeWhenClosed(filepath, stream)));
    }
  }
}

/**
 * Answers a refused upload without reading its body. The request stream stays paused, so TCP
 * back-pressure stops the sender after a socket buffer's worth, and the answer comes only after a
 * short pause (at most the Retry-After, and 1 s) and closes the connection: a client that re-sends
 * the moment it is refused gets one refusal per connection and second, instead of making the
 * server receive and discard a flood of bodies it will never use.
 */
async function refuseUnread(ctx: Parameters<AppMiddleware>[0], err: unknown): Promise<never> {
  ctx.req.pause();
  const closed = once(ctx.req, 'close').catch(() => {});
  const retryAfter = Number((err as ApiError).headers?.['Retry-After'] ?? 1);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.min(retryAfter, 1) * REFUSAL_PAUSE_MS)))]);
  clearTimeout(timer);
  ctx.set('Connection', 'close');
  throw err;
}

/** How long a refused upload waits for its answer (per second of Retry-After, capped at one). */
const REFUSAL_PAUSE_MS = 1000;

async function removeWhenClosed(filepath: string, stream: WriteStream): Promise<void> {
  if (!stream.closed) {
    const closed = once(stream, 'close');
    stream.destroy();
    await closed.catch(() => {});
  }
  await fs.rm(filepath, { force: true });
}

/**
 * formidable reports refusals with an `httpCode` (413 for a file over the limit, 400 for a
 * malformed body) that the error renderer does not know: turn them into problems here.
 */
function multipartError(err: unknown, maxBytes: number): unknown {
  const httpCode = (err as { httpCode?: unknown })?.httpCode;
  if (typeof httpCode !== 'number') return err;
  if (httpCode === 413) {
    return payloadTooLarge(`The multipart body is too large: one file of at most ${maxBytes} bytes, and small text fields.`);
  }
  return badRequest(`The multipart body could not be read: ${(err as Error).message}.`, 'malformed_body');
}

/** Flattens formidable's `{ field: File | File[] }` into a list, for cleanup and handlers. */
export function uploadedFiles(ctx: AppContext): UploadedFile[] {
  const files = (ctx.request.files ?? {}) as Record<string, any>;
  const out: UploadedFile[] = [];
  for (const [field, value] of Object.entries(files)) {
    for (const f of Array.isArray(value) ? value : [value]) {
      out.push({
        field,
        filepath: f.filepath,
        originalFilename: f.originalFilename ?? null,
        mimetype: f.mimetype ?? null,
        size: f.size,
      });
    }
  }
  return out;
}

/**
 * A multipart body as the spec describes it: the text fields plus one entry per uploaded file, so
 * the schema sees a `picture` (or refuses a file under an unknown name). The entry is only the
 * client's file name; handlers read the file itself with `uploadedFiles(ctx)`.
 */
function formWithFiles(ctx: AppContext): Record<string, unknown> {
  const form: Record<string, unknown> = { ...((ctx.request.body ?? {}) as Record<string, unknown>) };
  for (const file of uploadedFiles(ctx)) form[file.field] = file.originalFilename ?? '';
  return form;
}

function validate(v: OperationValidator): AppMiddleware {
  const op = v.operation;
  return async function validateRequest(ctx, next) {
    const c = ctx;
    const errors: FieldError[] = [];
    const path = { ...((c as unknown as { params?: Record<string, string> }).params ?? {}) };
    errors.push(...v.path(path));
    const query: Record<string, unknown> = { ...c.query };
    errors.push(...v.query(query));
    const headers: Record<string, unknown> = {};
    for (const p of op.parameters) if (p.in === 'header') {
      const value = c.get(p.name);
      if (value !== '') headers[p.name] = value; // the spec's spelling, as in the generated types
    }
    errors.push(...v.headers(headers));

    let body: unknown = undefined;
    const sent = hasBody(c);
    if (v.bodyMediaTypes.length === 0) {
      const parsed = c.request.body as unknown;
      // Only `{}` (or nothing) counts as no body: `[]` is a body, and so is any other JSON value.
      const emptyJson =
        c.is('json') &&
        (parsed === undefined || (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && Object.keys(parsed).length === 0));
      if (sent && !emptyJson) errors.push({ in: 'body', path: '', message: 'this operation takes no request body' });
    } else if (sent) {
      const mediaType = v.bodyMediaTypes.find((t) => c.is(t));
      if (!mediaType) throw unsupportedMediaType(`Send the body as ${v.bodyMediaTypes.join(' or ')}.`);
      body = mediaType === 'multipart/form-data' ? formWithFiles(c) : c.request.body;
      const bodyErrors = v.body(mediaType, body);
      if (bodyErrors) errors.push(...bodyErrors);
    } else if (v.bodyRequired) {
      errors.push({ in: 'body', path: '', message: 'a request body is required' });
    }
    if (errors.length) throw validationFailed(errors);
    c.state.input = { path, query, headers, body };
    await next();
  };
}

function enforceScopes(op: Operation): AppMiddleware {
  return async function scopes(ctx, next) {
    checkScopes(ctx.state.principal!, op.security);
    await next();
  };
}

/** Whether the validated request is about `session` (for a `room` token). */
async function aboutSession(ctx: AppContext, op: Operation, session: number): Promise<boolean> {
  const input = ctx.state.input!;
  switch (op.roomSession) {
    case 'none':
      return true;
    case 'path':
      return input.path.id === session;
    case 'query':
      return input.query.session === session;
    case 'booking': {
      const booking = await Booking.query(ctx.deps.dbRead).findById(input.path.id as number);
      return booking?.session_id === session;
    }
    default:
      return false;
  }
}

/** A `room` token stays inside its session's room. */
function enforceRoomSession(op: Operation): AppMiddleware {
  return async function roomSession(ctx, next) {
    const principal = ctx.state.principal;
    if (principal?.kind === 'user' && principal.scope === 'room') {
      if (!(await aboutSession(ctx, op, principal.session!))) {
        throw insufficientScope([['full']], `This token is for the room of session ${principal.session} only.`);
      }
    }
    await next();
  };
}

/** Builds the router for every operation in the spec: the registered handler, or a 501. */
export function buildApiRouter(spec: LoadedSpec, routes: ApiRoutes, deps: Deps): Router<AppState, AppContextExtras> {
  const validators = compileValidators(spec);
  for (const id of routes.handlers.keys()) {
    if (!spec.operations.has(id)) throw new Error(`handler registered for unknown operationId ${id}`);
  }
  const router = new Router<AppState, AppContextExtras>();
  const auth = authenticate({ tokens: deps.tokens });
  // Static paths first so `/api/notifications/read-all/` never matches `/api/notifications/{id}/`.
  const ops = [...spec.operations.values()].sort(
    (a, b) => (a.path.includes('{') ? 1 : 0) - (b.path.includes('{') ? 1 : 0),
  );
  for (const op of ops) {
    const handler = routes.handlers.get(op.operationId);
    const chain: AppMiddleware[] = [];
    if (op.authenticated) chain.push(auth, enforceScopes(op));
    if (!handler) {
      chain.push(async function notImplementedYet() {
        throw notImplemented(op.operationId);
      });
    } else {
      chain.push(...bodyParsers(op, deps), validate(validators.get(op.operationId)!));
      if (op.security.some((required) => required.includes('room'))) chain.push(enforceRoomSession(op));
      chain.push(async function operationHandler(ctx) {
        await handler(ctx, ctx.state.input as never);
      });
    }
    router.register(op.routerPath, [op.method.toUpperCase()], chain, { name: op.operationId });
  }
  return router;
}
