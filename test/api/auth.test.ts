import crypto from 'node:crypto';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { buildLearner, buildMentor, PASSWORD, tokenFor } from '../helpers/factories.ts';
import { accessClaims, b64 } from '../helpers/jwt.ts';
import { User } from '../../src/models/index.ts';

describe('auth', () => {
  let server: TestServer;
  before(async () => {
    server = await getTestServer({ LOGIN_RATE_LIMIT: '10', LOGIN_RATE_WINDOW_SECONDS: '60', REGISTER_RATE_LIMIT: '1000' });
  });
  after(() => server.close());

  const registration = (over: Record<string, unknown> = {}) => ({
    username: `reg_${crypto.randomBytes(4).toString('hex')}`,
    email: `${crypto.randomBytes(4).toString('hex')}@example.test`,
    password: 'a-long-password',
    role: 'learner',
    ...over,
  });

  describe('POST /api/auth/register/', () => {
    it('creates an account and never returns the password hash', async () => {
      const body = registration({ role: 'mentor', first_name: 'Ada', timezone: 'Europe/Berlin' });
      const res = await server.api.post('/api/auth/register/', body);
      expect(res.status).to.equal(201);
      expect(res.body).to.include({ username: body.username, role: 'mentor', is_admin: false, first_name: 'Ada', timezone: 'Europe/Berlin' });
      expect(res.text).not.to.match(/password|scrypt/);
      const row = await User.query(server.db).findById(res.body.id);
      expect(row!.password_hash).to.match(/^scrypt\$/);
    });

    it('works without the trailing slash', async () => {
      const res = await server.api.post('/api/auth/register', registration());
      expect(res.status).to.equal(201);
    });

    const refused: Array<[string, Record<string, unknown>, string]> = [
      ['role admin', { role: 'admin' }, 'role'],
      ['an unknown field', { is_admin: true }, 'is_admin'],
      ['a wrong type', { username: 12345 }, 'username'],
      ['an over-long string', { first_name: 'x'.repeat(151) }, 'first_name'],
      ['a bad email', { email: 'not-an-email' }, 'email'],
      ['a short password', { password: 'short' }, 'password'],
    ];
    for (const [what, over, field] of refused) {
      it(`refuses ${what} with a 400 naming "${field}" and writes nothing`, async () => {
        const before = await server.db('users').count({ n: '*' }).first();
        const res = await server.api.post('/api/auth/register/', registration(over));
        expect(res.status).to.equal(400);
        expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
        expect(res.body.code).to.equal('validation_failed');
        expect(res.body.errors.map((e: { path: string }) => e.path)).to.include(field);
        const after = await server.db('users').count({ n: '*' }).first();
        expect(after).to.deep.equal(before);
      });
    }

    it('reports every offending field at once', async () => {
      const res = await server.api.post('/api/auth/register/', registration({ role: 'admin', email: 'x', extra: 1 }));
      expect(res.status).to.equal(400);
      const paths = res.body.errors.map((e: { path: string }) => e.path);
      expect(paths).to.include.members(['role', 'email', 'extra']);
    });

    it('refuses a missing required field', async () => {
      const { password: _omit, ...rest } = registration();
      const res = await server.api.post('/api/auth/register/', rest);
      expect(res.status).to.equal(400);
      expect(res.body.errors).to.deep.include({ in: 'body', path: 'password', message: 'is required' });
    });

    it('refuses an unknown timezone naming the field', async () => {
      const res = await server.api.post('/api/auth/register/', registration({ timezone: 'Mars/Olympus' }));
      expect(res.status).to.equal(400);
      expect(res.body.errors[0].path).to.equal('timezone');
    });

    it('refuses a taken username regardless of case (409) and a taken email', async () => {
      const first = registration();
      expect((await server.api.post('/api/auth/register/', first)).status).to.equal(201);
      const sameName = await server.api.post('/api/auth/register/', registration({ username: first.username.toUpperCase() }));
      expect(sameName.status).to.equal(409);
      expect(sameName.body.errors[0].path).to.equal('username');
      const sameEmail = await server.api.post('/api/auth/register/', registration({ email: first.email.toUpperCase() }));
      expect(sameEmail.status).to.equal(409);
      expect(sameEmail.body.errors[0].path).to.equal('email');
    });

    it('refuses malformed JSON and non-JSON bodies as problems', async () => {
      const bad = await server.api.post('/api/auth/register/', '{"username":', { headers: { 'Content-Type': 'application/json' } });
      expect(bad.status).to.equal(400);
      expect(bad.body.code).to.equal('malformed_body');
      const form = await server.api.post('/api/auth/register/', 'username=x', {
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      });
      expect(form.status).to.equal(415);
    });

    it('refuses an oversized body with 413', async () => {
      const res = await server.api.post('/api/auth/register/', registration({ first_name: 'x'.repeat(200_000) }));
      expect(res.status).to.equal(413);
    });
  });

  describe('token, refresh, logout', () => {
    it('register → token → an authenticated call works', async () => {
      const body = registration({ role: 'mentor' });
      await server.api.post('/api/auth/register/', body);
      const tok = await server.api.post('/api/auth/token/', { username: body.username, password: body.password });
      expect(tok.status).to.equal(200);
      expect(tok.body.token_type).to.equal('Bearer');
      expect(tok.headers.get('cache-control')).to.equal('no-store');
      const profile = await server.api.get('/api/profile/', { token: tok.body.access });
      // The profile handler may land later; either way the token was accepted (not 401).
      expect(profile.status).to.be.oneOf([200, 501]);
      const user = await User.query(server.db).whereRaw('lower(username) = ?', [body.username.toLowerCase()]).first();
      expect(user!.last_login).to.be.instanceOf(Date);
    });

    it('logs in with the username in any case', async () => {
      const user = await buildLearner(server.db);
      const res = await server.api.post('/api/auth/token/', { username: user.username.toUpperCase(), password: PASSWORD });
      expect(res.status).to.equal(200);
    });

    it('answers 401 for a wrong password, an unknown user and a deactivated account', async () => {
      const user = await buildLearner(server.db);
      const wrong = await server.api.post('/api/auth/token/', { username: user.username, password: 'nope-nope-nope' });
      expect(wrong.status).to.equal(401);
      expect(wrong.body.code).to.equal('invalid_credentials');
      const unknown = await server.api.post('/api/auth/token/', { username: 'nobody_here', password: PASSWORD });
      expect(unknown.status).to.equal(401);
      const inactive = await buildLearner(server.db, { is_active: false });
      const res = await server.api.post('/api/auth/token/', { username: inactive.username, password: PASSWORD });
      expect(res.status).to.equal(401);
    });

    it('rotates refresh tokens; reusing a spent one revokes the whole family', async () => {
      const user = await buildLearner(server.db);
      const login = await server.api.post('/api/auth/token/', { username: user.username, password: PASSWORD });
      const r1 = login.body.refresh;
      const second = await server.api.post('/api/auth/token/refresh/', { refresh: r1 });
      expect(second.status).to.equal(200);
      const r2 = second.body.refresh;
      expect(r2).not.to.equal(r1);
      // r1 again once the grace for parallel refreshes has passed (test/api/refresh-grace.test.ts): reuse detected.
      const { jti } = jwt.decode(r1) as { jti: string };
      await server.db('refresh_tokens').where({ id: jti }).update({ used_at: new Date(Date.now() - 3600_000) });
      const reuse = await server.api.post('/api/auth/token/refresh/', { refresh: r1 });
      expect(reuse.status).to.equal(401);
      expect(reuse.body.code).to.equal('refresh_token_reused');
      // The legitimate holder's newer token is dead too, and stays dead.
      const afterwards = await server.api.post('/api/auth/token/refresh/', { refresh: r2 });
      expect(afterwards.status).to.equal(401);
      const again = await server.api.post('/api/auth/token/refresh/', { refresh: r1 });
      expect(again.status).to.equal(401);
      // A separate login is unaffected.
      const other = await server.api.post('/api/auth/token/', { username: user.username, password: PASSWORD });
      expect((await server.api.post('/api/auth/token/refresh/', { refresh: other.body.refresh })).status).to.equal(200);
    });

    it('logout revokes the refresh family', async () => {
      const user = await buildLearner(server.db);
      const login = await server.api.post('/api/auth/token/', { username: user.username, password: PASSWORD });
      const out = await server.api.post('/api/auth/logout/', { refresh: login.body.refresh });
      expect(out.status).to.equal(204);
      const res = await server.api.post('/api/auth/token/refresh/', { refresh: login.body.refresh });
      expect(res.status).to.equal(401);
      expect((await server.api.post('/api/auth/logout/', { refresh: 'garbage' })).status).to.equal(401);
    });

    it('refuses an access token where a refresh token is expected', async () => {
      const user = await buildLearner(server.db);
      const login = await server.api.post('/api/auth/token/', { username: user.username, password: PASSWORD });
      const res = await server.api.post('/api/auth/token/refresh/', { refresh: login.body.access });
      expect(res.status).to.equal(401);
    });

    it('rate limits: the 11th bad login within a minute is 429 with Retry-After', async () => {
      const user = await buildLearner(server.db);
      for (let i = 0; i < 10; i++) {
        const res = await server.api.post('/api/auth/token/', { username: user.username, password: `wrong-${i}-password` });
        expect(res.status).to.equal(401);
      }
      const limited = await server.api.post('/api/auth/token/', { username: user.username, password: PASSWORD });
      expect(limited.status).to.equal(429);
      expect(Number(limited.headers.get('retry-after'))).to.be.within(1, 60);
      // Another account is not locked by this one's failures.
      const other = await buildLearner(server.db);
      expect((await server.api.post('/api/auth/token/', { username: other.username, password: PASSWORD })).status).to.equal(200);
    });
  });

  describe('bearer tokens on protected operations', () => {
    let token: string;
    let user: User;
    const secretKey = () => server.bundle.deps.tokens.accessKey;
    const claims = () => accessClaims(server, user);
    const sign = (payload: object, header: object = { alg: 'HS256', typ: 'at+jwt' }) =>
      jwt.sign(payload, secretKey(), { header: header as jwt.JwtHeader, algorithm: 'HS256' });

    before(async () => {
      user = await buildMentor(server.db);
      token = tokenFor(server, user);
    });

    // A protected operation whose handler may or may not exist yet: the 401 comes first anyway.
    const call = (t?: string) => server.api.get('/api/notifications/', { token: t });

    it('accepts a valid token', async () => {
      expect((await call(token)).status).to.be.oneOf([200, 501]);
    });

    const bad: Array<[string, () => string | undefined]> = [
      ['a missing token', () => undefined],
      ['garbage', () => 'not.a.jwt'],
      ['an expired token', () => sign({ ...claims(), iat: 1000, exp: 2000 })],
      ['a tampered payload', () => {
        const [h, , s] = token.split('.');
        return `${h}.${b64({ ...claims(), role: 'mentor', adm: true })}.${s}`;
      }],
      ['alg none', () => `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(claims())}.`],
      ['the wrong audience', () => sign({ ...claims(), aud: 'someone-else' })],
      ['the wrong issuer', () => sign({ ...claims(), iss: 'evil' })],
      ['no exp', () => { const { exp: _e, ...c } = claims(); return sign(c); }],
      ['a wrong key', () => jwt.sign(claims(), crypto.randomBytes(32), { algorithm: 'HS256', header: { alg: 'HS256', typ: 'at+jwt' } as jwt.JwtHeader })],
      ['the wrong typ header', () => sign(claims(), { alg: 'HS256', typ: 'JWT' })],
      ['a refresh token', () => server.bundle.deps.tokens.signRefresh(user.id, crypto.randomUUID(), crypto.randomUUID())],
      ['an empty signature', () => token.split('.').slice(0, 2).join('.') + '.'],
    ];
    for (const [what, make] of bad) {
      it(`answers 401 problem+json for ${what}`, async () => {
        const res = await call(make());
        expect(res.status).to.equal(401);
        expect(res.headers.get('www-authenticate')).to.equal('Bearer');
        expect(res.body.status).to.equal(401);
      });
    }

    it('stops accepting the token of a deactivated user at once', async () => {
      const learner = await buildLearner(server.db);
      const t = tokenFor(server, learner);
      expect((await call(t)).status).to.be.oneOf([200, 501]);
      await User.query(server.db).findById(learner.id).patch({ is_active: false });
      const res = await call(t);
      expect(res.status).to.equal(401);
      expect(res.body.code).to.equal('account_unavailable');
    });
  });
});
