/**
 * Routes are declared by operationId: the method and path come from `openapi.yaml`, so a handler
 * cannot drift from its documented path. Each operation is mounted as
 *
 *   authenticate (when the spec requires a bearer token) → parse body → validate → handler
 *
 * and the handler receives the coerced, validated input typed from the generated spec types.
 * Operations in the spec without a handler answer 501 problem+json, so the contract is complete
 * from day one and every gap is visible.
 */
import type { Middleware } from 'koa';
import Router from '@koa/router';
import { koaBody } from 'koa-body';
import fs from 'node:fs/promises';
import os from 'node:os';
import { notImplemented, unsupportedMediaType, validationFailed, type FieldError } from '../errors.ts';
import { authenticate } from '../middleware/authenticate.ts';
import type { LoadedSpec, Operation } from '../openapi/spec.ts';
import { compileValidators, type OperationValidator } from '../openapi/validators.ts';
import type { AppContext, AppState, Deps } from '../types.ts';
import type { OperationId, OperationInput } from './types.ts';

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

function bodyParsers(op: Operation, deps: Deps): Middleware<AppState>[] {
  const content = op.requestBody?.content ?? {};
  const parsers: Middleware<AppState>[] = [];
  const json = 'application/json' in content;
  const multipart = 'multipart/form-data' in content;
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
      }) as unknown as Middleware<AppState>,
    );
  }
  if (multipart) {
    // Built per request so every temp file formidable starts writing is known and removed
    // afterwards, even when the upload is refused half-way (too large, wrong field).
    parsers.push(async function parseMultipart(ctx, next) {
      const written: string[] = [];
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
          allowEmptyFiles: false,
          uploadDir: os.tmpdir(),
          keepExtensions: false,
          onFileBegin: (_name: string, file: { filepath: string }) => {
            written.push(file.filepath);
          },
        },
      }) as unknown as Middleware<AppState>;
      try {
        await parse(ctx, next);
      } finally {
        await Promise.all(written.map((f) => fs.rm(f, { force: true })));
      }
    });
  }
  return parsers;
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

function validate(v: OperationValidator): Middleware<AppState> {
  const op = v.operation;
  return async function validateRequest(ctx, next) {
    const c = ctx as unknown as AppContext;
    const errors: FieldError[] = [];
    const path = { ...((c as unknown as { params?: Record<string, string> }).params ?? {}) };
    errors.push(...v.path(path));
    const query: Record<string, unknown> = { ...c.query };
    errors.push(...v.query(query));
    const headers: Record<string, unknown> = {};
    for (const p of op.parameters) if (p.in === 'header') {
      const value = c.get(p.name);
      if (value !== '') headers[p.name.toLowerCase()] = value;
    }
    errors.push(...v.headers(headers));

    let body: unknown = undefined;
    const sent = hasBody(c);
    if (v.bodyMediaTypes.length === 0) {
      const parsed = c.request.body as unknown;
      const empty = parsed === undefined || (typeof parsed === 'object' && parsed !== null && Object.keys(parsed).length === 0);
      if (sent && !empty) errors.push({ in: 'body', path: '', message: 'this operation takes no request body' });
    } else if (sent) {
      const mediaType = v.bodyMediaTypes.find((t) => c.is(t));
      if (!mediaType) throw unsupportedMediaType(`Send the body as ${v.bodyMediaTypes.join(' or ')}.`);
      body = c.request.body;
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

/** Builds the router for every operation in the spec: the registered handler, or a 501. */
export function buildApiRouter(spec: LoadedSpec, routes: ApiRoutes, deps: Deps): Router<AppState, any> {
  const validators = compileValidators(spec);
  for (const id of routes.handlers.keys()) {
    if (!spec.operations.has(id)) throw new Error(`handler registered for unknown operationId ${id}`);
  }
  const router = new Router<AppState, any>();
  const auth = authenticate({ tokens: deps.tokens });
  // Static paths first so `/api/notifications/read-all/` never matches `/api/notifications/{id}/`.
  const ops = [...spec.operations.values()].sort(
    (a, b) => (a.path.includes('{') ? 1 : 0) - (b.path.includes('{') ? 1 : 0),
  );
  for (const op of ops) {
    const handler = routes.handlers.get(op.operationId);
    const chain: Middleware<AppState>[] = [];
    if (op.authenticated) chain.push(auth);
    if (!handler) {
      chain.push(async function notImplementedYet() {
        throw notImplemented(op.operationId);
      });
    } else {
      chain.push(...bodyParsers(op, deps), validate(validators.get(op.operationId)!));
      chain.push(async function operationHandler(ctx) {
        const c = ctx as unknown as AppContext;
        await handler(c, c.state.input as never);
      });
    }
    router.register(op.routerPath, [op.method.toUpperCase()], chain as never, { name: op.operationId });
  }
  return router;
}
