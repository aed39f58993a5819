import { expect } from 'chai';
import { pino } from 'pino';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { buildAdmin, tokenFor } from '../helpers/factories.ts';
import { loadSpec } from '../../src/openapi/spec.ts';
import { collectRoutes } from '../../src/api/index.ts';

describe('ops and the contract', () => {
  let server: TestServer;
  before(async () => {
    server = await getTestServer({ CORS_ORIGINS: 'https://embed.example' });
  });
  after(() => server.close());

  it('GET /healthz answers ok', async () => {
    const res = await server.api.get('/healthz');
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ status: 'ok' });
    expect(res.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
  });

  it('GET /readyz checks the database', async () => {
    const res = await server.api.get('/readyz');
    expect(res.status).to.equal(200);
    expect(res.body.checks.database).to.equal('ok');
  });

  it('serves the contract at /openapi.yaml and a rendered reference at /docs', async () => {
    const spec = await server.api.get('/openapi.yaml');
    expect(spec.status).to.equal(200);
    expect(spec.text).to.match(/^openapi: 3\.1/m);
    const docs = await server.api.get('/docs');
    expect(docs.status).to.equal(200);
    expect(docs.text).to.include('/docs/redoc.standalone.js');
    const js = await fetch(`${server.url}/docs/redoc.standalone.js`);
    expect(js.status).to.equal(200);
    expect((await js.arrayBuffer()).byteLength).to.be.greaterThan(100_000);
  });

  it('sends security headers', async () => {
    const res = await server.api.get('/healthz');
    expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(res.headers.get('content-security-policy')).to.include("default-src 'self'");
    expect(res.headers.get('x-frame-options')).to.equal('SAMEORIGIN');
  });

  it('allows CORS only for allowlisted origins', async () => {
    const ok = await fetch(`${server.url}/api/auth/token/`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://embed.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(ok.headers.get('access-control-allow-origin')).to.equal('https://embed.example');
    const other = await fetch(`${server.url}/api/auth/token/`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(other.headers.get('access-control-allow-origin')).to.equal(null);
    // The refusal says why, for the network panel and for curl.
    expect(other.status).to.equal(403);
    expect(other.headers.get('content-type')).to.match(/^application\/problem\+json/);
    const problem = await other.json();
    expect(problem).to.include({ code: 'origin_not_allowed', type: '/problems/origin_not_allowed' });
    expect(problem.detail).to.include('https://evil.example').and.include('CORS_ORIGINS');
  });

  it('logs an origin refused by CORS_ORIGINS once, naming it', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const logged = await getTestServer({ CORS_ORIGINS: 'https://embed.example' }, { logger });
    try {
      for (let i = 0; i < 2; i++) {
        await fetch(`${logged.url}/api/profile/`, { method: 'OPTIONS', headers: { Origin: 'https://stranger.example', 'Access-Control-Request-Method': 'GET' } });
      }
      await fetch(`${logged.url}/api/profile/`, { method: 'OPTIONS', headers: { Origin: 'https://embed.example', 'Access-Control-Request-Method': 'GET' } });
      const refusals = lines.map((line) => JSON.parse(line)).filter((entry) => /CORS/.test(entry.msg));
      expect(refusals.map((entry) => entry.origin)).to.deep.equal(['https://stranger.example']);
      expect(refusals[0].msg).to.include('CORS_ORIGINS');
    } finally {
      await logged.close();
    }
  });

  it('answers unknown paths with a 404 problem and wrong methods with 405 + Allow', async () => {
    const missing = await server.api.get('/api/nothing-here/');
    expect(missing.status).to.equal(404);
    expect(missing.body.code).to.equal('not_found');
    const wrong = await server.api.delete('/api/auth/token/');
    expect(wrong.status).to.equal(405);
    expect(wrong.headers.get('allow')).to.include('POST');
  });

  it('answers 501 problem+json for every operation in the spec without a handler', async () => {
    const admin = await buildAdmin(server.db);
    const token = tokenFor(server, admin);
    const implemented = new Set(collectRoutes().handlers.keys());
    const pending = [...loadSpec().operations.values()].filter((op) => !implemented.has(op.operationId));
    for (const op of pending) {
      const path = op.path.replace(/\{\w+\}/g, '1');
      const res = await server.api.request(op.method.toUpperCase(), path, { token: op.authenticated ? token : undefined });
      expect(res.status, `${op.operationId} should be 501 until implemented`).to.equal(501);
      expect(res.body.code).to.equal('not_implemented');
      expect(res.body.detail).to.include(op.operationId);
    }
  });

  it('requires a token before revealing that an operation is not implemented', async () => {
    const ops = [...loadSpec().operations.values()].filter((op) => op.authenticated);
    for (const op of ops.slice(0, 10)) {
      const res = await server.api.request(op.method.toUpperCase(), op.path.replace(/\{\w+\}/g, '1'));
      expect(res.status, op.operationId).to.equal(401);
    }
  });
});
