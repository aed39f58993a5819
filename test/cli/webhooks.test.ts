/**
 * `mentorctl webhooks …` and `mentorctl events tail`, run as child processes against a real server
 * (with its delivery worker) and a receiver on 127.0.0.1. `--json` outputs are checked against the
 * schemas of openapi.yaml they document.
 */
import { expect } from 'chai';
import { startWebhookWorker } from '../../src/webhooks/worker.ts';
import { buildAdmin, buildLearner, buildMentor, buildSession, PASSWORD, tokenFor } from '../helpers/factories.ts';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { eventually, WebhookReceiver } from '../helpers/webhookReceiver.ts';
import { CliSandbox, expectPlain, expectSchema } from './helpers.ts';

describe('mentorctl: webhooks and events', function () {
  this.timeout(60000);
  let server: TestServer;
  let cli: CliSandbox;
  let receiver: WebhookReceiver;
  let stopWorker: () => Promise<void>;

  before(async () => {
    server = await getTestServer({ WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', WEBHOOK_POLL_INTERVAL_MS: '20', WEBHOOK_RETRY_SCHEDULE: '100ms' });
    stopWorker = startWebhookWorker(server.bundle.deps);
    receiver = await WebhookReceiver.start();
    cli = await CliSandbox.create();
    await buildAdmin(server.db, { username: 'hookadmin' });
    await cli.ok(['login', '--url', server.url, '--username', 'hookadmin', '--password', PASSWORD]);
  });
  after(async () => {
    await stopWorker?.();
    await receiver?.close();
    await server?.close();
    await cli?.cleanup();
  });

  it('creates, lists, tests, shows deliveries and retries; tails the feed', async () => {
    const created = await cli.json(['webhooks', 'create', receiver.url, '--events', 'booking.created', '--description', 'cli']);
    expectSchema(created, 'WebhookEndpointWithSecret');
    expect(created.events).to.deep.equal(['booking.created']);
    receiver.secrets = [created.secret];

    const plain = await cli.ok(['webhooks', 'create', receiver.url]);
    expect(plain.stdout).to.match(/Registered webhook endpoint #\d+ for \*/).and.match(/Signing secret \(shown only now\): whsec_/);
    expectPlain(plain.stdout);

    const bad = await cli.run(['webhooks', 'create', receiver.url, '--events', 'booking.exploded']);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.contain('unknown event type booking.exploded');

    const list = await cli.json(['webhooks', 'list']);
    expectSchema(list, 'WebhookEndpoint[]');
    expect(list.map((e: { id: number }) => e.id)).to.include(created.id);
    expect(JSON.stringify(list)).not.to.contain('whsec_');
    await server.db('webhook_endpoints').whereNot('id', created.id).delete();

    const test = await cli.ok(['webhooks', 'test', String(created.id)]);
    expect(test.stdout).to.match(/Queued a webhook\.test message as delivery #\d+/);
    await receiver.waitFor(1);
    expect(receiver.messages[0]!.body.type).to.equal('webhook.test');

    const mentor = await buildMentor(server.db);
    const learner = await buildLearner(server.db);
    const session = await buildSession(server.db, { mentor_id: mentor.id });
    const booked = await server.api.post(`/api/sessions/${session.id}/book/`, undefined, { token: tokenFor(server, learner) });
    expect(booked.status).to.equal(201);
    await receiver.waitFor(2);
    const deliveries = await eventually(async () => {
      const rows = await cli.json(['webhooks', 'deliveries', String(created.id), '--status', 'succeeded']);
      return rows.length === 2 ? rows : undefined;
    });
    expectSchema(deliveries, 'WebhookDelivery[]');
    expect(deliveries.map((d: { type: string }) => d.type)).to.deep.equal(['booking.created', 'webhook.test']);
    const table = await cli.ok(['webhooks', 'deliveries', String(created.id)]);
    expect(table.stdout).to.match(/booking\.created\s+succeeded\s+1/);

    const retried = await cli.json(['webhooks', 'retry', String(created.id), String(deliveries[0].id)]);
    expectSchema(retried, 'WebhookDelivery');
    await receiver.waitFor(3);
    expect(receiver.messages[2]!.id).to.equal(deliveries[0].message_id);

    const tail = await cli.ok(['events', 'tail', '--after', '0', '--once', '--json', '--types', 'booking.created']);
    const events = tail.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expectSchema(events, 'Event[]');
    expect(events.at(-1)).to.include({ type: 'booking.created' });
    expect(events.at(-1).data).to.deep.equal(booked.body);
    const human = await cli.ok(['events', 'tail', '--after', '0', '--once']);
    expect(human.stdout).to.match(new RegExp(`#${events.at(-1).id} .* booking\\.created +id ${booked.body.id}, status booked`));
  });
});
