/**
 * Resource limits, for every operation they apply to (found in `openapi.yaml`): oversized bodies,
 * page sizes and page numbers, deeply nested JSON, over-long strings in every field, many query
 * parameters, very long URLs, multipart bodies with many fields. Each is refused with a clear
 * error (or capped, for page sizes), never a crash, and the server keeps serving.
 *
 * WebSocket limits — sockets per user (429), message size (1009), floods (rate_limited, then 1008),
 * slow consumers (4008) — are tested in test/realtime/handshake.test.ts and protocol.test.ts.
 */
import http from 'node:http';
import net from 'node:net';
import { expect } from 'chai';
import { loadSpec, resolveRef, type JsonSchema, type Operation } from '../../src/openapi/spec.ts';
import { API_KEY_SCOPES } from '../../src/auth/apiKeys.ts';
import { createApiKey } from '../../src/services/apiKeys.ts';
import { MAX_PAGE_SIZE } from '../../src/lib/pagination.ts';
import { buildMentor, buildNotification } from '../helpers/factories.ts';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { AUTHZ_MATRIX, type Caller } from './authz-matrix.ts';
import { deepJson } from './schemaArbitraries.ts';
import { buildPeople, buildRecords, pathFor, requestContext, tokensOf, type People, type Person, type Records } from './world.ts';

const spec = loadSpec();
const operations = [...spec.operations.values()].filter((op) => op.operationId !== 'openWebSocket');
const withBody = operations.filter((op) => op.method !== 'get');
const withJsonBody = operations.filter((op) => op.requestBody?.content['application/json']);
const lists = operations.filter((op) => op.parameters.some((p) => p.name === 'page_size'));

/** Every string field of a body schema, with its limit (nested objects and oneOf branches included). */
function stringFields(schema: JsonSchema, prefix = ''): Array<{ path: string; schema: JsonSchema }> {
  const resolved = resolveRef<JsonSchema>(spec.document, schema);
  if (Array.isArray(resolved.oneOf)) return (resolved.oneOf as JsonSchema[]).flatMap((s) => stringFields(s, prefix));
  const out: Array<{ path: string; schema: JsonSchema }> = [];
  for (const [name, raw] of Object.entries((resolved.properties ?? {}) as Record<string, JsonSchema>)) {
    const field = resolveRef<JsonSchema>(spec.document, raw);
    const branches = Array.isArray(field.oneOf) ? (field.oneOf as JsonSchema[]).map((b) => resolveRef<JsonSchema>(spec.document, b)) : [field];
    for (const branch of branches) {
      const types = Array.isArray(branch.type) ? branch.type : [branch.type];
      if (types.includes('string')) out.push({ path: `${prefix}${name}`, schema: branch });
      if (types.includes('object')) out.push(...stringFields(branch, `${prefix}${name}.`));
    }
  }
  return out;
}

/** The caller the authorization matrix lets perform the operation. */
function allowedPerson(operationId: string): Person {
  const row = AUTHZ_MATRIX[operationId]!;
  const caller = (['owner', 'learner', 'admin', 'otherMentor'] as Caller[]).find((c) => row.expect[c] < 300) ?? 'owner';
  if (caller === 'owner') return row.owner === 'bookedLearner' ? 'bookedLearner' : 'owner';
  return caller as Person;
}

/** A raw HTTP/1.1 request (fetch refuses some of what a client can send). */
function rawRequest(url: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${path}`, { method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('hardening: resource limits', function () {
  this.timeout(60000);
  let server: TestServer;
  let people: People;
  let records: Records;
  let tokens: Record<Person, string>;
  /** An API key with every scope, for operations no user token may call (minting user tokens). */
  let hostKey: string;
  const healthy = async () => expect((await server.api.get('/healthz')).status).to.equal(200);
  const credentialFor = (op: Operation, person: Person) => (op.security.some((required) => required.length === 0) ? tokens[person] : hostKey);

  before(async () => {
    server = await getTestServer({ LOGIN_RATE_LIMIT: '1000' });
    people = await buildPeople(server.db);
    records = await buildRecords(server.db, people);
    tokens = tokensOf(server, people);
    hostKey = (await createApiKey(server.db, people.admin, { name: 'limits', scopes: [...API_KEY_SCOPES] })).key;
    // More rows than a page may hold: notifications for the owner, mentors for the directory.
    for (let i = 0; i < MAX_PAGE_SIZE + 20; i++) await buildNotification(server.db, { user_id: people.owner.id, message: `n${i}` });
    for (let i = 0; i < MAX_PAGE_SIZE + 5; i++) await buildMentor(server.db);
  });
  after(() => server?.close());

  describe('bodies', () => {
    it('answers 413 problem+json to a body over BODY_LIMIT_BYTES on every operation that reads one', async () => {
      const oversized = { pad: 'x'.repeat(server.config.bodyLimitBytes) };
      for (const op of withBody) {
        const path = pathFor(op, AUTHZ_MATRIX[op.operationId]!.target, people, records);
        const res = await server.api.request(op.method.toUpperCase(), path, { token: credentialFor(op, 'admin'), body: oversized });
        expect(res.status, op.operationId).to.equal(413);
        expect(res.body.code).to.equal('payload_too_large');
      }
      await healthy();
    });

    it('refuses JSON nested 10,000 deep — as the body and inside a field — with a 400, not a crash', async () => {
      for (const op of withJsonBody) {
        const path = pathFor(op, AUTHZ_MATRIX[op.operationId]!.target, people, records);
        const token = credentialFor(op, allowedPerson(op.operationId));
        for (const text of [deepJson(10_000, 'array'), deepJson(10_000, 'object'), `{"title":${deepJson(10_000, 'array')}}`]) {
          const res = await server.api.request(op.method.toUpperCase(), path, { token, body: text, headers: { 'Content-Type': 'application/json' } });
          expect(res.status, op.operationId).to.equal(400);
        }
      }
      // Deeper still: more bytes than the body limit, refused before parsing.
      const deeper = await server.api.post('/api/sessions/', deepJson(100_000, 'array'), { token: tokens.owner, headers: { 'Content-Type': 'application/json' } });
      expect(deeper.status).to.equal(413);
      await healthy();
    });

    it('bounds every string field of every request body (maxLength, or an anchored pattern without * or +)', () => {
      const boundedPattern = (p: unknown) => typeof p === 'string' && p.startsWith('^') && p.endsWith('$') && !/[*+]|\{\d+,\}/.test(p);
      const bounded = (s: JsonSchema) => s.maxLength !== undefined || boundedPattern(s.pattern) || Boolean(s.format || s.enum || 'const' in s);
      const unbounded = withJsonBody.flatMap((op) =>
        Object.values(op.requestBody!.content).flatMap((media) =>
          stringFields(media.schema ?? {}).filter((f) => !bounded(f.schema)).map((f) => `${op.operationId}.${f.path}`),
        ),
      );
      expect(unbounded).to.deep.equal([]);
    });

    it('refuses a string one character over its maxLength with a 400 naming the field, in every body', async () => {
      let checked = 0;
      for (const op of withJsonBody) {
        const row = AUTHZ_MATRIX[op.operationId]!;
        const path = pathFor(op, row.target, people, records);
        const token = credentialFor(op, allowedPerson(op.operationId));
        const base = (await row.body?.(requestContext(server, people, records))) as Record<string, unknown> | undefined;
        for (const field of stringFields(op.requestBody!.content['application/json']!.schema ?? {})) {
          if (field.schema.maxLength === undefined || field.path.includes('.')) continue;
          const body = { ...base, [field.path]: 'x'.repeat((field.schema.maxLength as number) + 1) };
          const res = await server.api.request(op.method.toUpperCase(), path, { token, body });
          expect(res.status, `${op.operationId}.${field.path}`).to.equal(400);
          expect(res.body.errors.map((e: { path: string }) => e.path), `${op.operationId}.${field.path}`).to.include(field.path);
          checked++;
        }
      }
      expect(checked).to.be.greaterThan(30);
    });

    it('refuses multipart bodies with many fields, many files or a huge field with 413, and over-long form fields with 400', async () => {
      const cases: Array<[string, () => FormData, number]> = [
        ['1,000 fields', () => { const f = new FormData(); for (let i = 0; i < 1000; i++) f.append(`f${i}`, 'x'); return f; }, 413],
        ['a field repeated 1,000 times', () => { const f = new FormData(); for (let i = 0; i < 1000; i++) f.append('bio', 'x'); return f; }, 413],
        ['two files', () => { const f = new FormData(); f.append('picture', new Blob([new Uint8Array(10)]), 'a.png'); f.append('picture', new Blob([new Uint8Array(10)]), 'b.png'); return f; }, 413],
        ['a field larger than the body limit', () => { const f = new FormData(); f.append('bio', 'x'.repeat(server.config.bodyLimitBytes + 1)); return f; }, 413],
        ['a file larger than UPLOAD_MAX_BYTES', () => { const f = new FormData(); f.append('picture', new Blob([new Uint8Array(server.config.uploadMaxBytes + 1)]), 'a.png'); return f; }, 413],
        ['bio over its maxLength', () => { const f = new FormData(); f.append('bio', 'x'.repeat(5001)); return f; }, 400],
      ];
      for (const op of operations.filter((o) => o.requestBody?.content['multipart/form-data'])) {
        for (const [what, form, status] of cases) {
          const res = await server.api.request(op.method.toUpperCase(), op.path, { token: tokens.owner, body: form() });
          expect(res.status, `${op.operationId}: ${what}`).to.equal(status);
        }
      }
      await healthy();
    });
  });

  describe('pages', () => {
    it(`caps page_size=1000000 at ${MAX_PAGE_SIZE} results on every list, without an error`, async () => {
      for (const op of lists) {
        const path = pathFor(op, AUTHZ_MATRIX[op.operationId]!.target, people, records);
        const res = await server.api.get(`${path}?page_size=1000000`, { token: tokens[allowedPerson(op.operationId)] });
        expect(res.status, op.operationId).to.equal(200);
        expect(res.body.results.length, op.operationId).to.be.at.most(MAX_PAGE_SIZE);
      }
      // Where there are more rows than a page holds, the page is full and the next one is linked.
      const inbox = await server.api.get('/api/notifications/?page_size=1000000', { token: tokens.owner });
      expect(inbox.body.results).to.have.length(MAX_PAGE_SIZE);
      expect(inbox.body.count).to.be.greaterThan(MAX_PAGE_SIZE);
      expect(inbox.body.next).to.be.a('string');
      const mentors = await server.api.get('/api/mentors/?page_size=1000000', { token: tokens.learner });
      expect(mentors.body.results).to.have.length(MAX_PAGE_SIZE);
    });

    it('answers an empty page, not an error, for page=1000000 on every list; beyond the maximum is a 400', async () => {
      for (const op of lists) {
        const path = pathFor(op, AUTHZ_MATRIX[op.operationId]!.target, people, records);
        const token = credentialFor(op, allowedPerson(op.operationId));
        const far = await server.api.get(`${path}?page=1000000&page_size=100`, { token });
        expect(far.status, op.operationId).to.equal(200);
        expect(far.body.results, op.operationId).to.deep.equal([]);
        expect(far.body.next).to.equal(null);
        for (const bad of ['page=1000001', 'page=0', 'page_size=0', 'page=-1', 'page=1e400', 'page=Infinity', 'page_size=Infinity']) {
          const res = await server.api.get(`${path}?${bad}`, { token });
          expect(res.status, `${op.operationId} ${bad}`).to.equal(400);
          expect(res.body.errors[0].path).to.equal(bad.split('=')[0]);
        }
      }
    });
  });

  describe('URLs and query strings', () => {
    it('refuses 1,000 unknown query parameters with one 400 listing them', async () => {
      const query = Array.from({ length: 1000 }, (_, i) => `p${i}=1`).join('&');
      const res = await server.api.get(`/api/sessions/?${query}`, { token: tokens.owner });
      expect(res.status).to.equal(400);
      expect(res.body.errors.length).to.be.greaterThan(100);
    });

    it('refuses a parameter repeated 1,500 times with a 400', async () => {
      const res = await server.api.get(`/api/sessions/?${'page=1&'.repeat(1500)}`, { token: tokens.owner });
      expect(res.status).to.equal(400);
      expect(res.body.errors[0].path).to.equal('page');
    });

    it('answers URLs just under the header limit with an ordinary problem (400 or 404)', async () => {
      const room = http.maxHeaderSize - 1024;
      const query = await server.api.get(`/api/sessions/?status=${'x'.repeat(room)}`, { token: tokens.owner });
      expect(query.status).to.equal(400);
      const path = await server.api.get(`/api/${'a'.repeat(room)}/`, { token: tokens.owner });
      expect(path.status).to.equal(404);
    });

    it(`answers a URL or header section over Node's ${http.maxHeaderSize}-byte limit with a 431 problem and keeps serving`, async () => {
      const longUrl = await rawRequest(server.url, `/api/sessions/?x=${'a'.repeat(http.maxHeaderSize)}`);
      const manyParams = await rawRequest(server.url, `/api/sessions/?${Array.from({ length: 3000 }, (_, i) => `p${i}=1`).join('&')}`);
      const bigHeader = await rawRequest(server.url, '/healthz', { 'X-Padding': 'a'.repeat(http.maxHeaderSize) });
      for (const res of [longUrl, manyParams, bigHeader]) {
        expect(res.status).to.equal(431);
        expect(JSON.parse(res.body)).to.include({ status: 431, code: 'headers_too_large' });
      }
      await healthy();
    });

    it('answers bytes that are not HTTP with a 400 problem and keeps serving', async () => {
      const { port } = new URL(server.url);
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(Number(port), '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
        let text = '';
        socket.on('data', (d) => (text += d));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
      expect(answer).to.match(/^HTTP\/1\.1 400 /);
      expect(answer).to.include('application/problem+json');
      expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).to.include({ status: 400, code: 'malformed_request' });
      await healthy();
    });
  });
});
