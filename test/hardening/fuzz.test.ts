/**
 * Fuzzing from the spec: for every operation in `openapi.yaml` (but the WebSocket upgrade), as an
 * anonymous caller, a learner, a mentor and an admin, fast-check sends requests whose path ids,
 * query parameters, headers and bodies are generated from the operation's own JSON Schemas
 * (schemaArbitraries.ts): valid values, values at and beyond every limit, wrong types, hostile text,
 * valid objects with one mutation, malformed or compressed JSON, wrong media types, hostile uploads.
 * A request carries its defect in one place at most (path, query, body or header) and is valid
 * elsewhere, so it gets past every other check; many carry none and reach the handlers' logic.
 *
 * Every answer must be below 500, and every 4xx must be problem+json — and the contract checker
 * behind `server.api` also fails any status or body `openapi.yaml` does not document. After each
 * operation the database invariants (invariants.ts) must still hold.
 *
 * One seed per run (printed on failure; FUZZ_SEED=<n> replays it against a fresh database).
 */
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { expect } from 'chai';
import fc from 'fast-check';
import { loadSpec, type Operation } from '../../src/openapi/spec.ts';
import { User } from '../../src/models/index.ts';
import { gifJsPolyglot, htmlPage, pngImage, pngMagicThenGarbage, svgImage } from '../fixtures/images.ts';
import type { RequestOptions } from '../helpers/client.ts';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { assertInvariants } from './invariants.ts';
import { deepJson, SchemaArbitraries } from './schemaArbitraries.ts';
import { allIds, buildPeople, buildRecords, tokensOf, type People, type Person } from './world.ts';

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : crypto.randomInt(2 ** 31 - 1);
/**
 * Runs per operation and role. Anonymous calls of protected operations all end at the 401 before
 * any parsing, so they get fewer: 55 × (8 + 3 × 28) + 8 public × 4 × 28 = 5,956 requests.
 */
const RUNS = 28;
const ANONYMOUS_RUNS = 8;
const MIN_REQUESTS = 5000;

const ROLES: ReadonlyArray<{ name: string; person?: Person }> = [
  { name: 'anonymous' },
  { name: 'learner', person: 'bookedLearner' },
  { name: 'mentor', person: 'owner' },
  { name: 'admin', person: 'admin' },
];

type Body =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown }
  | { kind: 'raw'; contentType: string; text: string | Uint8Array; encoding?: string }
  | { kind: 'form'; fields: Array<[string, string]>; picture?: Uint8Array };

interface FuzzRequest {
  fault: Fault;
  pathId: string;
  query: string;
  body: Body;
  idempotencyKey?: string;
}

/** Path segments: hostile ones percent-encoded as a client would; some deliberately raw. */
const HOSTILE_IDS = ['0', '-1', '2147483647', '2147483648', '1.5', '1e3', '1e400', 'Infinity', 'NaN', '0x10', '01', '+1', ' 1', '١٢', 'abc', 'null', '9'.repeat(400), "1' OR '1'='1", '1;DROP TABLE users', '<script>'];
const RAW_IDS = ['%00', '%', '%2e%2e', '1%2F2', '%F0%9F%92%A9', '%E0%A4%A', '..'];

const JUNK_BODIES: Array<{ contentType: string; text: string | Uint8Array; encoding?: string }> = [
  { contentType: 'application/json', text: '{' },
  { contentType: 'application/json', text: '{"a":' },
  { contentType: 'application/json', text: 'null' },
  { contentType: 'application/json', text: '[]' },
  { contentType: 'application/json', text: '"text"' },
  { contentType: 'application/json', text: '1e400' },
  { contentType: 'application/json', text: '{"__proto__":{"is_admin":true}}' },
  { contentType: 'application/json', text: '{"constructor":{"prototype":{"is_admin":true}}}' },
  { contentType: 'application/json', text: '\ufeff{}' },
  { contentType: 'application/json', text: deepJson(500, 'array') },
  { contentType: 'application/json', text: deepJson(500, 'object') },
  { contentType: 'application/json; charset=utf-7', text: '{}' },
  { contentType: 'application/json; charset=latin1', text: '{"x":"\u00e9"}' },
  { contentType: 'application/merge-patch+json', text: '{}' },
  { contentType: 'text/plain', text: 'hello' },
  { contentType: 'application/x-www-form-urlencoded', text: 'a=1&b=2' },
  { contentType: 'application/xml', text: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>' },
  { contentType: 'multipart/form-data', text: 'no boundary' },
  { contentType: 'multipart/form-data; boundary=zz', text: '--zz\r\nContent-Disposition: form-data; name="bio"\r\n\r\nunterminated' },
  // Compressed bodies: corrupt, truncated, unsupported, a decompression bomb, and a genuine one.
  { contentType: 'application/json', encoding: 'gzip', text: '{}' },
  { contentType: 'application/json', encoding: 'deflate', text: '{}' },
  { contentType: 'application/json', encoding: 'br', text: '{}' },
  { contentType: 'application/json', encoding: 'gzip', text: zlib.gzipSync('{"title":"x"}').subarray(0, 12) },
  { contentType: 'application/json', encoding: 'gzip, gzip', text: zlib.gzipSync(zlib.gzipSync('{}')) },
  { contentType: 'application/json', encoding: 'compress', text: '{}' },
  { contentType: 'application/json', encoding: 'gzip', text: zlib.gzipSync(`{"title":"${'x'.repeat(2_000_000)}"}`) },
  { contentType: 'application/json', encoding: 'gzip', text: zlib.gzipSync('{}') },
];
const UNKNOWN_PARAMS = ['foo', 'page[size]', '__proto__', 'status[]', 'PAGE', 'a'.repeat(2000), 'token'];
const RAW_QUERY_PARTS = ['%', '%zz', '&&&', '=', 'page=%F0%9F', 'a=b=c', '%00=%00', 'page=1&page=2'];

function queryValues(value: unknown): string[] {
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)));
  if (value !== null && typeof value === 'object') return [JSON.stringify(value)];
  return [String(value)];
}

/** Where a request carries its defect: at most one place, so the others get past validation. */
type Fault = 'none' | 'path' | 'query' | 'body' | 'header';

class RequestArbitraries {
  constructor(
    private readonly schemas: SchemaArbitraries,
    private readonly ids: number[],
    private readonly pictures: Uint8Array[],
  ) {}

  private pathId(faulty: boolean): fc.Arbitrary<string> {
    if (!faulty) {
      return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...this.ids) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 300 }) }).map(String);
    }
    return fc.oneof(fc.constantFrom(...HOSTILE_IDS).map(encodeURIComponent), fc.constantFrom(...RAW_IDS));
  }

  /** Declared parameters with valid or edge values; when faulty, one of them invalid or an unknown one added. */
  private query(op: Operation, faulty: boolean): fc.Arbitrary<string> {
    const params = op.parameters.filter((p) => p.in === 'query');
    const good = params.map((p) =>
      fc.option(
        fc.oneof(this.schemas.valid(p.schema ?? {}), this.schemas.edge(p.schema ?? {})).map((v) => queryValues(v).map((value) => [p.name, value] as [string, string])),
        { freq: 2, nil: [] },
      ),
    );
    const pairs = fc.tuple(...good).map((entries) => entries.flat());
    const encode = (entries: Array<[string, string]>, raw?: string) => [new URLSearchParams(entries).toString(), raw].filter(Boolean).join('&');
    if (!faulty) return pairs.map((entries) => encode(entries));
    const defects: Array<fc.Arbitrary<{ entries: Array<[string, string]>; raw?: string }>> = [
      fc.tuple(fc.constantFrom(...UNKNOWN_PARAMS), fc.constantFrom('1', 'x', '')).map((pair) => ({ entries: [pair] })),
      fc.constantFrom(...RAW_QUERY_PARTS).map((raw) => ({ entries: [], raw })),
    ];
    if (params.length) {
      defects.push(
        fc.constantFrom(...params).chain((p) => this.schemas.invalid(p.schema ?? {}).map((v) => ({ entries: queryValues(v).map((value) => [p.name, value] as [string, string]) }))),
      );
    }
    return fc.tuple(pairs, fc.oneof(...defects)).map(([entries, defect]) => {
      const names = new Set(defect.entries.map(([name]) => name));
      return encode([...entries.filter(([name]) => !names.has(name)), ...defect.entries], defect.raw);
    });
  }

  private body(op: Operation, faulty: boolean): fc.Arbitrary<Body> {
    if (op.method === 'get') return fc.constant<Body>({ kind: 'none' }); // fetch sends no GET bodies
    const content = op.requestBody?.content ?? {};
    const none = fc.constant<Body>({ kind: 'none' });
    const junk = fc.constantFrom(...JUNK_BODIES).map((b): Body => ({ kind: 'raw', ...b }));
    const asJson = (arb: fc.Arbitrary<unknown>) => arb.map((value): Body => ({ kind: 'json', value }));
    const json = content['application/json']?.schema;
    const form = content['multipart/form-data']?.schema;
    if (!json) {
      // No body declared: none or an empty object is fine; anything else is the defect.
      if (!faulty) return fc.oneof({ weight: 4, arbitrary: none }, { weight: 1, arbitrary: asJson(fc.constant({})) });
      return fc.oneof(asJson(fc.constantFrom<unknown>({ a: 1 }, [], null, 'x')), junk);
    }
    if (!faulty) {
      const good: Array<fc.WeightedArbitrary<Body>> = [{ weight: 3, arbitrary: asJson(fc.oneof(this.schemas.valid(json), this.schemas.edge(json))) }];
      if (form) good.push({ weight: 1, arbitrary: this.form(fc.oneof(this.schemas.valid(form), this.schemas.edge(form))) });
      if (!op.requestBody?.required) good.push({ weight: 1, arbitrary: none });
      return fc.oneof(...good);
    }
    const bad: Array<fc.WeightedArbitrary<Body>> = [
      { weight: 6, arbitrary: asJson(this.schemas.fuzzed(json).filter((v) => v !== undefined)) },
      { weight: 2, arbitrary: junk },
      { weight: 1, arbitrary: none },
    ];
    if (form) bad.push({ weight: 2, arbitrary: this.form(this.schemas.fuzzed(form)) });
    return fc.oneof(...bad);
  }

  /** Form fields as text (the way browsers send them), maybe with a picture — genuine or hostile. */
  private form(values: fc.Arbitrary<unknown>): fc.Arbitrary<Body> {
    return fc.tuple(values, fc.option(fc.constantFrom(...this.pictures), { freq: 2, nil: undefined })).map(([value, picture]): Body => {
      const fields: Array<[string, string]> = [];
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        for (const [k, v] of Object.entries(value)) if (k !== 'picture') fields.push(...queryValues(v).map((s) => [k, s] as [string, string]));
      }
      return { kind: 'form', fields, picture };
    });
  }

  private idempotencyKey(op: Operation, faulty: boolean): fc.Arbitrary<string | undefined> {
    if (!op.parameters.some((p) => p.in === 'header' && p.name === 'Idempotency-Key')) return fc.constant(undefined);
    if (faulty) return fc.constantFrom('', ' ', 'has space', 'x'.repeat(256), "' OR 1=1 --", 'caf\u00e9', '\t');
    return fc.option(fc.stringMatching(/^[A-Za-z0-9_.:-]{1,40}$/), { freq: 2, nil: undefined });
  }

  /** One record arbitrary per fault location, built once (building arbitraries costs more than sampling). */
  request(op: Operation): fc.Arbitrary<FuzzRequest> {
    const faults: Array<[Fault, number]> = [['none', 3], ['query', 2]];
    if (op.path.includes('{id}') || op.path.includes('{external_id}')) faults.push(['path', 1]);
    if (op.method !== 'get') faults.push(['body', op.requestBody ? 4 : 1]);
    if (op.parameters.some((p) => p.in === 'header')) faults.push(['header', 1]);
    return fc.oneof(
      ...faults.map(([fault, weight]) => ({
        weight,
        arbitrary: fc.record({
          fault: fc.constant(fault),
          pathId: this.pathId(fault === 'path'),
          query: this.query(op, fault === 'query'),
          body: this.body(op, fault === 'body'),
          idempotencyKey: this.idempotencyKey(op, fault === 'header'),
        }),
      })),
    );
  }
}

function toRequestOptions(req: FuzzRequest, token: string | undefined): RequestOptions {
  const headers: Record<string, string> = {};
  if (req.idempotencyKey !== undefined) headers['Idempotency-Key'] = req.idempotencyKey;
  const { body } = req;
  if (body.kind === 'none') return { token, headers };
  if (body.kind === 'json') return { token, headers, body: body.value };
  if (body.kind === 'raw') {
    headers['Content-Type'] = body.contentType;
    if (body.encoding) headers['Content-Encoding'] = body.encoding;
    return { token, headers, body: body.text };
  }
  const form = new FormData();
  for (const [k, v] of body.fields) form.append(k, v);
  if (body.picture) form.append('picture', new Blob([new Uint8Array(body.picture)]), 'picture.png');
  return { token, headers, body: form };
}

describe('hardening: fuzzing every operation from openapi.yaml', function () {
  this.timeout(120000);
  const spec = loadSpec();
  const operations = [...spec.operations.values()].filter((op) => op.operationId !== 'openWebSocket');
  let server: TestServer;
  let people: People;
  let tokens: Record<Person, string>;
  let requests: RequestArbitraries;
  /** `{external_id}` values: the provisioned user's, unknown ones, the longest allowed. */
  let externalIds: string[];
  let sent = 0;
  /** Statuses seen per operation, printed with FUZZ_REPORT=1 (to see how deep the inputs reach). */
  const statuses = new Map<string, Map<number, number>>();

  before(async () => {
    // A low login limit: after a few failures logins answer 429 without hashing (scrypt is slow).
    server = await getTestServer({ LOGIN_RATE_LIMIT: '2' });
    people = await buildPeople(server.db);
    const records = await buildRecords(server.db, people);
    tokens = tokensOf(server, people);
    const schemas = new SchemaArbitraries(spec.document, {
      ids: allIds(people, records),
      known: { Timezone: ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Mars/Olympus'] },
    });
    const pictures = [await pngImage(8, 8), svgImage(), htmlPage(), gifJsPolyglot(), pngMagicThenGarbage(), crypto.randomBytes(512), new Uint8Array()];
    requests = new RequestArbitraries(schemas, allIds(people, records), pictures);
    externalIds = [records.platformUser.external_id!, 'ext-42', 'a', 'org:7.user@host', 'x'.repeat(200)].map(encodeURIComponent);
  });
  after(() => server?.close());

  /** An admin may deactivate or demote anyone, the fuzzing roles included: put them back. */
  async function restorePeople() {
    for (const person of Object.values(people)) {
      await User.query(server.db).findById(person.id).patch({ is_active: true, role: person.role, is_admin: person.is_admin });
    }
  }

  operations.forEach((op, index) => {
    it(`${op.operationId}: hostile and boundary input never breaks the server or the contract`, async () => {
      const arbitrary = requests.request(op);
      for (const [roleIndex, role] of ROLES.entries()) {
        const token = role.person ? tokens[role.person] : undefined;
        const property = fc.asyncProperty(arbitrary, async (req) => {
          const externalId = req.fault === 'path' ? req.pathId : externalIds[Number(req.pathId) % externalIds.length]!;
          const path = op.path.replace('{id}', req.pathId).replace('{external_id}', externalId).replace('{delivery_id}', req.pathId);
          const url = req.query ? `${path}?${req.query}` : path;
          sent++;
          const res = await server.api.request(op.method.toUpperCase(), url, toRequestOptions(req, token));
          const seen = statuses.get(op.operationId) ?? statuses.set(op.operationId, new Map()).get(op.operationId)!;
          seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
          expect(res.status, `${op.method.toUpperCase()} ${url}: ${res.text.slice(0, 300)}`).to.be.below(500);
          if (res.status >= 400) expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
        });
        try {
          await fc.assert(property, { seed: (SEED + index * ROLES.length + roleIndex) % 2 ** 31, numRuns: !token && op.authenticated ? ANONYMOUS_RUNS : RUNS });
        } catch (err) {
          (err as Error).message = `as ${role.name} — replay with FUZZ_SEED=${SEED} npx mocha test/hardening/fuzz.test.ts\n${(err as Error).message}`;
          throw err;
        } finally {
          await restorePeople();
        }
      }
      await assertInvariants(server.db);
    });
  });

  it(`sent at least ${MIN_REQUESTS} requests across every operation and role`, () => {
    if (process.env.FUZZ_REPORT) {
      for (const [id, seen] of statuses) console.log(`${id.padEnd(28)} ${[...seen].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ')}`);
    }
    expect(sent).to.be.at.least(MIN_REQUESTS);
  });
});
