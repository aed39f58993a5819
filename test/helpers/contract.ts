/**
 * Checks every response a test receives against `openapi.yaml`: the status must be documented for
 * the operation, the content type must match, and the body must validate against the schema
 * (strictly: response schemas are closed). It also records which (operation, status) pairs the
 * suite has seen, for the coverage check in setup.ts.
 */
import { AssertionError } from 'node:assert';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { loadSpec, matchOperation, type Operation } from '../../src/openapi/spec.ts';
import { anchorRefs, createAjv, toFieldErrors } from '../../src/openapi/validators.ts';
import { collectRoutes } from '../../src/api/index.ts';

const spec = loadSpec();
const ajv = createAjv(spec, { coerce: false });
const compiled = new Map<string, ValidateFunction>();
const seen = new Map<string, Set<string>>();

function validatorFor(op: Operation, status: string, mediaType: string): ValidateFunction | undefined {
  const key = `${op.operationId} ${status} ${mediaType}`;
  if (!compiled.has(key)) {
    const schema = op.responses[status]?.content?.[mediaType]?.schema;
    if (!schema) return undefined;
    compiled.set(key, ajv.compile(anchorRefs(schema)));
  }
  return compiled.get(key);
}

export interface CheckedResponse {
  status: number;
  contentType: string;
  body: unknown;
}

/** Throws an AssertionError when the response breaks the contract. Returns the operation. */
export function checkResponse(method: string, url: string, res: CheckedResponse): Operation | undefined {
  const path = new URL(url, 'http://x').pathname;
  const normalised = path.startsWith('/api/') && !path.endsWith('/') ? `${path}/` : path;
  const op = matchOperation(spec, method, normalised);
  if (!op) {
    // Not an operation: 404/405 problems are still checked for shape.
    if (res.status >= 400 && (path.startsWith('/api/') || res.contentType.includes('problem'))) {
      checkProblem(method, path, res);
    }
    return undefined;
  }
  const status = String(res.status);
  const documented = op.responses[status] ?? op.responses[`${status[0]}XX`] ?? op.responses.default;
  // 501 answers for unimplemented operations are a documented global behaviour (info.description).
  if (!documented && res.status === 501) {
    checkProblem(method, path, res);
    return op;
  }
  if (!documented) {
    throw new AssertionError({
      message: `${method} ${path} (${op.operationId}) answered ${status}, which openapi.yaml does not document (documented: ${Object.keys(op.responses).join(', ')}). Body: ${JSON.stringify(res.body)}`,
    });
  }
  let statuses = seen.get(op.operationId);
  if (!statuses) seen.set(op.operationId, (statuses = new Set()));
  statuses.add(status);
  // 101 (the WebSocket upgrade on /ws) has no HTTP body: its documented content is the messages
  // exchanged afterwards, which test/realtime/client.ts checks one by one.
  if (res.status === 101) return op;
  const mediaTypes = Object.keys(documented.content ?? {});
  if (mediaTypes.length === 0) {
    if (res.body !== undefined && res.body !== '' && res.body !== null) {
      throw new AssertionError({ message: `${op.operationId} ${status} should have no body, got ${JSON.stringify(res.body)}` });
    }
    return op;
  }
  const mediaType = mediaTypes.find((t) => res.contentType.split(';')[0]!.trim() === t);
  if (!mediaType) {
    throw new AssertionError({
      message: `${op.operationId} ${status} answered with content type "${res.contentType}", documented: ${mediaTypes.join(', ')}`,
    });
  }
  const validate = validatorFor(op, documented === op.responses[status] ? status : (op.responses[`${status[0]}XX`] ? `${status[0]}XX` : 'default'), mediaType);
  if (validate && !validate(res.body)) {
    const errors = toFieldErrors('body', validate.errors).map((e) => `${e.path || '(root)'} ${e.message}`);
    throw new AssertionError({
      message: `${op.operationId} ${status} body does not match openapi.yaml: ${errors.join('; ')}\nBody: ${JSON.stringify(res.body).slice(0, 2000)}`,
    });
  }
  return op;
}

const problemValidator = () => {
  const key = 'Problem';
  if (!compiled.has(key)) compiled.set(key, ajv.compile({ $ref: 'openapi.json#/components/schemas/Problem' }));
  return compiled.get(key)!;
};

function checkProblem(method: string, path: string, res: CheckedResponse) {
  if (!res.contentType.startsWith('application/problem+json')) {
    throw new AssertionError({ message: `${method} ${path} ${res.status}: expected application/problem+json, got "${res.contentType}"` });
  }
  const v = problemValidator();
  if (!v(res.body)) {
    throw new AssertionError({ message: `${method} ${path} ${res.status}: not a valid Problem: ${JSON.stringify(v.errors)}` });
  }
}

/** Implemented operations without a successful (2xx, or 101 for the WebSocket) response seen in this run. */
export function contractCoverage(): { missing: string[]; summary: string } {
  const implemented = [...collectRoutes().handlers.keys()];
  const succeeded = (status: string) => status.startsWith('2') || status === '101';
  const missing = implemented.filter((id) => ![...(seen.get(id) ?? [])].some(succeeded));
  const lines = implemented
    .sort()
    .map((id) => `${id.padEnd(32)} ${[...(seen.get(id) ?? [])].sort().join(' ') || '-'}`);
  return { missing, summary: `Contract coverage (operation: statuses seen)\n${lines.join('\n')}` };
}
