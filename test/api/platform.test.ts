/**
 * Platform integration: a host platform's server holds an API key, provisions its users by their
 * own id and mints short-lived scoped user tokens for the widgets. The first block is the whole
 * host flow over HTTP (and /ws) only; the others cover keys, provisioning and tokens in detail.
 */
import { Writable } from 'node:stream';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { createLogger } from '../../src/logger.ts';
import { ApiKey, User } from '../../src/models/index.ts';
import { buildAdmin, buildLearner, buildMentor, buildSession, PASSWORD, tokenFor } from '../helpers/factories.ts';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { refusal, TestSocket } from '../realtime/client.ts';

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
const sessionBody = (title: string) => ({ title, description: '', start_time: inDays(3), duration: 60, price: null, capacity: 3, status: 'scheduled' });

/** Captures every log line the server writes. */
function logCapture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger('debug', {}, stream) };
}

describe('platform integration', () => {
  let server: TestServer;
  let admin: User;
  let adminToken: string;
  const logs = logCapture();
  before(async () => {
    server = await getTestServer({}, { logger: logs.logger });
    admin = await buildAdmin(server.db);
    adminToken = tokenFor(server, admin);
  });
  after(() => server.close());

  const createKey = async (scopes: string[], extra: Record<string, unknown> = {}) => {
    const res = await server.api.post('/api/admin/api-keys/', { name: `key ${scopes.join(' ')}`, scopes, ...extra }, { token: adminToken });
    expect(res.status, res.text).to.equal(201);
    return res.body as { id: number; key: string; prefix: string };
  };
  const provision = (key: string, externalId: string, body: Record<string, unknown>) =>
    server.api.put(`/api/platform/users/${encodeURIComponent(externalId)}/`, body, { token: key });
  const mint = (key: string, externalId: string, body: Record<string, unknown>) =>
    server.api.post(`/api/platform/users/${encodeURIComponent(externalId)}/tokens/`, body, { token: key });

  describe('the host flow, over HTTP only', () => {
    const sockets: TestSocket[] = [];
    after(async () => {
      for (const s of sockets) await s.close();
    });

    it('key → provisioned mentor → dashboard token (sessions, /ws, 403 outside) → room tokens stay in their room', async () => {
      // An admin signs in and creates the host's key.
      const login = await server.api.post('/api/auth/token/', { username: admin.username, password: PASSWORD });
      expect(login.status).to.equal(200);
      const created = await server.api.post(
        '/api/admin/api-keys/',
        { name: 'Acme LMS', scopes: ['platform:users', 'platform:tokens'] },
        { token: login.body.access },
      );
      expect(created.status).to.equal(201);
      expect(created.headers.get('cache-control')).to.equal('no-store');
      const key: string = created.body.key;
      expect(key).to.match(/^mdk_[A-Za-z0-9_-]{43}$/);
      expect(key.startsWith(created.body.prefix)).to.equal(true);

      // The host provisions its user ext-42 as a mentor (idempotently) and a learner ext-43.
      const first = await provision(key, 'ext-42', { role: 'mentor', email: 'grace@acme.example', first_name: 'Grace', last_name: 'Hopper' });
      expect(first.status).to.equal(201);
      expect(first.body).to.include({ external_id: 'ext-42', role: 'mentor', first_name: 'Grace', is_active: true });
      const again = await provision(key, 'ext-42', { role: 'mentor', email: 'grace@acme.example', first_name: 'Grace', last_name: 'Hopper' });
      expect(again.status).to.equal(200);
      expect(again.body.id).to.equal(first.body.id);
      expect((await provision(key, 'ext-43', { role: 'learner', email: 'ada@acme.example' })).status).to.equal(201);

      // A dashboard token: the mentor's dashboard works, over REST and /ws.
      const minted = await mint(key, 'ext-42', { scope: 'dashboard' });
      expect(minted.status).to.equal(201);
      expect(minted.body).to.include({ token_type: 'Bearer', expires_in: 600, scope: 'dashboard' });
      expect(minted.headers.get('cache-control')).to.equal('no-store');
      const dashboard: string = minted.body.access;
      // A starts soon, so its room is open for the room token below.
      const a = await server.api.post('/api/sessions/', { ...sessionBody('Session A'), start_time: new Date(Date.now() + 10 * 60_000).toISOString() }, { token: dashboard });
      const b = await server.api.post('/api/sessions/', sessionBody('Session B'), { token: dashboard });
      expect([a.status, b.status]).to.deep.equal([201, 201]);
      const listed = await server.api.get('/api/sessions/', { token: dashboard });
      expect(listed.status).to.equal(200);
      expect(listed.body.results.map((s: { id: number }) => s.id)).to.have.members([a.body.id, b.body.id]);
      expect((await server.api.get('/api/profile/', { token: dashboard })).body).to.include({ id: first.body.id, role: 'mentor' });

      const socket = await TestSocket.open(server.url, dashboard);
      sockets.push(socket);
      expect(socket.welcome.channels).to.deep.equal([`notifications_${first.body.id}`]);
      expect(await socket.subscribe(`session_${a.body.id}`)).to.include({ type: 'subscribed' });
      expect(await socket.subscribe(`room_${a.body.id}`)).to.include({ type: 'error', code: 'insufficient_scope' });

      // Outside the dashboard's scope: 403 insufficient_scope naming what is needed.
      for (const [method, path] of [
        ['GET', '/api/mentors/'],
        ['GET', `/api/sessions/${a.body.id}/chat/`],
        ['POST', `/api/sessions/${a.body.id}/complete/`],
        ['GET', '/api/admin/users/'],
        ['POST', '/api/platform/users/ext-42/tokens/'],
      ] as const) {
        const res = await server.api.request(method, path, { token: dashboard, body: method === 'POST' ? { scope: 'full' } : undefined });
        expect(res.status, `${method} ${path}`).to.equal(403);
        expect(res.body.code).to.equal('insufficient_scope');
        expect(res.headers.get('www-authenticate')).to.match(/^Bearer error="insufficient_scope"/);
      }
      expect((await server.api.get('/api/mentors/', { token: dashboard })).body.detail).to.match(/full user token/);

      // The learner books A with a full token (what the host's own learner page would do).
      const learnerFull = (await mint(key, 'ext-43', { scope: 'full' })).body.access;
      const booked = await server.api.post(`/api/sessions/${a.body.id}/book/`, undefined, { token: learnerFull });
      expect(booked.status).to.equal(201);

      // Room tokens for session A: A's room, readiness, chat and booking; nothing else.
      const mentorRoom = await mint(key, 'ext-42', { scope: 'room', session: a.body.id, ttl: 300 });
      expect(mentorRoom.body).to.include({ scope: 'room', session: a.body.id, expires_in: 300 });
      const room: string = mentorRoom.body.access;
      expect((await server.api.get(`/api/sessions/${a.body.id}/`, { token: room })).status).to.equal(200);
      expect((await server.api.get(`/api/sessions/${a.body.id}/chat/`, { token: room })).status).to.equal(200);
      expect((await server.api.get(`/api/bookings/?session=${a.body.id}`, { token: room })).status).to.equal(200);
      expect((await server.api.get('/api/profile/', { token: room })).status).to.equal(200);
      for (const path of [`/api/sessions/${b.body.id}/`, '/api/sessions/', `/api/bookings/?session=${b.body.id}`, '/api/bookings/', '/api/notifications/']) {
        const res = await server.api.get(path, { token: room });
        expect(res.status, path).to.equal(403);
        expect(res.body.code, path).to.equal('insufficient_scope');
      }
      const learnerRoom = (await mint(key, 'ext-43', { scope: 'room', session: a.body.id })).body.access;
      expect((await server.api.get(`/api/bookings/${booked.body.id}/`, { token: learnerRoom })).status).to.equal(200);

      const inRoom = await TestSocket.open(server.url, room);
      sockets.push(inRoom);
      expect(inRoom.welcome.channels).to.deep.equal([]);
      expect(await inRoom.subscribe(`room_${a.body.id}`)).to.include({ type: 'subscribed', channel: `room_${a.body.id}` });
      expect(await inRoom.subscribe(`session_${a.body.id}`)).to.include({ type: 'subscribed' });
      expect(await inRoom.subscribe(`room_${b.body.id}`)).to.include({ type: 'error', code: 'insufficient_scope' });
      expect(await inRoom.subscribe(`session_${b.body.id}`)).to.include({ type: 'error', code: 'insufficient_scope' });
      expect(await inRoom.subscribe(`notifications_${first.body.id}`)).to.include({ type: 'error', code: 'insufficient_scope' });
      // A renewal keeps the socket's scope: a fresh room token for A renews it, a dashboard token
      // (or a room token of another session) cannot widen it.
      const renewed = (await mint(key, 'ext-42', { scope: 'room', session: a.body.id })).body.access;
      expect(await inRoom.request({ type: 'auth', token: renewed })).to.include({ type: 'authenticated' });
      const roomB = (await mint(key, 'ext-42', { scope: 'room', session: b.body.id })).body.access;
      expect(await inRoom.request({ type: 'auth', token: roomB })).to.include({ type: 'error', code: 'insufficient_scope' });
      expect(await inRoom.request({ type: 'auth', token: dashboard })).to.include({ type: 'error', code: 'insufficient_scope' });

      // The host deactivates ext-42: tokens and sockets stop at once.
      expect((await server.api.delete('/api/platform/users/ext-42/', { token: key })).status).to.equal(204);
      expect((await socket.closed).code).to.equal(4003);
      expect((await inRoom.closed).code).to.equal(4003);
      const refused = await server.api.get('/api/sessions/', { token: dashboard });
      expect(refused.status).to.equal(401);
      expect((await mint(key, 'ext-42', { scope: 'dashboard' })).body.code).to.equal('account_deactivated');
      expect((await server.api.delete('/api/platform/users/ext-42/', { token: key })).status).to.equal(204);
      expect((await server.api.get('/api/platform/users/ext-42/', { token: key })).body).to.include({ is_active: false });
    });
  });

  describe('API keys', () => {
    it('are created, listed and revoked by admins only; the secret is shown once', async () => {
      const mentor = await buildMentor(server.db);
      const attempt = await server.api.post('/api/admin/api-keys/', { name: 'x', scopes: ['events'] }, { token: tokenFor(server, mentor) });
      expect(attempt.status).to.equal(403);
      expect((await server.api.post('/api/admin/api-keys/', { name: 'x', scopes: ['events'] })).status).to.equal(401);
      const bad = await server.api.post('/api/admin/api-keys/', { name: 'x', scopes: ['everything'] }, { token: adminToken });
      expect(bad.status).to.equal(400);
      expect(bad.body.errors[0]).to.include({ in: 'body', path: 'scopes.0' });
      const past = await server.api.post('/api/admin/api-keys/', { name: 'x', scopes: ['events'], expires_at: inDays(-1) }, { token: adminToken });
      expect(past.status).to.equal(400);
      expect(past.body.errors[0]).to.include({ path: 'expires_at' });

      const created = await createKey(['admin:read']);
      const row = await ApiKey.query(server.db).findById(created.id);
      expect(row!.key_hash).to.match(/^[0-9a-f]{64}$/);
      expect(row!.key_hash).to.not.contain(created.key.slice(4));
      const list = await server.api.get('/api/admin/api-keys/', { token: adminToken });
      expect(list.status).to.equal(200);
      expect(list.text).to.not.contain(created.key);
      expect(list.text).to.not.contain(row!.key_hash);
      const item = list.body.results.find((k: { id: number }) => k.id === created.id);
      expect(item).to.deep.include({ prefix: created.prefix, scopes: ['admin:read'], revoked_at: null });
      expect(item).to.not.have.property('key');

      // `admin:read` reads admin listings, but cannot create keys or change anything.
      expect((await server.api.get('/api/admin/api-keys/', { token: created.key })).status).to.equal(200);
      expect((await server.api.get('/api/admin/users/', { token: created.key })).status).to.equal(200);
      expect((await server.api.get('/api/admin/stats/', { token: created.key })).status).to.equal(200);
      const write = await server.api.patch(`/api/admin/users/${mentor.id}/`, { is_active: false }, { token: created.key });
      expect(write.status).to.equal(403);
      expect(write.body.code).to.equal('insufficient_scope');
      const mkKey = await server.api.post('/api/admin/api-keys/', { name: 'y', scopes: ['events'] }, { token: created.key });
      expect(mkKey.body.code).to.equal('insufficient_scope');
      expect((await server.api.delete(`/api/admin/api-keys/${created.id}/`, { token: created.key })).body.code).to.equal('insufficient_scope');
    });

    it('a revoked key is refused on the next call; revoking again is a no-op; unknown ids are 404', async () => {
      const { id, key } = await createKey(['platform:users']);
      expect((await provision(key, 'rev-1', { role: 'learner', email: 'rev-1@acme.example' })).status).to.equal(201);
      expect((await server.api.delete(`/api/admin/api-keys/${id}/`, { token: adminToken })).status).to.equal(204);
      const refused = await server.api.get('/api/platform/users/rev-1/', { token: key });
      expect(refused.status).to.equal(401);
      expect(refused.body.code).to.equal('invalid_api_key');
      expect(refused.headers.get('www-authenticate')).to.equal('Bearer');
      expect((await server.api.delete(`/api/admin/api-keys/${id}/`, { token: adminToken })).status).to.equal(204);
      expect((await server.api.delete('/api/admin/api-keys/999999/', { token: adminToken })).status).to.equal(404);
    });

    it('a key without the scope gets 403 insufficient_scope naming it; keys never act as users', async () => {
      const { key } = await createKey(['platform:users']);
      expect((await provision(key, 'scope-1', { role: 'mentor', email: 'scope-1@acme.example' })).status).to.equal(201);
      const res = await mint(key, 'scope-1', { scope: 'dashboard' });
      expect(res.status).to.equal(403);
      expect(res.body.code).to.equal('insufficient_scope');
      expect(res.body.detail).to.contain('`platform:tokens`');
      expect(res.headers.get('www-authenticate')).to.equal('Bearer error="insufficient_scope", scope="platform:tokens"');
      for (const path of ['/api/sessions/', '/api/profile/', '/api/notifications/']) {
        expect((await server.api.get(path, { token: key })).body.code, path).to.equal('insufficient_scope');
      }
      const ws = await refusal(server.url, key);
      expect(ws.status).to.equal(401);
    });

    it('an expired key gets 401 api_key_expired', async () => {
      const { id, key } = await createKey(['platform:users'], { expires_at: inDays(1) });
      expect((await server.api.get('/api/platform/users/nobody/', { token: key })).status).to.equal(404);
      await ApiKey.query(server.db).findById(id).patch({ expires_at: new Date(Date.now() - 1000) });
      const res = await server.api.get('/api/platform/users/nobody/', { token: key });
      expect(res.status).to.equal(401);
      expect(res.body.code).to.equal('api_key_expired');
    });

    it('malformed, unknown and tampered keys all get the same 401', async () => {
      const { key } = await createKey(['platform:users']);
      const flip = (s: string, at: number) => s.slice(0, at) + (s[at] === 'A' ? 'B' : 'A') + s.slice(at + 1);
      const variants = ['mdk_', 'mdk_short', `mdk_${'x'.repeat(43)}`, flip(key, key.length - 1), flip(key, 12), `${key}A`, key.slice(0, -1), `mdk_${'é'.repeat(43)}`];
      const bodies = new Set<string>();
      for (const variant of variants) {
        const res = await server.api.get('/api/platform/users/ext-1/', { token: variant });
        expect(res.status, variant).to.equal(401);
        expect(res.body.code).to.equal('invalid_api_key');
        bodies.add(JSON.stringify({ ...res.body, instance: undefined }));
      }
      expect(bodies.size).to.equal(1);
    });

    it('records last_used_at at most once a minute', async () => {
      const { id, key } = await createKey(['platform:users']);
      expect((await ApiKey.query(server.db).findById(id))!.last_used_at).to.equal(null);
      await server.api.get('/api/platform/users/nobody/', { token: key });
      const first = (await ApiKey.query(server.db).findById(id))!.last_used_at;
      expect(first).to.be.instanceOf(Date);
      await server.api.get('/api/platform/users/nobody/', { token: key });
      await server.api.get('/api/platform/users/nobody/', { token: key });
      expect((await ApiKey.query(server.db).findById(id))!.last_used_at!.getTime()).to.equal(first!.getTime());
    });

    it('never shows the secret in logs, listings or error bodies', async () => {
      logs.lines.length = 0;
      const { id, key } = await createKey(['platform:users']);
      const answers = [
        await server.api.get('/api/admin/api-keys/', { token: adminToken }),
        await provision(key, 'logs-1', { role: 'learner', email: 'not-an-email' }),
        await server.api.get('/api/sessions/', { token: key }),
        await server.api.get(`/api/platform/users/logs-1/?key=${key}`, { token: key }),
      ];
      await server.api.delete(`/api/admin/api-keys/${id}/`, { token: adminToken });
      answers.push(await server.api.get('/api/platform/users/logs-1/', { token: key }));
      expect(answers.map((a) => a.status)).to.deep.equal([200, 400, 403, 400, 401]);
      for (const a of answers) expect(a.text).to.not.contain(key.slice(4));
      const log = logs.lines.join('');
      expect(log).to.contain('api key created');
      expect(log).to.contain(`"apiKey":${id}`);
      expect(log).to.not.contain(key.slice(4));
    });
  });

  describe('rate limit', () => {
    let limited: TestServer;
    before(async () => {
      limited = await getTestServer({ API_KEY_RATE_LIMIT: '3', API_KEY_RATE_WINDOW_SECONDS: '60' });
    });
    after(() => limited.close());

    it('answers 429 with Retry-After once a key used its budget; other keys are unaffected', async () => {
      const admin2 = tokenFor(limited, await buildAdmin(limited.db));
      const make = async () => (await limited.api.post('/api/admin/api-keys/', { name: 'rl', scopes: ['platform:users'] }, { token: admin2 })).body.key as string;
      const [k1, k2] = [await make(), await make()];
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await limited.api.get('/api/platform/users/none/', { token: k1 })).status);
      expect(statuses).to.deep.equal([404, 404, 404, 429]);
      const refused = await limited.api.get('/api/platform/users/none/', { token: k1 });
      expect(refused.body.code).to.equal('rate_limited');
      expect(Number(refused.headers.get('retry-after'))).to.be.within(1, 60);
      expect((await limited.api.get('/api/platform/users/none/', { token: k2 })).status).to.equal(404);
    });
  });

  describe('provisioned users', () => {
    let key: string;
    before(async () => {
      key = (await createKey(['platform:users', 'platform:tokens'])).key;
    });

    it('validates the external id and the body, naming the field', async () => {
      const badId = await provision(key, 'has space', { role: 'learner', email: 'a@acme.example' });
      expect(badId.status).to.equal(400);
      expect(badId.body.errors[0]).to.include({ in: 'path', path: 'external_id' });
      const long = await provision(key, 'x'.repeat(201), { role: 'learner', email: 'a@acme.example' });
      expect(long.status).to.equal(400);
      const role = await provision(key, 'v-1', { role: 'admin', email: 'a@acme.example' });
      expect(role.body.errors[0]).to.include({ in: 'body', path: 'role' });
      const extra = await provision(key, 'v-1', { role: 'learner', email: 'a@acme.example', password: 'sneaky-password' });
      expect(extra.status).to.equal(400);
      const tz = await provision(key, 'v-1', { role: 'learner', email: 'a@acme.example', timezone: 'Mars/Olympus' });
      expect(tz.body.errors[0]).to.include({ path: 'timezone' });
      expect((await server.api.get('/api/platform/users/v-1/', { token: key })).status).to.equal(404);
    });

    it('accepts every allowed character and keeps ids apart', async () => {
      const id = 'org:7/user@host'.replace('/', '.');
      const res = await provision(key, id, { role: 'learner', email: 'chars@acme.example', timezone: 'Europe/Berlin', currency: 'EUR' });
      expect(res.status).to.equal(201);
      expect(res.body).to.include({ external_id: id, timezone: 'Europe/Berlin', currency: 'EUR' });
      expect(res.body.username).to.match(/^ext_[0-9a-f]{20}$/);
      expect((await server.api.get(`/api/platform/users/${encodeURIComponent(id)}/`, { token: key })).body.id).to.equal(res.body.id);
    });

    it('refuses a taken email (409) and changes roles under the admins’ rules', async () => {
      const other = await buildLearner(server.db);
      const taken = await provision(key, 'mail-1', { role: 'learner', email: other.email.toUpperCase() });
      expect(taken.status).to.equal(409);
      expect(taken.body.code).to.equal('email_taken');
      expect((await provision(key, 'role-1', { role: 'learner', email: 'role-1@acme.example' })).status).to.equal(201);
      const promoted = await provision(key, 'role-1', { role: 'mentor', email: 'role-1@acme.example', first_name: 'New' });
      expect(promoted.body).to.include({ role: 'mentor', first_name: 'New' });
      const mentor = await User.query(server.db).findById(promoted.body.id);
      await buildSession(server.db, { mentor_id: mentor!.id });
      const demoted = await provision(key, 'role-1', { role: 'learner', email: 'role-1@acme.example' });
      expect(demoted.status).to.equal(409);
      expect(demoted.body.code).to.equal('mentor_has_open_work');
    });

    it('concurrent first calls for one id create exactly one account', async () => {
      const results = await Promise.all(
        Array.from({ length: 5 }, () => provision(key, 'race-1', { role: 'learner', email: 'race-1@acme.example' })),
      );
      expect(results.map((r) => r.status).sort()).to.deep.equal([200, 200, 200, 200, 201]);
      expect(new Set(results.map((r) => r.body.id)).size).to.equal(1);
      expect(await User.query(server.db).where({ external_id: 'race-1' }).resultSize()).to.equal(1);
    });

    it('have no password: password login is refused with password_login_unavailable', async () => {
      const user = (await provision(key, 'nopw-1', { role: 'learner', email: 'nopw-1@acme.example' })).body;
      const row = await User.query(server.db).findById(user.id);
      expect(row!.password_hash).to.equal(null);
      const res = await server.api.post('/api/auth/token/', { username: user.username, password: 'anything-at-all' });
      expect(res.status).to.equal(401);
      expect(res.body.code).to.equal('password_login_unavailable');
    });

    it('admins may provision, read and deactivate with their own token; other users may not', async () => {
      expect((await provision(adminToken, 'adm-1', { role: 'learner', email: 'adm-1@acme.example' })).status).to.equal(201);
      expect((await server.api.get('/api/platform/users/adm-1/', { token: adminToken })).status).to.equal(200);
      const learner = tokenFor(server, await buildLearner(server.db));
      expect((await server.api.get('/api/platform/users/adm-1/', { token: learner })).status).to.equal(403);
      expect((await mint(adminToken, 'adm-1', { scope: 'full' })).body.code).to.equal('insufficient_scope');
      expect((await server.api.delete('/api/platform/users/adm-1/', { token: adminToken })).status).to.equal(204);
      expect((await provision(key, 'adm-1', { role: 'learner', email: 'adm-1@acme.example' })).body.code).to.equal('account_deactivated');
      expect((await server.api.delete('/api/platform/users/nobody-here/', { token: key })).status).to.equal(404);
    });
  });

  describe('user tokens', () => {
    let key: string;
    let mentorId: number;
    before(async () => {
      key = (await createKey(['platform:users', 'platform:tokens'])).key;
      mentorId = (await provision(key, 'tok-1', { role: 'mentor', email: 'tok-1@acme.example' })).body.id;
    });

    it('last ttl seconds (60–3600) and carry their scope', async () => {
      const res = await mint(key, 'tok-1', { scope: 'dashboard', ttl: 60 });
      expect(res.body.expires_in).to.equal(60);
      const claims = jwt.decode(res.body.access) as Record<string, number | string>;
      expect(Number(claims.exp) - Number(claims.iat)).to.equal(60);
      expect(claims).to.include({ sub: String(mentorId), scope: 'dashboard' });
      for (const ttl of [59, 3601]) {
        const refused = await mint(key, 'tok-1', { scope: 'dashboard', ttl });
        expect(refused.status).to.equal(400);
        expect(refused.body.errors[0]).to.include({ path: 'ttl' });
      }
      expect((await mint(key, 'tok-1', { scope: 'dashboard', ttl: 3600 })).body.expires_in).to.equal(3600);
    });

    it('an expired user token is refused with 401', async () => {
      const user = (await User.query(server.db).findById(mentorId))!;
      const expired = server.bundle.deps.tokens.signAccess(user, { scope: 'dashboard', ttlSeconds: -10 });
      const res = await server.api.get('/api/profile/', { token: expired });
      expect(res.status).to.equal(401);
    });

    it('a room token needs a session the user may join; other scopes take none', async () => {
      const missing = await mint(key, 'tok-1', { scope: 'room' });
      expect(missing.status).to.equal(400);
      expect(missing.body.errors[0]).to.include({ path: 'session' });
      const stranger = await buildSession(server.db, { mentor_id: (await buildMentor(server.db)).id });
      const foreign = await mint(key, 'tok-1', { scope: 'room', session: stranger.id });
      expect(foreign.status).to.equal(400);
      expect(foreign.body.errors[0]).to.include({ path: 'session' });
      const extra = await mint(key, 'tok-1', { scope: 'dashboard', session: stranger.id });
      expect(extra.body.errors[0]).to.include({ path: 'session' });
      expect((await mint(key, 'nobody-at-all', { scope: 'full' })).status).to.equal(404);
    });

    it('a full token does what a password login does; forged scope claims are refused', async () => {
      const full = (await mint(key, 'tok-1', { scope: 'full' })).body.access;
      expect((await server.api.get('/api/mentors/', { token: full })).status).to.equal(200);
      const user = (await User.query(server.db).findById(mentorId))!;
      const forged = server.bundle.deps.tokens.signAccess(user, { scope: 'admin' as never });
      expect((await server.api.get('/api/profile/', { token: forged })).status).to.equal(401);
      const roomless = server.bundle.deps.tokens.signAccess(user, { scope: 'room' });
      expect((await server.api.get('/api/profile/', { token: roomless })).status).to.equal(401);
    });
  });
});
