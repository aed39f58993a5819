/**
 * The shape of a request before any operation sees it: a JSON body that is not an object (`[]`
 * above all) is refused where an operation takes no body or expects an object, and a request that
 * names two hosts is refused outright.
 */
import net from 'node:net';
import { expect } from 'chai';
import { loadSpec } from '../../src/openapi/spec.ts';
import { createApiKey } from '../../src/services/apiKeys.ts';
import { buildAdmin, buildLearner, tokenFor } from '../helpers/factories.ts';
import { getTestServer, type TestServer } from '../helpers/server.ts';

const spec = loadSpec();
const operations = [...spec.operations.values()].filter((op) => op.operationId !== 'openWebSocket' && op.method !== 'get');
const withoutBody = operations.filter((op) => !op.requestBody);
const withJsonBody = operations.filter((op) => op.requestBody?.content['application/json']);
const concrete = (path: string) => path.replace(/\{[^}]+\}/g, '1');

/** Sends `head` (request line and headers, CRLF-separated) on a fresh socket; the whole answer. */
function rawExchange(url: string, head: string): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(`${head}\r\n\r\n`));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('hardening: request shape', function () {
  this.timeout(60000);
  let server: TestServer;
  let userToken: string;
  let keyToken: string;
  /** A user token, or an API key holding every scope for the operations only keys may call. */
  const credentialFor = (op: (typeof operations)[number]) => (op.security.some((scopes) => scopes.length === 0) ? userToken : keyToken);

  before(async () => {
    server = await getTestServer();
    userToken = tokenFor(server, await buildLearner(server.db));
    const scopes = ['platform:users', 'platform:tokens', 'webhooks', 'events', 'admin:read'] as const;
    keyToken = (await createApiKey(server.db, await buildAdmin(server.db), { name: 'Shape', scopes: [...scopes] })).key;
  });
  after(() => server.close());

  describe('a JSON body that is not an object', () => {
    it('is refused (400, the body named) by every operation that takes no body', async () => {
      expect(withoutBody.length).to.be.greaterThan(5);
      for (const op of withoutBody) {
        const path = concrete(op.path);
        for (const body of [[], [{}], [1, 2]]) {
          const res = await server.api.request(op.method.toUpperCase(), path, { token: credentialFor(op), body });
          const what = `${op.operationId} with ${JSON.stringify(body)}`;
          expect(res.status, what).to.equal(400);
          expect(res.body.code, what).to.equal('validation_failed');
          expect(res.body.errors, what).to.deep.equal([{ in: 'body', path: '', message: 'this operation takes no request body' }]);
        }
        // `{}` still means "no body" (clients that always send JSON keep working).
        const empty = await server.api.request(op.method.toUpperCase(), path, { token: credentialFor(op), body: {} });
        expect(empty.status, `${op.operationId} with {}`).not.to.equal(400);
      }
    });

    it('is refused (400) by every operation whose JSON body is an object', async () => {
      for (const op of withJsonBody) {
        for (const body of [[], '"text"', '42', 'null', 'true']) {
          const res = await server.api.request(op.method.toUpperCase(), concrete(op.path), {
            token: credentialFor(op),
            body: typeof body === 'string' ? body : JSON.stringify(body),
            headers: { 'Content-Type': 'application/json' },
          });
          const what = `${op.operationId} with ${typeof body === 'string' ? body : JSON.stringify(body)}`;
          expect(res.status, what).to.equal(400);
          expect(res.body.code, what).to.be.oneOf(['validation_failed', 'malformed_body']);
        }
      }
    });
  });

  describe('Host', () => {
    it('two Host headers: 400 problem+json, duplicate_host', async () => {
      const answer = await rawExchange(server.url, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\nConnection: close');
      expect(answer).to.match(/^HTTP\/1\.1 400 /);
      expect(answer).to.match(/\r\nContent-Type: application\/problem\+json/i);
      const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
      expect(body).to.include({ status: 400, code: 'duplicate_host' });
    });

    it('two Host headers in different case, on an API operation: 400', async () => {
      const answer = await rawExchange(server.url, 'GET /api/mentors/ HTTP/1.1\r\nhost: 127.0.0.1\r\nHOST: 127.0.0.1\r\nConnection: close');
      expect(answer).to.match(/^HTTP\/1\.1 400 /);
      expect(answer).to.include('"code":"duplicate_host"');
    });

    it('one Host header is served as before', async () => {
      const answer = await rawExchange(server.url, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close');
      expect(answer).to.match(/^HTTP\/1\.1 200 /);
    });
  });
});
