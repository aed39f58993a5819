/**
 * Injection and XSS: SQL metacharacters, markup and unusual (well-formed, NUL-free) unicode are
 * data, nothing else.
 *
 * - Filters: every free-text query parameter in `openapi.yaml` gets every payload and must return
 *   exactly the records a literal, case-insensitive substring match selects (`%`, `_` and `\` are
 *   not wildcards); every other parameter refuses them with a 400 naming it; no row changes.
 * - Stored text: every free-text field of every JSON request body (found by walking the schemas)
 *   is sent the payloads — by the caller the authorization matrix lets do it, on a body the matrix
 *   knows to be valid — and must come back byte-identical, as `application/json`.
 * - Markup in chat messages and notifications comes back as JSON data, never as HTML.
 *
 * Rendering that text as text in the widgets is the browser tests' part (test/browser/).
 */
import { expect } from 'chai';
import type { Knex } from 'knex';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { loadSpec, resolveRef, type JsonSchema, type Operation } from '../../src/openapi/spec.ts';
import { anchorRefs, createAjv } from '../../src/openapi/validators.ts';
import { ChatMessage } from '../../src/models/index.ts';
import { buildLearner, buildMentor, PASSWORD } from '../helpers/factories.ts';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { AUTHZ_MATRIX, type Caller } from './authz-matrix.ts';
import { assertInvariants } from './invariants.ts';
import { HTML_PAYLOADS, SQL_PAYLOADS } from './schemaArbitraries.ts';
import { buildPeople, buildRecords, pathFor, requestContext, tokensOf, type People, type Person, type Records } from './world.ts';

const spec = loadSpec();
const ajv = createAjv(spec, { coerce: false });

/** Well-formed, NUL-free unicode (lone surrogates and NUL are not text a database stores as such). */
const UNICODE_TEXT = ['𝕳𝖊𝖑𝖑𝖔', '👩🏽‍💻🚀', 'e\u0301\u0301', '\u202eتجربة', 'zero\u200bwidth', 'Ω≈ç√∫', 'İstanbul ß'];
const PAYLOADS = [...SQL_PAYLOADS, ...HTML_PAYLOADS, ...UNICODE_TEXT];
/** Free-text filters and what they match (case-insensitive, ASCII folding like SQLite's lower()). */
const FILTERS: Record<string, (user: UserRow, term: string) => boolean> = {
  'listMentors.search': (u, t) => [u.username, u.first_name, u.last_name, u.bio].some((v) => contains(v, t)),
  'listMentors.expertise': (u, t) => u.expertise.some((tag) => asciiLower(tag) === asciiLower(t)),
  'adminListUsers.search': (u, t) => [u.username, u.email, u.first_name, u.last_name].some((v) => contains(v, t)),
};
/** Fields whose values the server checks beyond the schema (IANA names): payloads are refused there. */
const SERVER_CHECKED_FIELDS = new Set(['timezone']);
/** Operations whose text fields are credentials: a payload is simply not a valid one. */
const CREDENTIALS = new Set(['obtainToken', 'refreshToken', 'logout']);

interface UserRow {
  id: number;
  username: string;
  email: string;
  first_name: string;
  last_name: string;
  bio: string;
  expertise: string[];
  role: string;
  is_active: boolean;
}

const asciiLower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
const contains = (value: string, term: string) => asciiLower(value).includes(asciiLower(term));
const length = (s: string) => [...s].length;

function validator(schema: JsonSchema): ValidateFunction {
  return ajv.compile(anchorRefs(schema));
}

/** A free-text string schema: no enum, const or format (patterns are fine: payloads are checked against them). */
function isFreeText(schema: JsonSchema): boolean {
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  return types.includes('string') && !schema.enum && !('const' in schema) && !schema.format;
}

interface TextField {
  name: string;
  /** A list of free-text items (e.g. expertise) rather than one string. */
  list: boolean;
  schema: JsonSchema;
  maxLength?: number;
  maxItems?: number;
}

/** The free-text fields of an operation's JSON body, found by walking its schema. */
function textFields(op: Operation): TextField[] {
  const body = op.requestBody?.content['application/json']?.schema;
  if (!body) return [];
  const root = resolveRef<JsonSchema>(spec.document, body);
  const branches = (root.oneOf as JsonSchema[] | undefined)?.map((b) => resolveRef<JsonSchema>(spec.document, b)) ?? [root];
  const fields = new Map<string, TextField>();
  for (const branch of branches) {
    for (const [name, raw] of Object.entries((branch.properties ?? {}) as Record<string, JsonSchema>)) {
      if (SERVER_CHECKED_FIELDS.has(name)) continue;
      const schema = resolveRef<JsonSchema>(spec.document, raw);
      if (isFreeText(schema)) fields.set(name, { name, list: false, schema, maxLength: schema.maxLength as number | undefined });
      const items = schema.type === 'array' ? resolveRef<JsonSchema>(spec.document, schema.items ?? {}) : undefined;
      if (items && isFreeText(items)) fields.set(name, { name, list: true, schema, maxItems: schema.maxItems as number | undefined });
    }
  }
  return [...fields.values()];
}

/** The payloads the field's schema accepts, packed into as few values as its limits allow. */
function valuesFor(field: TextField): unknown[] {
  if (field.list) {
    const item = validator((field.schema.items as JsonSchema) ?? {});
    const accepted = PAYLOADS.filter((p) => item(p));
    const size = field.maxItems ?? accepted.length;
    const out: string[][] = [];
    for (let i = 0; i < accepted.length; i += size) out.push(accepted.slice(i, i + size));
    return out;
  }
  const accepts = validator(field.schema);
  const max = field.maxLength ?? Infinity;
  const chunks: string[] = [];
  for (const payload of PAYLOADS.filter((p) => accepts(p) && length(p) <= max)) {
    const last = chunks.at(-1);
    if (last !== undefined && length(`${last} ${payload}`) <= max) chunks[chunks.length - 1] = `${last} ${payload}`;
    else chunks.push(payload);
  }
  return chunks;
}

function containsValue(haystack: unknown, needle: unknown): boolean {
  if (JSON.stringify(haystack) === JSON.stringify(needle)) return true;
  if (Array.isArray(haystack)) return haystack.some((v) => containsValue(v, needle));
  if (haystack && typeof haystack === 'object') return Object.values(haystack).some((v) => containsValue(v, needle));
  return false;
}

async function tableCounts(db: Knex): Promise<Record<string, number>> {
  const tables = ['users', 'sessions', 'bookings', 'requests', 'notifications', 'feedback', 'payouts', 'chat_messages', 'refresh_tokens'];
  const counts: Record<string, number> = {};
  for (const table of tables) counts[table] = Number((await db(table).count({ n: '*' }).first())?.n);
  return counts;
}

/** The caller that the matrix lets perform the operation (owner first). */
function allowedCaller(operationId: string): Caller {
  const row = AUTHZ_MATRIX[operationId]!;
  const callers: Caller[] = ['owner', 'learner', 'admin', 'otherMentor'];
  return callers.find((c) => row.expect[c] < 300) ?? 'owner';
}

describe('hardening: SQL metacharacters, markup and unicode are data', function () {
  this.timeout(60000);
  let server: TestServer;
  let people: People;
  let records: Records;
  let tokens: Record<Person, string>;
  const personFor = (operationId: string, caller: Caller): Person =>
    caller === 'owner' ? (AUTHZ_MATRIX[operationId]!.owner === 'bookedLearner' ? 'bookedLearner' : 'owner') : (caller as Person);

  before(async () => {
    server = await getTestServer({ LOGIN_RATE_LIMIT: '1000' });
    people = await buildPeople(server.db);
    records = await buildRecords(server.db, people);
    tokens = tokensOf(server, people);
    // Needles: every payload in a mentor's bio, a learner's last name and (where a tag may hold it) a tag.
    const tag = validator({ $ref: '#/components/schemas/Expertise' });
    for (const payload of PAYLOADS) {
      await buildMentor(server.db, { bio: `about ${payload} here`, expertise: tag([payload]) ? [payload] : [] });
      await buildLearner(server.db, { last_name: payload });
    }
  });
  after(() => server?.close());

  async function users(): Promise<UserRow[]> {
    const rows = await server.db('users').select('id', 'username', 'email', 'first_name', 'last_name', 'bio', 'expertise', 'role', 'is_active');
    return rows.map((r) => ({ ...r, is_active: Boolean(r.is_active), expertise: JSON.parse(r.expertise) as string[] }));
  }

  describe('filters', () => {
    const queryParams = [...spec.operations.values()].flatMap((op) =>
      op.parameters.filter((p) => p.in === 'query').map((p) => ({ op, param: p, schema: resolveRef<JsonSchema>(spec.document, p.schema ?? {}) })),
    );

    it('knows what every free-text query parameter in the spec matches', () => {
      // A patterned parameter (the event feed's dotted `types`) refuses payloads before any query.
      const freeText = queryParams
        .filter((q) => isFreeText(q.schema) && !q.schema.pattern && q.op.operationId !== 'openWebSocket')
        .map((q) => `${q.op.operationId}.${q.param.name}`);
      expect(freeText.sort()).to.deep.equal(Object.keys(FILTERS).sort());
    });

    it('matches every payload literally and changes no row', async () => {
      const before = await tableCounts(server.db);
      const all = await users();
      for (const [key, matches] of Object.entries(FILTERS)) {
        const [operationId, name] = key.split('.') as [string, string];
        const op = spec.operations.get(operationId)!;
        const token = operationId.startsWith('admin') ? tokens.admin : tokens.learner;
        const population = operationId === 'listMentors' ? all.filter((u) => u.role === 'mentor' && u.is_active) : all;
        for (const payload of PAYLOADS) {
          const query = new URLSearchParams({ [name]: payload, page_size: '100' });
          const res = await server.api.get(`${op.path}?${query}`, { token });
          expect(res.status, `${key}=${payload}`).to.equal(200);
          const expected = population.filter((u) => matches(u, payload)).map((u) => u.id).sort((a, b) => a - b);
          expect(expected.length, `${key}=${payload}: at most a page`).to.be.at.most(100);
          const got = (res.body.results as Array<{ id: number }>).map((u) => u.id).sort((a, b) => a - b);
          expect(got, `${key}=${payload}`).to.deep.equal(expected);
          expect(res.body.count).to.equal(expected.length);
        }
      }
      expect(await tableCounts(server.db)).to.deep.equal(before);
    });

    it('refuses the payloads in every other parameter with a 400 naming it', async () => {
      const before = await tableCounts(server.db);
      const typed = queryParams.filter((q) => !isFreeText(q.schema) && q.op.operationId !== 'openWebSocket');
      expect(typed.length).to.be.greaterThan(20);
      for (const { op, param } of typed) {
        const path = pathFor(op, AUTHZ_MATRIX[op.operationId]!.target, people, records);
        const person = personFor(op.operationId, allowedCaller(op.operationId));
        for (const payload of SQL_PAYLOADS.slice(0, 3)) {
          const res = await server.api.get(`${path}?${new URLSearchParams({ [param.name]: payload })}`, { token: tokens[person] });
          expect(res.status, `${op.operationId} ${param.name}=${payload}`).to.equal(400);
          expect(res.body.errors.map((e: { path: string }) => e.path)).to.include(param.name);
        }
      }
      expect(await tableCounts(server.db)).to.deep.equal(before);
    });
  });

  describe('stored text', () => {
    const operations = [...spec.operations.values()].filter((op) => textFields(op).length > 0);

    it('finds the free-text fields of the request bodies', () => {
      const names = operations.flatMap((op) => textFields(op).map((f) => `${op.operationId}.${f.name}`));
      expect(names).to.include.members(['createSession.title', 'createSession.description', 'updateProfile.bio', 'createFeedback.comment', 'adminBroadcastNotification.message', 'updateProfile.expertise']);
    });

    for (const op of operations) {
      it(`${op.operationId}: every free-text field keeps every payload byte for byte`, async () => {
        const before = await tableCounts(server.db);
        const row = AUTHZ_MATRIX[op.operationId]!;
        const person = personFor(op.operationId, allowedCaller(op.operationId));
        for (const field of textFields(op)) {
          for (const value of valuesFor(field)) {
            // Operations on a record get fresh records: each of them changes its record once.
            const fresh = row.target ? await buildRecords(server.db, people) : records;
            const context = requestContext(server, people, fresh);
            const body = { ...((await row.body?.(context)) as Record<string, unknown>), [field.name]: value };
            const res = await server.api.request(op.method.toUpperCase(), pathFor(op, row.target, people, fresh), { token: tokens[person], body });
            const what = `${op.operationId}.${field.name} = ${JSON.stringify(value).slice(0, 80)}`;
            if (CREDENTIALS.has(op.operationId)) {
              expect(res.status, what).to.equal(401);
              continue;
            }
            expect(res.status, `${what}: ${res.text.slice(0, 300)}`).to.be.within(200, 299);
            await expectStored(op, field.name, value, res, body);
          }
        }
        const after = await tableCounts(server.db);
        for (const [table, n] of Object.entries(before)) expect(after[table], `${table} lost rows`).to.be.at.least(n);
      });
    }

    /** The value comes back as JSON data: in the response, or where the operation puts it. */
    async function expectStored(op: Operation, field: string, value: unknown, res: { headers: Headers; body: unknown }, body: Record<string, unknown>) {
      if (field === 'password') {
        const login = await server.api.post('/api/auth/token/', { username: body.username, password: value });
        expect(login.status, `log in with the password ${JSON.stringify(value)}`).to.equal(200);
        return;
      }
      if (res.body !== undefined) expect(res.headers.get('content-type')).to.match(/^application\/json/);
      const stored = await whereItIsKept(op, res.body as Record<string, any>);
      expect(containsValue(stored, value), `${op.operationId}.${field} is kept`).to.equal(true);
    }

    /** Where an operation keeps what it was sent: mostly the record it answers with. */
    async function whereItIsKept(op: Operation, answer: Record<string, any>): Promise<unknown> {
      switch (op.operationId) {
        case 'adminBroadcastNotification': // the matrix body addresses the unrelated learner
          return (await server.api.get('/api/notifications/', { token: tokens.learner })).body.results;
        case 'acceptRequest': // the title and description are the new session's
          return (await server.api.get(`/api/sessions/${answer.session}/`, { token: tokens.owner })).body;
        default:
          return answer;
      }
    }

    it('never matched a password or logged in with one it did not set', async () => {
      for (const payload of SQL_PAYLOADS) {
        const res = await server.api.post('/api/auth/token/', { username: people.owner.username, password: payload });
        expect(res.status).to.equal(401);
      }
      const right = await server.api.post('/api/auth/token/', { username: people.owner.username, password: PASSWORD });
      expect(right.status).to.equal(200);
    });
  });

  describe('text that is not text', () => {
    it('refuses NUL and lone surrogates with a 400 naming the field, on SQLite and PostgreSQL alike', async () => {
      const before = await tableCounts(server.db);
      for (const bad of ['nul\u0000inside', 'lone \ud800 surrogate', 'lone \udc00 low']) {
        const body = await server.api.post('/api/sessions/', { title: 'ok', description: bad, start_time: new Date(Date.now() + 86_400_000).toISOString(), duration: 30 }, { token: tokens.owner });
        expect(body.status).to.equal(400);
        expect(body.body.errors).to.deep.include({ in: 'body', path: 'description', message: 'must be well-formed text without NUL characters' });
        const nested = await server.api.patch('/api/profile/', { expertise: ['ok', bad] }, { token: tokens.owner });
        expect(nested.status).to.equal(400);
        expect(nested.body.errors[0].path).to.equal('expertise.1');
      }
      // Form fields (FormData sends lone surrogates as U+FFFD, so only NUL can arrive that way).
      const form = new FormData();
      form.append('bio', 'nul\u0000inside');
      const multipart = await server.api.patch('/api/profile/', form, { token: tokens.owner });
      expect(multipart.status).to.equal(400);
      expect(multipart.body.errors[0].path).to.equal('bio');
      const query = await server.api.get('/api/mentors/?search=a%00b', { token: tokens.learner });
      expect(query.status).to.equal(400);
      expect(query.body.errors[0]).to.include({ in: 'query', path: 'search' });
      expect(await tableCounts(server.db)).to.deep.equal(before);
    });
  });

  describe('markup comes back as data', () => {
    it('chat messages: byte-identical JSON, never HTML, whatever the client accepts', async () => {
      const session = records.open;
      for (const body of [...HTML_PAYLOADS, ...SQL_PAYLOADS]) {
        await ChatMessage.query(server.db).insert({ session_id: session.id, sender_id: people.bookedLearner.id, body });
      }
      const res = await server.api.get(`/api/sessions/${session.id}/chat/?page_size=100`, { token: tokens.owner, headers: { Accept: 'text/html' } });
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.match(/^application\/json/);
      expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
      const bodies = (res.body.results as Array<{ body: string }>).map((m) => m.body);
      expect(bodies).to.include.members([...HTML_PAYLOADS, ...SQL_PAYLOADS]);
      // The raw bytes carry the markup as a JSON string, not as markup.
      expect(res.text).to.include(JSON.stringify(HTML_PAYLOADS[0]).slice(1, -1));
    });

    it('notifications quoting user text (a session title) carry it as data', async () => {
      const title = `${HTML_PAYLOADS[1]} ${SQL_PAYLOADS[0]}`;
      const created = await server.api.post('/api/sessions/', { title, start_time: new Date(Date.now() + 86_400_000).toISOString(), duration: 30, status: 'scheduled' }, { token: tokens.owner });
      expect(created.status).to.equal(201);
      expect(created.body.title).to.equal(title);
      const booked = await server.api.post(`/api/sessions/${created.body.id}/book/`, undefined, { token: tokens.learner });
      expect(booked.status).to.equal(201);
      const inbox = await server.api.get('/api/notifications/', { token: tokens.owner, headers: { Accept: 'text/html' } });
      expect(inbox.headers.get('content-type')).to.match(/^application\/json/);
      const messages = (inbox.body.results as Array<{ message: string }>).map((n) => n.message);
      expect(messages.some((m) => m.includes(title)), 'the booking notification quotes the title verbatim').to.equal(true);
    });

    it('leaves every data rule intact', async () => {
      await assertInvariants(server.db);
    });
  });
});
