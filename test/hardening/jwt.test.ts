/**
 * JWT negatives beyond test/api/auth.test.ts (which covers: missing, garbage, expired, tampered
 * payload, alg none, wrong aud, wrong iss, no exp, wrong key, wrong typ, refresh-as-access, empty
 * signature). Here: algorithm confusion (RS256, HS/RS, HS384/HS512), keys that are almost ours,
 * `nbf`, malformed claims, and header injection (`kid`, `jku`, `x5u`, `jwk`): the verifier must
 * ignore every key hint in the token — never fetch one — and use only its own pinned key.
 *
 * Tokens are verified in two places — koa-jwt for REST, `TokenService.verifyAccess` for the
 * WebSocket upgrade — so every refused token is tried on both.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import { expect } from 'chai';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { buildMentor } from '../helpers/factories.ts';
import type { User } from '../../src/models/index.ts';
import { refusal } from '../realtime/client.ts';
import { accessClaims, b64 } from '../helpers/jwt.ts';


describe('hardening: JWT negatives', function () {
  this.timeout(20000);
  let server: TestServer;
  let user: User;
  let keyServer: http.Server;
  let keyServerHits = 0;
  let keyServerUrl: string;
  const attacker = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const attackerJwk = { ...attacker.publicKey.export({ format: 'jwk' }), kid: 'attacker', use: 'sig', alg: 'RS256' };

  before(async () => {
    server = await getTestServer();
    user = await buildMentor(server.db);
    // Serves the attacker's key set: a verifier that follows `jku`/`x5u` would come here.
    keyServer = http.createServer((_req, res) => {
      keyServerHits++;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ keys: [attackerJwk] }));
    });
    await new Promise<void>((resolve) => keyServer.listen(0, '127.0.0.1', resolve));
    keyServerUrl = `http://127.0.0.1:${(keyServer.address() as { port: number }).port}`;
  });
  after(async () => {
    await server?.close();
    await new Promise<void>((resolve) => keyServer?.close(() => resolve()));
  });

  const accessKey = () => server.bundle.deps.tokens.accessKey;
  const claims = (over: Record<string, unknown> = {}) => accessClaims(server, user, over);
  /** A token with any header, signed over exactly those bytes by `sign`. */
  const forge = (header: Record<string, unknown>, payload: Record<string, unknown>, sign: (input: string) => string) => {
    const input = `${b64(header)}.${b64(payload)}`;
    return `${input}.${sign(input)}`;
  };
  const hmac = (key: crypto.KeyObject | crypto.BinaryLike, algorithm = 'sha256') => (input: string) => crypto.createHmac(algorithm, key).update(input).digest('base64url');
  const rsa = (input: string) => crypto.sign('sha256', Buffer.from(input), attacker.privateKey).toString('base64url');
  const ours = (header: Record<string, unknown> = {}, payload = claims()) => forge({ alg: 'HS256', typ: 'at+jwt', ...header }, payload, hmac(accessKey()));

  const call = (token: string) => server.api.get('/api/profile/', { token });
  async function expectRefused(token: string) {
    const res = await call(token);
    expect(res.status).to.equal(401);
    expect(res.headers.get('www-authenticate')).to.equal('Bearer');
    expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect((await refusal(server.url, token)).status, 'the WebSocket upgrade').to.equal(401);
  }

  it('accepts a token signed with our key (the control for every case below)', async () => {
    expect((await call(ours())).status).to.equal(200);
  });

  const refused: Array<[string, () => string]> = [
    ['RS256 signed with an attacker key', () => forge({ alg: 'RS256', typ: 'at+jwt' }, claims(), rsa)],
    ['alg RS256 with an HMAC of our own key (HS/RS confusion)', () => forge({ alg: 'RS256', typ: 'at+jwt' }, claims(), hmac(accessKey()))],
    ['HS384 with our key (the algorithm is pinned)', () => forge({ alg: 'HS384', typ: 'at+jwt' }, claims(), hmac(accessKey(), 'sha384'))],
    ['HS512 with our key', () => forge({ alg: 'HS512', typ: 'at+jwt' }, claims(), hmac(accessKey(), 'sha512'))],
    ['the raw JWT_SECRET instead of the derived access key', () => forge({ alg: 'HS256', typ: 'at+jwt' }, claims(), hmac(server.config.jwt.secret))],
    ['the refresh key with an access type and audience', () => forge({ alg: 'HS256', typ: 'at+jwt' }, claims(), hmac(server.bundle.deps.tokens.refreshKey))],
    ['an attacker public key in PEM used as the HMAC secret', () => forge({ alg: 'HS256', typ: 'at+jwt' }, claims(), hmac(attacker.publicKey.export({ type: 'spki', format: 'pem' }).toString()))],
    ['nbf in the future', () => ours({}, claims({ nbf: Math.floor(Date.now() / 1000) + 3600 }))],
    ['exp as a string', () => ours({}, claims({ exp: String(Math.floor(Date.now() / 1000) + 3600) }))],
    ['a sub that is no number', () => ours({}, claims({ sub: `${user.id} OR 1=1` }))],
    ['the sub of a user who does not exist', () => ours({}, claims({ sub: '2147483647' }))],
    ['a sub with leading zeros', () => ours({}, claims({ sub: `00${user.id}` }))],
    ['an audience list without ours', () => ours({}, claims({ aud: ['other-api', `${server.config.jwt.audience}:refresh`] }))],
    ['kid path traversal, signed with an empty key', () => forge({ alg: 'HS256', typ: 'at+jwt', kid: '../../../../../../dev/null' }, claims(), hmac(''))],
    ["kid SQL injection, signed with the injected value", () => forge({ alg: 'HS256', typ: 'at+jwt', kid: "x' UNION SELECT 'k' --" }, claims(), hmac('k'))],
    ['jku pointing at an attacker key set', () => forge({ alg: 'RS256', typ: 'at+jwt', kid: 'attacker', jku: `${keyServerUrl}/jwks.json` }, claims(), rsa)],
    ['x5u pointing at an attacker certificate', () => forge({ alg: 'RS256', typ: 'at+jwt', x5u: `${keyServerUrl}/cert.pem` }, claims(), rsa)],
    ['an embedded jwk of the attacker', () => forge({ alg: 'RS256', typ: 'at+jwt', jwk: attackerJwk }, claims(), rsa)],
    ['four segments', () => `${ours()}.extra`],
    ['a header that is not JSON', () => `${Buffer.from('{alg:HS256').toString('base64url')}.${b64(claims())}.${hmac(accessKey())('x')}`],
  ];
  for (const [what, make] of refused) {
    it(`refuses ${what} with 401 problem+json`, async () => {
      await expectRefused(make());
    });
  }

  it('never fetches the keys a token points at', () => {
    // Runs after the jku/x5u cases above.
    expect(keyServerHits).to.equal(0);
  });

  it('ignores key hints on a token signed with our key (kid, jku, x5u select nothing)', async () => {
    const token = ours({ kid: 'attacker', jku: `${keyServerUrl}/jwks.json`, x5u: `${keyServerUrl}/cert.pem` });
    expect((await call(token)).status).to.equal(200);
    expect(keyServerHits).to.equal(0);
  });

  it('takes the token from the Authorization header only (not ?token= or a cookie)', async () => {
    const token = ours();
    const inQuery = await server.api.get(`/api/profile/?token=${token}`);
    expect(inQuery.status).to.be.oneOf([400, 401]); // an unknown parameter, or simply no credential
    const inCookie = await server.api.get('/api/profile/', { headers: { Cookie: `token=${token}; jwt=${token}` } });
    expect(inCookie.status).to.equal(401);
  });

  it('refuses other schemes and a malformed Authorization header', async () => {
    const token = ours();
    for (const header of [`Basic ${token}`, `Token ${token}`, `Bearer ${token} ${token}`, 'Bearer', `Bearer  `]) {
      const res = await server.api.get('/api/profile/', { headers: { Authorization: header } });
      expect(res.status, header.slice(0, 20)).to.equal(401);
    }
  });

  it('answers 401, not a crash, for a token of 8 KB', async () => {
    await expectRefused(`${'a'.repeat(4000)}.${'b'.repeat(4000)}.c`);
    await expectRefused(ours({ pad: 'x'.repeat(6000) }).replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')));
  });
});
