/**
 * API keys on the integration endpoints: a key holding `webhooks` manages webhook endpoints, one
 * holding `events` reads the feed, and neither reaches the other's operations (403
 * insufficient_scope naming the scope). The endpoint a key creates is recorded as created by the
 * key's admin.
 */
import { expect } from 'chai';
import { WebhookEndpoint } from '../../src/models/index.ts';
import { createApiKey } from '../../src/services/apiKeys.ts';
import { buildAdmin } from '../helpers/factories.ts';
import { getTestServer, type TestServer } from '../helpers/server.ts';

describe('API keys on the event feed and webhooks', function () {
  this.timeout(60000);
  let server: TestServer;
  let adminId: number;
  let webhooksKey: string;
  let eventsKey: string;

  before(async () => {
    server = await getTestServer();
    const admin = await buildAdmin(server.db);
    adminId = admin.id;
    webhooksKey = (await createApiKey(server.db, admin, { name: 'Hooks', scopes: ['webhooks'] })).key;
    eventsKey = (await createApiKey(server.db, admin, { name: 'Feed', scopes: ['events'] })).key;
  });
  after(() => server.close());

  it('lets a `webhooks` key create and list endpoints, recorded as its admin’s', async () => {
    const created = await server.api.post('/api/webhooks/', { url: 'https://hooks.example.test/k', events: ['booking.created'] }, { token: webhooksKey });
    expect(created.status).to.equal(201);
    expect((await WebhookEndpoint.query(server.db).findById(created.body.id))!.created_by).to.equal(adminId);
    const list = await server.api.get('/api/webhooks/', { token: webhooksKey });
    expect(list.status).to.equal(200);
    expect(list.body.results.map((e: { id: number }) => e.id)).to.include(created.body.id);
  });

  it('lets an `events` key read the feed', async () => {
    const feed = await server.api.get('/api/events/', { token: eventsKey });
    expect(feed.status).to.equal(200);
  });

  it('refuses each key outside its scope with 403 insufficient_scope', async () => {
    const hooks = await server.api.get('/api/webhooks/', { token: eventsKey });
    expect(hooks.status).to.equal(403);
    expect(hooks.body.code).to.equal('insufficient_scope');
    const feed = await server.api.get('/api/events/', { token: webhooksKey });
    expect(feed.status).to.equal(403);
    expect(feed.body.code).to.equal('insufficient_scope');
  });
});
