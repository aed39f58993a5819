/**
 * Loads `openapi.yaml` once and indexes its operations by operationId. The validators
 * (`validators.ts`), the router (`src/api/route.ts`) and the test contract checker all read the
 * contract from here, so there is exactly one copy of it in memory.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

export const SPEC_PATH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../openapi.yaml');

export type JsonSchema = Record<string, unknown>;
export type HttpMethod = 'get' | 'put' | 'post' | 'patch' | 'delete';
export const HTTP_METHODS: readonly HttpMethod[] = ['get', 'put', 'post', 'patch', 'delete'];

export interface ParameterObject {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: JsonSchema;
  description?: string;
}

export interface MediaTypeObject {
  schema?: JsonSchema;
}

export interface ResponseObject {
  description?: string;
  headers?: Record<string, unknown>;
  content?: Record<string, MediaTypeObject>;
}

export interface Operation {
  operationId: string;
  method: HttpMethod;
  /** The path as written in the spec, e.g. `/api/sessions/{id}/`. */
  path: string;
  /** The same path for @koa/router, e.g. `/api/sessions/:id/`. */
  routerPath: string;
  /** Matches a concrete request path (with or without the trailing slash). */
  pathRegex: RegExp;
  parameters: ParameterObject[];
  requestBody?: { required?: boolean; content: Record<string, MediaTypeObject> };
  responses: Record<string, ResponseObject>;
  /** Whether the operation needs a bearer token (false when `security: []`). */
  authenticated: boolean;
  /**
   * The `security` alternatives as the scope lists of `bearerAuth`: `[]` is a full user token,
   * `['platform:users']` a credential holding that scope (src/auth/principal.ts).
   */
  security: string[][];
  /** Where a `room` token's session is (`x-room-session`): the path id, a booking, a query filter. */
  roomSession?: 'path' | 'booking' | 'query' | 'none';
  tags: string[];
}

export interface OpenApiDocument {
  openapi: string;
  info: Record<string, unknown>;
  paths: Record<string, Record<string, unknown>>;
  components?: Record<string, Record<string, unknown>>;
  security?: unknown[];
  [key: string]: unknown;
}

export interface LoadedSpec {
  document: OpenApiDocument;
  /** The raw YAML text, served at /openapi.yaml. */
  text: string;
  operations: Map<string, Operation>;
}

/** Follows a local `$ref` (`#/components/...`) inside the document. */
export function resolveRef<T>(doc: OpenApiDocument, value: unknown): T {
  let current = value as Record<string, unknown>;
  const seen = new Set<string>();
  while (current && typeof current === 'object' && typeof current.$ref === 'string') {
    const ref = current.$ref as string;
    if (seen.has(ref)) throw new Error(`circular $ref ${ref}`);
    seen.add(ref);
    if (!ref.startsWith('#/')) throw new Error(`only local $refs are supported, got ${ref}`);
    current = ref
      .slice(2)
      .split('/')
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<any>((node, key) => node?.[key], doc);
    if (current === undefined) throw new Error(`unresolvable $ref ${ref}`);
  }
  return current as T;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function compilePath(specPath: string): { routerPath: string; pathRegex: RegExp } {
  const routerPath = specPath.replace(/\{(\w+)\}/g, ':$1');
  const body = specPath
    .replace(/\/$/, '')
    .split(/(\{\w+\})/)
    .map((part) => (/^\{\w+\}$/.test(part) ? '([^/]+)' : escapeRegex(part)))
    .join('');
  return { routerPath, pathRegex: new RegExp(`^${body}/?$`) };
}

export function parseSpec(text: string): LoadedSpec {
  return specFromDocument(YAML.parse(text) as OpenApiDocument, text);
}

function specFromDocument(document: OpenApiDocument, text: string): LoadedSpec {
  const operations = new Map<string, Operation>();
  const globalSecurity = document.security ?? [];
  for (const [specPath, item] of Object.entries(document.paths ?? {})) {
    const shared = ((item.parameters as unknown[]) ?? []).map((p) => resolveRef<ParameterObject>(document, p));
    for (const method of HTTP_METHODS) {
      const op = item[method] as Record<string, any> | undefined;
      if (!op) continue;
      const own = ((op.parameters as unknown[]) ?? []).map((p) => resolveRef<ParameterObject>(document, p));
      const byKey = new Map<string, ParameterObject>();
      for (const p of [...shared, ...own]) byKey.set(`${p.in}:${p.name}`, p);
      const responses: Record<string, ResponseObject> = {};
      for (const [status, r] of Object.entries((op.responses ?? {}) as Record<string, unknown>)) {
        responses[status] = resolveRef<ResponseObject>(document, r);
      }
      const security = (op.security ?? globalSecurity) as unknown[];
      if (!op.operationId) throw new Error(`${method.toUpperCase()} ${specPath} has no operationId`);
      if (operations.has(op.operationId)) throw new Error(`duplicate operationId ${op.operationId}`);
      operations.set(op.operationId, {
        operationId: op.operationId,
        method,
        path: specPath,
        ...compilePath(specPath),
        parameters: [...byKey.values()],
        requestBody: op.requestBody ? resolveRef(document, op.requestBody) : undefined,
        responses,
        authenticated: security.length > 0,
        security: security.map((req) => [...(((req as Record<string, unknown>).bearerAuth as string[] | undefined) ?? [])]),
        roomSession: op['x-room-session'],
        tags: op.tags ?? [],
      });
    }
  }
  return { document, text, operations };
}

let cached: LoadedSpec | undefined;

/** The project's contract, parsed once per process. */
/**
 * The spec as JSON, written beside the compiled server by `npm run build` (scripts/build-server.ts)
 * with the SHA-256 of the YAML it came from. Parsing the YAML takes most of a second of CPU at
 * start-up; the JSON a few milliseconds. It is used only while the YAML is unchanged.
 */
export const SPEC_JSON_PATH = path.join(path.dirname(SPEC_PATH), 'dist', 'server', 'openapi.json');

export const specDigest = (text: string): string => crypto.createHash('sha256').update(text).digest('hex');

export function loadSpec(): LoadedSpec {
  if (cached) return cached;
  const text = fs.readFileSync(SPEC_PATH, 'utf8');
  let compiled: { sha256?: string; document?: OpenApiDocument } | undefined;
  try {
    compiled = JSON.parse(fs.readFileSync(SPEC_JSON_PATH, 'utf8'));
  } catch {
    compiled = undefined; // not built, or unreadable: the YAML is the source anyway
  }
  cached = compiled?.document && compiled.sha256 === specDigest(text) ? specFromDocument(compiled.document, text) : parseSpec(text);
  return cached;
}

/** Finds the operation answering `method path` (used by the 404/405 logic and the test contract). */
export function matchOperation(spec: LoadedSpec, method: string, requestPath: string): Operation | undefined {
  const m = method.toLowerCase();
  for (const op of spec.operations.values()) {
    if (op.method === m && op.pathRegex.test(requestPath)) return op;
  }
  return undefined;
}
