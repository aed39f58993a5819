/**
 * Compression and caching: brotli/gzip by Accept-Encoding, pre-compressed widget files under stable
 * (short max-age) and content-hashed (immutable) names, pages pointing at the hashed ones, ETags
 * with 304 on GET, private / no-store answers varying by Authorization, and the widgets' REST client
 * reusing its cached body on 304.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { expect } from 'chai';
import { ensureWidgetsBuilt, MANIFEST_FILE } from '../../scripts/build-widgets.ts';
import { ConditionalCache, createApi, unwrap } from '../../widgets/src/shared/api.ts';
import type { User } from '../../src/models/index.ts';
import { buildMentor, buildNotification, tokenFor } from '../helpers/factories.ts';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { checkResponse } from '../helpers/contract.ts';
import { loadSpec } from '../../src/openapi/spec.ts';

interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A GET without any client-side decoding, so Content-Encoding and the bytes are as sent. */
function rawGet(url: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

describe('compression and conditional GETs', function () {
  this.timeout(120_000);
  let server: TestServer;
  let mentor: User;
  let auth: Record<string, string>;

  before(async () => {
    await ensureWidgetsBuilt();
    server = await getTestServer();
    mentor = await buildMentor(server.db);
    for (let i = 0; i < 60; i++) await buildNotification(server.db, { user_id: mentor.id, message: `Notification number ${i} about a session` });
    auth = { Authorization: `Bearer ${tokenFor(server, mentor)}` };
  });
  after(async () => {
    await server?.close();
  });

  it('compresses a large JSON answer with brotli (or gzip) as Accept-Encoding asks', async () => {
    const url = `${server.url}/api/notifications/?page_size=100`;
    const br = await rawGet(url, { ...auth, 'Accept-Encoding': 'gzip, br' });
    expect(br.status).to.equal(200);
    expect(br.headers['content-encoding']).to.equal('br');
    expect(br.headers.vary).to.match(/Accept-Encoding/i);
    const json = JSON.parse(zlib.brotliDecompressSync(br.body).toString('utf8'));
    expect(json.results).to.have.length(60);
    expect(br.body.length).to.be.lessThan(JSON.stringify(json).length / 3);

    const gzip = await rawGet(url, { ...auth, 'Accept-Encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).to.equal('gzip');
    expect(JSON.parse(zlib.gunzipSync(gzip.body).toString('utf8'))).to.deep.equal(json);

    const plain = await rawGet(url, auth);
    expect(plain.headers['content-encoding']).to.equal(undefined);
    // Below the 1 KiB threshold nothing is compressed.
    const small = await rawGet(`${server.url}/healthz`, { 'Accept-Encoding': 'br' });
    expect(small.headers['content-encoding']).to.equal(undefined);
  });

  it('answers a repeated GET carrying the ETag with 304 and no body; private, varying by Authorization', async () => {
    const url = `${server.url}/api/notifications/`;
    const first = await rawGet(url, auth);
    expect(first.status).to.equal(200);
    const etag = first.headers.etag;
    expect(etag).to.be.a('string');
    expect(first.headers['cache-control']).to.equal('private, no-cache');
    expect(first.headers.vary).to.match(/Authorization/i);

    const again = await rawGet(url, { ...auth, 'If-None-Match': etag! });
    expect(again.status).to.equal(304);
    expect(again.body.length).to.equal(0);
    expect(again.headers.etag).to.equal(etag);
    expect(again.headers['cache-control']).to.equal('private, no-cache');
    // Browsers add `Cache-Control: no-cache` to a fetch() that sets If-None-Match itself.
    const fromBrowser = await rawGet(url, { ...auth, 'If-None-Match': etag!, 'Cache-Control': 'no-cache' });
    expect(fromBrowser.status).to.equal(304);

    // A change makes the old tag stale.
    await buildNotification(server.db, { user_id: mentor.id, message: 'One more' });
    const changed = await rawGet(url, { ...auth, 'If-None-Match': etag! });
    expect(changed.status).to.equal(200);
    expect(changed.headers.etag).to.not.equal(etag);
  });

  it('documents ETag, If-None-Match and 304 on the JSON GETs: the contract check accepts them there only', async () => {
    const token = tokenFor(server, mentor);
    for (const url of ['/api/notifications/', '/api/profile/', '/api/mentors/', `/api/mentors/${mentor.id}/`, '/healthz']) {
      const first = await server.api.get(url, { token });
      expect(first.status, url).to.equal(200);
      const etag = first.headers.get('etag')!;
      expect(etag, url).to.match(/^W\/"[0-9a-f]+-[A-Za-z0-9+/]+"$/);
      // checked against openapi.yaml by the client: 304 with no body is documented
      const again = await server.api.get(url, { token, headers: { 'If-None-Match': etag } });
      expect(again.status, url).to.equal(304);
      expect(again.text, url).to.equal('');
      expect(again.headers.get('etag'), url).to.equal(etag);
    }
    const spec = loadSpec();
    const withEtag = [...spec.operations.values()].filter((op) => op.responses['304']);
    expect(withEtag.length).to.be.greaterThan(20);
    for (const op of withEtag) {
      expect(op.method, op.operationId).to.equal('get');
      expect(op.parameters.some((p) => p.in === 'header' && p.name === 'If-None-Match'), op.operationId).to.equal(true);
    }
    // Where it is not documented, a 304 is still a contract failure.
    expect(() => checkResponse('POST', '/api/sessions/', { status: 304, contentType: '', body: undefined })).to.throw(/does not document/);
  });

  it('marks problem+json errors no-store, varying by Authorization', async () => {
    const res = await rawGet(`${server.url}/api/notifications/`, { Authorization: 'Bearer not-a-token' });
    expect(res.status).to.equal(401);
    expect(res.headers['content-type']).to.match(/application\/problem\+json/);
    expect(res.headers['cache-control']).to.equal('no-store');
    expect(res.headers.vary).to.match(/Authorization/i);
  });

  it('serves widget files pre-compressed: stable names briefly cached, hashed names immutable', async () => {
    const manifest = JSON.parse(fs.readFileSync(MANIFEST_FILE, 'utf8')) as Record<string, string>;
    const stable = await rawGet(`${server.url}/widgets/notification-bell.js`, { 'Accept-Encoding': 'br, gzip' });
    expect(stable.status).to.equal(200);
    expect(stable.headers['content-encoding']).to.equal('br');
    expect(stable.headers['cache-control']).to.equal('max-age=300');
    const source = fs.readFileSync(path.join(path.dirname(MANIFEST_FILE), 'notification-bell.js'));
    expect(zlib.brotliDecompressSync(stable.body).equals(source)).to.equal(true);

    const hashedName = manifest['notification-bell.js']!;
    expect(hashedName).to.match(/^notification-bell\.[0-9a-f]{10}\.js$/);
    const hashed = await rawGet(`${server.url}/widgets/${hashedName}`, { 'Accept-Encoding': 'gzip' });
    expect(hashed.headers['content-encoding']).to.equal('gzip');
    expect(hashed.headers['cache-control']).to.equal('public, max-age=31536000, immutable');
    expect(zlib.gunzipSync(hashed.body).equals(source)).to.equal(true);
  });

  it('points the pages at the hashed files, and keeps the stable URLs in the embedding snippets', async () => {
    const manifest = JSON.parse(fs.readFileSync(MANIFEST_FILE, 'utf8')) as Record<string, string>;
    const dashboard = (await rawGet(`${server.url}/dashboard`)).body.toString('utf8');
    expect(dashboard).to.include(`src="/widgets/${manifest['mentor-dashboard.js']}"`);
    expect(dashboard).to.include(`href="/widgets/${manifest['pages/pages.css']}"`);
    expect(dashboard).to.not.match(/src="\/widgets\/mentor-dashboard\.js"/);
    const embed = (await rawGet(`${server.url}/embed-example`, { 'Accept-Encoding': 'identity' })).body.toString('utf8');
    expect(embed).to.include(`/widgets/${manifest['notification-bell.js']}"></script>`);
    expect(embed).to.include('/widgets/notification-bell.js"&gt;&lt;/script&gt;');
  });

  it('lets the widgets’ REST client revalidate and reuse its cached body on 304', async () => {
    const statuses: number[] = [];
    const cache = new ConditionalCache(2);
    let token = tokenFor(server, mentor);
    const api = createApi({
      baseUrl: server.url,
      credential: async () => token,
      signal: new AbortController().signal,
      onUnauthorized: () => {},
      cache,
      fetch: async (request) => {
        const response = await fetch(request);
        statuses.push(response.status);
        return response;
      },
    });
    const first = await unwrap(api.GET('/api/notifications/'));
    const second = await unwrap(api.GET('/api/notifications/'));
    expect(statuses).to.deep.equal([200, 304]);
    expect(second).to.deep.equal(first);
    expect(second.results.length).to.be.greaterThan(0);

    // Another person's token is another entry, never the first one's body.
    const other = await buildMentor(server.db);
    token = tokenFor(server, other);
    const theirs = await unwrap(api.GET('/api/notifications/'));
    expect(statuses.at(-1)).to.equal(200);
    expect(theirs.count).to.equal(0);
    // Bounded: a third URL evicts the least recently used entry.
    await unwrap(api.GET('/api/profile/'));
    expect(cache.size).to.equal(2);
  });
});
