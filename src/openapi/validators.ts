/**
 * One validator per operationId, compiled on the operation's first request from `openapi.yaml` (Ajv 2020-12).
 * Path, query and header parameters are coerced (they arrive as strings); bodies are not.
 * Request schemas are closed in the spec (`additionalProperties: false`), and the parameter sets
 * built here are closed too, so an unknown field or query parameter is a 400 naming it.
 *
 * `allErrors` is on, unlike fastify's default: the contract promises every offending field in one
 * answer. Bodies are size-limited before they get here and every string in the spec has a
 * maxLength, which keeps the extra work bounded.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { FieldError } from '../errors.ts';
import type { JsonSchema, LoadedSpec, Operation } from './spec.ts';

type AddFormats = (ajv: Ajv2020) => Ajv2020;
// ajv-formats is CommonJS: under NodeNext its default export arrives as `.default`.
const addFormats: AddFormats =
  (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);

export const SPEC_SCHEMA_ID = 'openapi.json';
const OPENAPI_KEYWORDS = ['components', 'example', 'discriminator', 'xml', 'externalDocs'];
/** Schema keyword holding the human words for a failed `pattern` (or `format`) of that schema. */
export const ERROR_MESSAGE_KEYWORD = 'x-error-message';

/** What a failed `format` means, in words (Ajv says `must match format "email"`). */
const FORMAT_MESSAGES: Record<string, string> = {
  email: 'must be a valid email address',
  'date-time': 'must be a date and time with a time zone, e.g. 2026-12-02T10:30:00Z',
  date: 'must be a date, e.g. 2026-12-02',
  uri: 'must be a valid URL',
  'uri-reference': 'must be a valid URL or path',
};

/** Ajv's message for one error, in words a person understands where the schema says how. */
function humanMessage(e: ErrorObject): string {
  const custom = (e.parentSchema as Record<string, unknown> | undefined)?.[ERROR_MESSAGE_KEYWORD];
  if ((e.keyword === 'pattern' || e.keyword === 'format') && typeof custom === 'string') return custom;
  if (e.keyword === 'format') return FORMAT_MESSAGES[(e.params as { format: string }).format] ?? e.message ?? 'is invalid';
  return e.message ?? 'is invalid';
}

/** Rewrites local refs (`#/components/...`) so a fragment compiles against the registered document. */
export function anchorRefs<T>(value: T): T {
  if (Array.isArray(value)) return value.map(anchorRefs) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `${SPEC_SCHEMA_ID}${v}` : anchorRefs(v);
    }
    return out as T;
  }
  return value;
}

export function createAjv(spec: LoadedSpec, opts: { coerce: boolean }): Ajv2020 {
  const ajv = new Ajv2020({
    strict: true,
    allErrors: true,
    allowUnionTypes: true,
    coerceTypes: opts.coerce ? 'array' : false,
    useDefaults: opts.coerce,
    removeAdditional: false,
    // Errors carry their schema, so a failed `pattern` can be phrased by its `x-error-message`.
    verbose: true,
    // Checking each schema against the JSON Schema meta-schema costs ~0.2 s of start-up; the
    // document is linted in CI and checked this way in development and tests.
    validateSchema: process.env.NODE_ENV !== 'production',
  });
  ajv.addVocabulary(OPENAPI_KEYWORDS);
  // An annotation only: the words `toFieldErrors` shows people instead of the regular expression.
  ajv.addKeyword({ keyword: ERROR_MESSAGE_KEYWORD, schemaType: 'string' });
  addFormats(ajv);
  // Only the reusable parts are registered: the rest of the document is not a JSON Schema.
  ajv.addSchema({ $id: SPEC_SCHEMA_ID, components: spec.document.components ?? {} });
  return ajv;
}

/**
 * Request date-times must also be instants the server can work with: RFC 3339 admits leap seconds
 * (`23:59:60`) that `Date` cannot parse, and years (0000, or 9999 pushed past the year's end by an
 * offset) whose ISO form leaves the four-digit years both databases store and sort as text.
 */
function restrictDateTimes(ajv: Ajv2020): void {
  const rfc3339 = ajv.formats['date-time'] as { validate: (value: string) => boolean };
  ajv.addFormat('date-time', {
    type: 'string',
    validate: (value: string) => {
      if (!rfc3339.validate(value)) return false;
      const year = new Date(value).getUTCFullYear();
      return year >= 1 && year <= 9999;
    },
  });
}

type Location = FieldError['in'];

/** Turns Ajv errors into `{ in, path, message }` items, one per offending field. */
export function toFieldErrors(location: Location, errors: ErrorObject[] | null | undefined): FieldError[] {
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const e of errors ?? []) {
    // oneOf/anyOf/if summaries repeat what their branches already said.
    if (e.keyword === 'oneOf' || e.keyword === 'anyOf' || e.keyword === 'if') continue;
    const segments = e.instancePath
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    let message = humanMessage(e);
    if (e.keyword === 'required') {
      segments.push((e.params as { missingProperty: string }).missingProperty);
      message = 'is required';
    } else if (e.keyword === 'additionalProperties') {
      segments.push((e.params as { additionalProperty: string }).additionalProperty);
      message = location === 'query' ? 'is not a known parameter' : 'is not an allowed field';
    } else if (e.keyword === 'enum') {
      message = `must be one of: ${(e.params as { allowedValues: unknown[] }).allowedValues.map(String).join(', ')}`;
    }
    const path = segments.join('.');
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ in: location, path, message });
  }
  return out;
}

export interface OperationValidator {
  operation: Operation;
  /** Coerces and validates in place; returns the field errors (empty when valid). */
  path(params: Record<string, unknown>): FieldError[];
  query(query: Record<string, unknown>): FieldError[];
  headers(headers: Record<string, unknown>): FieldError[];
  /** Validates a body against the schema of its media type; returns null if none is declared. */
  body(mediaType: string, body: unknown): FieldError[] | null;
  bodyMediaTypes: string[];
  bodyRequired: boolean;
}

function paramSchema(op: Operation, where: 'path' | 'query' | 'header'): JsonSchema {
  const params = op.parameters.filter((p) => p.in === where);
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const p of params) {
    const name = p.name;
    properties[name] = anchorRefs(p.schema ?? {});
    if (p.required || where === 'path') required.push(name);
  }
  return {
    type: 'object',
    properties,
    required,
    // Unknown query parameters are refused; requests carry many headers we do not describe.
    additionalProperties: where === 'header',
  };
}

function run(validate: ValidateFunction, location: Location, data: unknown): FieldError[] {
  return validate(data) ? [] : toFieldErrors(location, validate.errors);
}

/**
 * Ajv coerces "1e400" and "Infinity" to Infinity for integer parameters and then skips the range
 * keywords for numbers that are not finite, so they would pass as ids and page numbers.
 */
function nonFinite(location: Location, values: Record<string, unknown>): FieldError[] {
  return Object.entries(values)
    .filter(([, value]) => typeof value === 'number' && !Number.isFinite(value))
    .map(([name]) => ({ in: location, path: name, message: 'must be a finite number' }));
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Text must be well-formed Unicode without NUL. PostgreSQL refuses NUL in text (where SQLite would
 * store it) and both drivers replace a lone surrogate with U+FFFD: refused here instead, alike on
 * both databases and naming the field. Runs on input that passed its schema, so depth is bounded.
 */
export function illFormedText(location: Location, value: unknown, path: string[] = []): FieldError[] {
  if (typeof value === 'string') {
    const bad = value.includes('\u0000') || LONE_SURROGATE.test(value);
    return bad ? [{ in: location, path: path.join('.'), message: 'must be well-formed text without NUL characters' }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => illFormedText(location, v, [...path, String(i)]));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => illFormedText(location, v, [...path, k]));
  return [];
}

/** Validation of a JSON body: its schema, then its text. */
function runBody(validate: ValidateFunction, body: unknown): FieldError[] {
  const errors = run(validate, 'body', body);
  return errors.length ? errors : illFormedText('body', body);
}

/** Validation with coercion (parameters and form fields arrive as text). */
function runCoerced(validate: ValidateFunction, location: Location, data: Record<string, unknown>): FieldError[] {
  const errors = run(validate, location, data);
  return errors.length ? errors : [...nonFinite(location, data), ...illFormedText(location, data)];
}

function compileOperation(op: Operation, coercing: Ajv2020, strict: Ajv2020) {
  const pathV = coercing.compile(paramSchema(op, 'path'));
  const queryV = coercing.compile(paramSchema(op, 'query'));
  const headerV = coercing.compile(paramSchema(op, 'header'));
  const bodyVs = new Map<string, ValidateFunction>();
  for (const [mediaType, media] of Object.entries(op.requestBody?.content ?? {})) {
    // Multipart fields arrive as strings from the form parser: coerce them like parameters.
    const ajv = mediaType === 'multipart/form-data' ? coercing : strict;
    bodyVs.set(mediaType, ajv.compile(anchorRefs(media.schema ?? {})));
  }
  return { pathV, queryV, headerV, bodyVs };
}

export function compileValidators(spec: LoadedSpec): Map<string, OperationValidator> {
  const coercing = createAjv(spec, { coerce: true });
  const strict = createAjv(spec, { coerce: false });
  restrictDateTimes(coercing);
  restrictDateTimes(strict);
  const result = new Map<string, OperationValidator>();
  for (const op of spec.operations.values()) {
    // Each operation's validators are compiled on its first request: start-up stays quick and a
    // process only holds the code of the operations it serves. (Every operation's schemas are
    // compiled by the test suite, so a broken schema cannot wait for production to show.)
    let compiled: { pathV: ValidateFunction; queryV: ValidateFunction; headerV: ValidateFunction; bodyVs: Map<string, ValidateFunction> } | undefined;
    const get = () => (compiled ??= compileOperation(op, coercing, strict));
    const bodyMediaTypes = Object.keys(op.requestBody?.content ?? {});
    result.set(op.operationId, {
      operation: op,
      path: (p) => runCoerced(get().pathV, 'path', p),
      query: (q) => runCoerced(get().queryV, 'query', q),
      headers: (h) => runCoerced(get().headerV, 'header', h),
      body: (mediaType, body) => {
        const v = get().bodyVs.get(mediaType);
        if (!v) return null;
        const coerced = mediaType === 'multipart/form-data' && body !== null && typeof body === 'object';
        return coerced ? runCoerced(v, 'body', body as Record<string, unknown>) : runBody(v, body);
      },
      bodyMediaTypes,
      bodyRequired: Boolean(op.requestBody?.required),
    });
  }
  return result;
}
