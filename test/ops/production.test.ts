/**
 * Production mode: secure defaults, no internals in error answers, HTTPS behind a proxy.
 */
import { expect } from 'chai';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { buildLearner, buildMentor, tokenFor } from '../helpers/factories.ts';

describe('production mode', () => {
  let server: TestServer;
  before(async () => {
    server = await getTestServer({ NODE_ENV: 'production', TRUST_PROXY: 'true', LOGIN_RATE_LIMIT: '2', LOGIN_ADDRESS_LIMIT: '10' });
  });
  after(() => server.close());

  it('sends HSTS and the strict security headers', async () => {
    const res = await server.api.get('/healthz');
    expect(res.headers.get('strict-transport-security')).to.match(/max-age=\d+/);
    expect(res.headers.get('content-security-policy')).to.include('upgrade-insecure-requests');
    expect(res.headers.get('x-powered-by')).to.equal(null);
  });

  it('answers an unexpected failure with a generic 500: no message, no stack', async () => {
    const mentor = await buildMentor(server.db);
    const token = tokenFor(server, mentor);
    // Break a table behind the application's back: the next query fails inside the handler.
    await server.db.schema.renameTable('payouts', 'payouts_moved');
    try {
      const res = await server.api.get('/api/payouts/', { token, unchecked: true });
      expect(res.status).to.equal(500);
      expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
      expect(res.body.code).to.equal('internal_error');
      expect(res.body.detail).to.equal('An unexpected error occurred. The request id identifies it in the server logs.');
      const { instance: _path, ...rest } = res.body;
      expect(JSON.stringify(rest)).not.to.match(/payouts|SQL|sqlite|relation|at \w+ \(/i);
    } finally {
      await server.db.schema.renameTable('payouts_moved', 'payouts');
    }
  });

  it('trusts X-Forwarded-For behind a proxy: rate limits are per real client address', async () => {
    const user = await buildLearner(server.db);
    const attempt = (ip: string, password = 'wrong-password!') =>
      server.api.post('/api/auth/token/', { username: user.username, password }, { headers: { 'X-Forwarded-For': ip } });
    // LOGIN_ADDRESS_LIMIT (10) failures from one address, over any usernames…
    for (let i = 0; i < 10; i++) {
      const res = await server.api.post(
        '/api/auth/token/',
        { username: `nobody_${i}`, password: 'wrong-password!' },
        { headers: { 'X-Forwarded-For': '203.0.113.7' } },
      );
      expect(res.status).to.equal(401);
    }
    // …hold that address back for every account it has not signed in to…
    expect((await attempt('203.0.113.7')).status).to.equal(429);
    // …while another client behind the same proxy is unaffected.
    expect((await attempt('198.51.100.9', 'correct-horse-battery')).status).to.equal(200);
  });
});
