/**
 * Webhooks end to end: endpoints are registered over the API, changes made over the API are
 * delivered by the worker to a receiver on 127.0.0.1 that verifies every message with the
 * `standardwebhooks` package, and the attempts are logged, retried on schedule and retryable by hand.
 */
import { expect } from 'chai';
import { loadSpec } from '../../src/openapi/spec.ts';
import { anchorRefs, createAjv } from '../../src/openapi/validators.ts';
import { inTransaction, type DomainEvent } from '../../src/events.ts';
import { recordOutbox } from '../../src/webhooks/outbox.ts';
import { DEFAULT_ROOM_WINDOW } from '../../src/views/roomWindow.ts';
import { Session, User, WebhookAttempt, WebhookDelivery } from '../../src/models/index.ts';
import { bookSession } from '../../src/services/bookings.ts';
import { deleteEndpoint } from '../../src/services/webhooks.ts';
import { runWebhookBatch, startWebhookWorker } from '../../src/webhooks/worker.ts';
import { buildAdmin, buildBooking, buildLearner, buildMentor, buildSession, tokenFor } from '../helpers/factories.ts';
import { getTestServer, usePostgres, type TestServer } from '../helpers/server.ts';
import { eventually, WebhookReceiver } from '../helpers/webhookReceiver.ts';

const spec = loadSpec();
const ajv = createAjv(spec, { coerce: false });
const validate = (schema: string, value: unknown) => {
  const check = ajv.compile(anchorRefs({ $ref: `#/components/schemas/${schema}` }));
  expect(check(value), JSON.stringify(check.errors)).to.equal(true);
};

const SCHEDULE = [150, 150, 150, 150];

describe('webhooks', function () {
  this.timeout(60000);
  let server: TestServer;
  let stopWorker: () => Promise<void>;
  let admin: User;
  let receiver: WebhookReceiver;

  before(async () => {
    server = await getTestServer({
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      WEBHOOK_RETRY_SCHEDULE: SCHEDULE.map((ms) => `${ms}ms`).join(','),
      WEBHOOK_POLL_INTERVAL_MS: '20',
    });
    stopWorker = startWebhookWorker(server.bundle.deps);
    admin = await buildAdmin(server.db);
    receiver = await WebhookReceiver.start();
  });
  after(async () => {
    await stopWorker?.();
    await receiver?.close();
    await server?.close();
  });
  beforeEach(async () => {
    // Every test starts with no endpoint: earlier tests' endpoints would receive its events.
    for (const { id } of await server.db('webhook_endpoints').select('id')) await deleteEndpoint(server.db, id);
    receiver.messages.length = 0;
    receiver.respond = () => 204;
  });

  const as = (u: User) => ({ token: tokenFor(server, u) });

  async function register(url: string, events: string[] = ['*']) {
    const res = await server.api.post('/api/webhooks/', { url, events, description: 'test receiver' }, as(admin));
    expect(res.status, res.text).to.equal(201);
    receiver.secrets = [res.body.secret];
    return res.body as { id: number; secret: string };
  }

  async function book() {
    const mentor = await buildMentor(server.db);
    const learner = await buildLearner(server.db);
    const session = await buildSession(server.db, { mentor_id: mentor.id, capacity: 2, price_cents: 4900 });
    const res = await server.api.post(`/api/sessions/${session.id}/book/`, undefined, as(learner));
    expect(res.status, res.text).to.equal(201);
    return { mentor, learner, session, booking: res.body };
  }

  describe('managing endpoints', () => {
    it('creates with a whsec_ secret shown once, lists, reads, changes and deletes', async () => {
      const created = await register(receiver.url, ['booking.created', 'booking.cancelled']);
      expect(created.secret).to.match(/^whsec_[A-Za-z0-9+/=]{32}$/);
      const list = await server.api.get('/api/webhooks/', as(admin));
      expect(list.body.results.map((e: { id: number }) => e.id)).to.deep.equal([created.id]);
      expect(list.text).not.to.contain(created.secret);
      const got = await server.api.get(`/api/webhooks/${created.id}/`, as(admin));
      expect(got.body).to.include({ url: receiver.url, enabled: true, description: 'test receiver' });
      expect(got.body).not.to.have.property('secret');
      const patched = await server.api.patch(`/api/webhooks/${created.id}/`, { enabled: false, events: ['*'] }, as(admin));
      expect(patched.body).to.include({ enabled: false });
      expect(patched.body.events).to.deep.equal(['*']);
      expect((await server.api.delete(`/api/webhooks/${created.id}/`, as(admin))).status).to.equal(204);
      expect((await server.api.get(`/api/webhooks/${created.id}/`, as(admin))).status).to.equal(404);
    });

    it('refuses non-admins and unknown event types', async () => {
      const mentor = await buildMentor(server.db);
      expect((await server.api.post('/api/webhooks/', { url: receiver.url, events: ['*'] }, as(mentor))).status).to.equal(403);
      expect((await server.api.get('/api/events/', as(mentor))).status).to.equal(403);
      const bad = await server.api.post('/api/webhooks/', { url: receiver.url, events: ['booking.exploded'] }, as(admin));
      expect(bad.status).to.equal(400);
      expect(bad.body.errors[0].path).to.match(/^events/);
    });
  });

  describe('delivery', () => {
    it('delivers one signed booking.created whose data is the Booking the API returns', async () => {
      await register(receiver.url);
      const { booking } = await book();
      await receiver.waitFor(1);
      const bookingMessages = receiver.messages.filter((m) => m.body.type === 'booking.created');
      expect(bookingMessages).to.have.length(1);
      const message = bookingMessages[0]!;
      expect(receiver.rejected).to.deep.equal([]);
      validate('BookingEventMessage', message.body);
      validate('Booking', message.body.data);
      expect(message.body.data).to.deep.equal(booking);
      expect(message.id).to.match(/^msg_evt_\d+$/);
      expect(Math.abs(message.timestamp - Date.now() / 1000)).to.be.below(60);
      const delivery = await eventually(
        async () => (await WebhookDelivery.query(server.db).findOne({ message_id: message.id }))?.status === 'succeeded' || undefined,
      );
      expect(delivery).to.equal(true);
    });

    it('sends only the subscribed types, and nothing for a change that rolled back', async () => {
      await register(receiver.url, ['booking.cancelled']);
      const before = Number((await server.db('events').count({ n: '*' }).first())!.n);
      const mentor = await buildMentor(server.db);
      const learner = await buildLearner(server.db);
      const session = await buildSession(server.db, { mentor_id: mentor.id, capacity: 2 });
      const fresh = (await Session.query(server.db).findById(session.id))!;
      let failed = false;
      try {
        await inTransaction(server.db, server.bundle.deps.events, async (tx) => {
          await bookSession({ actor: learner, ...tx }, fresh);
          throw new Error('rolled back on purpose');
        });
      } catch {
        failed = true;
      }
      expect(failed).to.equal(true);
      expect(Number((await server.db('events').count({ n: '*' }).first())!.n)).to.equal(before);
      expect(await server.db('webhook_deliveries').count({ n: '*' }).first()).to.deep.equal({ n: 0 });
      expect(await server.db('bookings').where('session_id', session.id).count({ n: '*' }).first()).to.deep.equal({ n: 0 });

      // A committed booking is recorded, but this endpoint did not subscribe to booking.created.
      const res = await server.api.post(`/api/sessions/${session.id}/book/`, undefined, as(learner));
      expect(res.status).to.equal(201);
      expect(Number((await server.db('events').count({ n: '*' }).first())!.n)).to.equal(before + 1);
      expect(await server.db('webhook_deliveries').count({ n: '*' }).first()).to.deep.equal({ n: 0 });
      const cancel = await server.api.post(`/api/bookings/${res.body.id}/cancel/`, undefined, as(learner));
      expect(cancel.status).to.equal(200);
      await receiver.waitFor(1);
      expect(receiver.messages.map((m) => m.body.type)).to.deep.equal(['booking.cancelled']);
      expect(receiver.messages[0]!.body.data).to.deep.equal(cancel.body);
    });

    it('retries on schedule while the receiver is down, logs every attempt, succeeds when it is back; retry resends the same webhook-id', async () => {
      const down = await WebhookReceiver.start();
      const port = down.port;
      await down.close(); // connection refused from now on
      const endpoint = await register(`http://127.0.0.1:${port}/hooks`, ['booking.created']);
      const { booking } = await book();
      const delivery = await eventually(async () => WebhookDelivery.query(server.db).findOne({ endpoint_id: endpoint.id }));
      await eventually(async () => (await WebhookAttempt.query(server.db).where('delivery_id', delivery.id)).length >= 1, 15000, 'the first attempt');

      // Back, but failing: 500 twice, then 200.
      const back = await WebhookReceiver.start(port);
      back.secrets = [endpoint.secret];
      back.respond = (n) => (n <= 2 ? 500 : 200);
      try {
        const done = await eventually(async () => {
          const d = await WebhookDelivery.query(server.db).findById(delivery.id);
          return d?.status === 'succeeded' ? d : undefined;
        });
        const attempts = await WebhookAttempt.query(server.db).where('delivery_id', delivery.id).orderBy('id');
        expect(done.attempt_count).to.equal(attempts.length);
        expect(attempts[0]).to.include({ status_code: null, succeeded: false });
        expect(attempts[0]!.error).to.match(/ECONNREFUSED/);
        const served = attempts.filter((a) => a.status_code !== null);
        expect(served.map((a) => a.status_code)).to.deep.equal([500, 500, 200]);
        expect(served[0]).to.include({ error: 'HTTP 500', response_body: 'status 500 as asked' });
        expect(served[2]).to.include({ error: null, succeeded: true, response_body: 'ok' });
        // Each retry waited at least its step of the schedule.
        for (let i = 1; i < attempts.length; i++) {
          const gap = attempts[i]!.attempted_at.getTime() - attempts[i - 1]!.attempted_at.getTime();
          expect(gap).to.be.at.least(SCHEDULE[i - 1]! - 5);
        }
        for (const a of attempts) expect(a.duration_ms).to.be.a('number').and.at.least(0);
        expect(back.messages.every((m) => m.id === back.messages[0]!.id)).to.equal(true);
        expect(back.messages.at(-1)!.body.data).to.deep.equal(booking);

        const listed = await server.api.get(`/api/webhooks/${endpoint.id}/deliveries/?status=succeeded`, as(admin));
        expect(listed.body.results).to.have.length(1);
        expect(listed.body.results[0].attempts).to.have.length(attempts.length);
        expect((await server.api.get(`/api/webhooks/${endpoint.id}/deliveries/?status=failed`, as(admin))).body.results).to.deep.equal([]);

        // By hand: sent again, with the same webhook-id.
        const retried = await server.api.post(`/api/webhooks/${endpoint.id}/deliveries/${delivery.id}/retry/`, undefined, as(admin));
        expect(retried.status).to.equal(202);
        expect(retried.body.status).to.equal('pending');
        await back.waitFor(4);
        expect(back.messages[3]!.id).to.equal(delivery.message_id);
        expect(back.messages[3]!.raw).to.equal(back.messages[2]!.raw);
      } finally {
        await back.close();
      }
    });

    it('marks a delivery failed when the schedule is used up, and a failed retry leaves it failed', async () => {
      receiver.respond = () => 503;
      const endpoint = await register(receiver.url, ['booking.created']);
      await book();
      const failed = await eventually(async () => {
        const d = await WebhookDelivery.query(server.db).findOne({ endpoint_id: endpoint.id });
        return d?.status === 'failed' ? d : undefined;
      });
      expect(failed.attempt_count).to.equal(SCHEDULE.length + 1);
      const listed = await server.api.get(`/api/webhooks/${endpoint.id}/deliveries/?status=failed`, as(admin));
      expect(listed.body.results.map((d: { id: number }) => d.id)).to.deep.equal([failed.id]);
      expect(listed.body.results[0].attempts.every((a: { status_code: number }) => a.status_code === 503)).to.equal(true);

      await server.api.post(`/api/webhooks/${endpoint.id}/deliveries/${failed.id}/retry/`, undefined, as(admin));
      const again = await eventually(async () => {
        const d = await WebhookDelivery.query(server.db).findById(failed.id);
        return d?.status === 'failed' && d.attempt_count === SCHEDULE.length + 2 ? d : undefined;
      });
      expect(again.next_attempt_at).to.equal(null);
    });

    it('sends webhook.test, and signs with both secrets for a day after a rotation', async () => {
      const endpoint = await register(receiver.url);
      const test = await server.api.post(`/api/webhooks/${endpoint.id}/test/`, undefined, as(admin));
      expect(test.status).to.equal(202);
      await receiver.waitFor(1);
      validate('WebhookTestMessage', receiver.messages[0]!.body);
      expect(receiver.messages[0]!.body.data.webhook).to.equal(endpoint.id);

      const rotated = await server.api.post(`/api/webhooks/${endpoint.id}/rotate-secret/`, undefined, as(admin));
      expect(rotated.status).to.equal(200);
      expect(rotated.body.secret).to.match(/^whsec_/).and.not.equal(endpoint.secret);
      expect(Date.parse(rotated.body.previous_secret_expires_at) - Date.now()).to.be.within(23.9 * 3600_000, 24 * 3600_000);
      receiver.secrets = [endpoint.secret, rotated.body.secret];
      await server.api.post(`/api/webhooks/${endpoint.id}/test/`, undefined, as(admin));
      await receiver.waitFor(2);
      const message = receiver.messages[1]!;
      expect(message.signature.split(' ')).to.have.length(2);
      expect(message.verifiedWith).to.have.members([endpoint.secret, rotated.body.secret]);
    });

    it('disables an endpoint whose attempts all failed for 3 days and notifies the admins', async () => {
      receiver.respond = () => 500;
      const endpoint = await register(receiver.url, ['booking.created']);
      await server.db('webhook_endpoints').where('id', endpoint.id).update({ failing_since: new Date(Date.now() - 3 * 86_400_000 - 60_000).toISOString() });
      await book();
      const disabled = await eventually(async () => {
        const res = await server.api.get(`/api/webhooks/${endpoint.id}/`, as(admin));
        return res.body.enabled === false ? res.body : undefined;
      });
      expect(disabled.disabled_reason).to.match(/3 days/);
      // A disabled endpoint still gets test messages, and no new events.
      receiver.respond = () => 204;
      const before = receiver.messages.length;
      await book();
      await server.api.post(`/api/webhooks/${endpoint.id}/test/`, undefined, as(admin));
      await receiver.waitFor(before + 1);
      expect(receiver.messages.at(-1)!.body.type).to.equal('webhook.test');
      const notes = await server.db('notifications').where({ user_id: admin.id, type: 'webhook_disabled' });
      expect(notes).to.have.length(1);
      expect(notes[0].message).to.contain(`#${endpoint.id}`);
      const listed = await server.api.get('/api/notifications/', as(admin));
      expect(listed.status).to.equal(200);

      // Re-enabled: the failure record starts over.
      const enabled = await server.api.patch(`/api/webhooks/${endpoint.id}/`, { enabled: true }, as(admin));
      expect(enabled.body).to.include({ enabled: true, disabled_reason: null, failing_since: null });
    });

    it('gives each due delivery to exactly one of several concurrent workers', async () => {
      await stopWorker();
      try {
        const endpoint = await register(receiver.url, ['booking.created']);
        for (let i = 0; i < 12; i++) await book();
        const deps = server.bundle.deps;
        const handled = await Promise.all([runWebhookBatch(deps, 5), runWebhookBatch(deps, 5), runWebhookBatch(deps, 5), runWebhookBatch(deps, 5)]);
        expect(handled.reduce((a, b) => a + b, 0)).to.equal(12);
        expect(receiver.messages).to.have.length(12);
        expect(new Set(receiver.messages.map((m) => m.id)).size).to.equal(12);
        const rows = await WebhookDelivery.query(server.db).where('endpoint_id', endpoint.id);
        expect(rows.every((d) => d.status === 'succeeded' && d.attempt_count === 1)).to.equal(true);
      } finally {
        stopWorker = startWebhookWorker(server.bundle.deps);
      }
    });
  });

  describe('the event feed', () => {
    it('returns events in id order after the cursor, filtered by type, page by page', async () => {
      const start = (await server.api.get('/api/events/?limit=1000', as(admin))).body.next as number;
      const { booking, learner } = await book();
      await server.api.post(`/api/bookings/${booking.id}/cancel/`, undefined, as(learner));
      const all = await server.api.get(`/api/events/?after=${start}`, as(admin));
      expect(all.status).to.equal(200);
      expect(all.body.results.map((e: { type: string }) => e.type)).to.deep.equal(['booking.created', 'booking.cancelled']);
      expect(all.body.next).to.equal(all.body.results[1].id);
      expect(all.body.has_more).to.equal(false);
      expect(all.body.results[1].data.status).to.equal('cancelled');

      const first = await server.api.get(`/api/events/?after=${start}&limit=1`, as(admin));
      expect(first.body.results).to.have.length(1);
      expect(first.body.has_more).to.equal(true);
      const second = await server.api.get(`/api/events/?after=${first.body.next}&limit=1`, as(admin));
      expect(second.body.results[0].id).to.equal(all.body.results[1].id);
      const empty = await server.api.get(`/api/events/?after=${second.body.next}`, as(admin));
      expect(empty.body).to.deep.equal({ results: [], next: second.body.next, has_more: false });

      const cancelled = await server.api.get(`/api/events/?after=${start}&types=booking.cancelled,session.published`, as(admin));
      expect(cancelled.body.results.map((e: { type: string }) => e.type)).to.deep.equal(['booking.cancelled']);
      const bad = await server.api.get('/api/events/?types=booking.exploded', as(admin));
      expect(bad.status).to.equal(400);
      expect(bad.body.errors[0]).to.include({ in: 'query', path: 'types' });
    });

    it('records user.created, request.*, session.*, feedback.created and payout.* with their GET representations', async () => {
      const start = (await server.api.get('/api/events/?limit=1000', as(admin))).body.next as number;
      const name = `feed_${Date.now()}`;
      const registered = await server.api.post('/api/auth/register/', { username: name, email: `${name}@example.test`, password: 'a-long-password', role: 'learner' });
      expect(registered.status).to.equal(201);
      const mentor = await buildMentor(server.db);
      const learner = (await User.query(server.db).findById(registered.body.id))!;
      const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();
      const asked = await server.api.post('/api/requests/', { mentor: mentor.id, topic: 'Feeds', message: 'hi', preferred_times: [inDays(1)] }, as(learner));
      expect(asked.status).to.equal(201);
      const accepted = await server.api.post(
        `/api/requests/${asked.body.id}/accept/`,
        { start_time: new Date(Date.now() + 86_400_000).toISOString(), duration: 30 },
        as(mentor),
      );
      expect(accepted.status).to.equal(200);
      const draft = await server.api.post('/api/sessions/', { title: 'Draft', start_time: new Date(Date.now() + 2 * 86_400_000).toISOString(), duration: 60, status: 'draft' }, as(mentor));
      const published = await server.api.post(`/api/sessions/${draft.body.id}/publish/`, undefined, as(mentor));
      expect(published.status).to.equal(200);

      // A completed session the learner attended: feedback, and earnings for a payout.
      const done = await buildSession(server.db, { mentor_id: mentor.id, status: 'completed', price_cents: 5000, start_time: new Date(Date.now() - 3 * 86_400_000) });
      await buildBooking(server.db, { session: done, learner_id: learner.id, status: 'attended' });
      const rated = await server.api.post(`/api/sessions/${done.id}/feedback/`, { rating: 5, comment: 'Great' }, as(learner));
      expect(rated.status).to.equal(201);
      const payout = await server.api.post('/api/payouts/', { amount: '20.00' }, as(mentor));
      expect(payout.status).to.equal(201);
      const approved = await server.api.post(`/api/admin/payouts/${payout.body.id}/approve/`, undefined, as(admin));
      expect(approved.status).to.equal(200);

      const feed = await server.api.get(`/api/events/?after=${start}`, as(admin));
      const types = feed.body.results.map((e: { type: string }) => e.type);
      expect(types).to.deep.equal([
        'user.created',
        'request.created',
        'session.published',
        'booking.created',
        'request.accepted',
        'session.published',
        'feedback.created',
        'payout.requested',
        'payout.approved',
      ]);
      const [user, , , , acceptedEvent, publishedEvent, feedback, requested, approvedEvent] = feed.body.results;
      expect(feedback.data).to.deep.equal(rated.body);
      expect(requested.data).to.deep.equal(payout.body);
      expect(approvedEvent.data).to.deep.equal(approved.body);
      for (const event of feed.body.results) validate('Event', event);
      validate('AdminUser', user.data);
      expect(user.data).to.include({ id: registered.body.id, username: name, is_active: true });
      expect(acceptedEvent.data).to.deep.equal((await server.api.get(`/api/requests/${asked.body.id}/`, as(learner))).body);
      expect(publishedEvent.data).to.deep.equal({ ...published.body, my_booking: null });
    });

    // SQLite has one writer, so ids are committed in order there by construction. PostgreSQL
    // hands out sequence values to transactions that may commit in any order.
    if (usePostgres()) it('on PostgreSQL, makes a later writer wait for an earlier uncommitted event (no id becomes visible before a smaller one)', async () => {
      const start = (await server.api.get('/api/events/?limit=1000', as(admin))).body.next as number;
      const mentor = await buildMentor(server.db);
      const [first, second] = await Promise.all([0, 1].map(() => buildSession(server.db, { mentor_id: mentor.id, capacity: 2 })));
      const learner = await buildLearner(server.db);
      // A: its event row is written (id N) but the transaction stays open.
      const trx = await server.db.transaction();
      const recorded: DomainEvent[] = [];
      await bookSession({ actor: learner, trx, emit: (e) => recorded.push(e) }, (await Session.query(trx).findById(first!.id))!);
      await recordOutbox(trx, recorded, DEFAULT_ROOM_WINDOW);
      // B: a booking over the API, which must not get a visible id before A commits.
      let answered = false;
      const b = server.api.post(`/api/sessions/${second!.id}/book/`, undefined, as(learner)).then((r) => ((answered = true), r));
      await eventually(async () => answered || Number((await server.db('pg_locks').where({ locktype: 'advisory', granted: false }).count({ n: '*' }).first())!.n) > 0);
      expect((await server.api.get(`/api/events/?after=${start}`, as(admin))).body.results).to.deep.equal([]);
      await trx.commit();
      expect((await b).status).to.equal(201);
      const feed = (await server.api.get(`/api/events/?after=${start}`, as(admin))).body.results;
      expect(feed.map((e: { data: { session: number } }) => e.data.session)).to.deep.equal([first!.id, second!.id]);
    });

    it('never lets a reader following the cursor miss an event under concurrent writes', async () => {
      const start = (await server.api.get('/api/events/?limit=1000', as(admin))).body.next as number;
      const mentor = await buildMentor(server.db);
      const sessions = await Promise.all(Array.from({ length: 6 }, () => buildSession(server.db, { mentor_id: mentor.id, capacity: 10 })));
      const learners = await Promise.all(Array.from({ length: 10 }, () => buildLearner(server.db)));
      let writing = true;
      const seen: number[] = [];
      const follower = (async () => {
        let after = start;
        for (;;) {
          const stillWriting = writing;
          const page = await server.api.get(`/api/events/?after=${after}&limit=7`, as(admin));
          seen.push(...page.body.results.map((e: { id: number }) => e.id));
          after = page.body.next;
          if (!stillWriting && !page.body.has_more) return;
        }
      })();
      await Promise.all(
        learners.flatMap((learner) =>
          sessions.map((s) => server.api.post(`/api/sessions/${s.id}/book/`, undefined, as(learner)).then((r) => expect(r.status).to.equal(201))),
        ),
      );
      writing = false;
      await follower;
      const stored = (await server.db('events').where('id', '>', start).orderBy('id').select('id')).map((r: { id: number }) => Number(r.id));
      expect(stored).to.have.length(60);
      expect(seen).to.deep.equal(stored);
    });
  });
});

describe('webhooks: where they may be sent', function () {
  this.timeout(30000);
  let server: TestServer;
  let admin: User;
  let receiver: WebhookReceiver;
  before(async () => {
    server = await getTestServer(); // the defaults: https only, public addresses only
    admin = await buildAdmin(server.db);
    receiver = await WebhookReceiver.start();
  });
  after(async () => {
    await receiver?.close();
    await server?.close();
  });

  const create = (url: string) => server.api.post('/api/webhooks/', { url, events: ['*'] }, { token: tokenFor(server, admin) });

  it('refuses http: without WEBHOOK_ALLOW_HTTP, naming the rule', async () => {
    for (const url of ['http://127.0.0.1/hooks', 'http://10.0.0.1/hooks', 'http://[::1]/hooks', 'http://example.com/hooks']) {
      const res = await create(url);
      expect(res.status, url).to.equal(400);
      expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
      expect(res.body).to.include({ code: 'url_scheme_not_allowed' });
      expect(res.body.errors[0]).to.include({ in: 'body', path: 'url' });
      expect(res.body.detail).to.contain('WEBHOOK_ALLOW_HTTP');
    }
  });

  it('refuses literal loopback, private and link-local addresses without WEBHOOK_ALLOW_PRIVATE_NETWORKS', async () => {
    const cases: Array<[string, string]> = [
      ['https://127.0.0.1/hooks', 'loopback'],
      ['https://10.0.0.1/hooks', 'private'],
      ['https://[::1]/hooks', 'loopback'],
      ['https://169.254.169.254/latest/meta-data', 'linkLocal'],
      ['https://[::ffff:192.168.1.1]/hooks', 'private'],
    ];
    for (const [url, range] of cases) {
      const res = await create(url);
      expect(res.status, url).to.equal(400);
      expect(res.body).to.include({ code: 'address_not_allowed' });
      expect(res.body.detail).to.contain(range).and.contain('WEBHOOK_ALLOW_PRIVATE_NETWORKS');
    }
    expect(await server.db('webhook_endpoints').count({ n: '*' }).first()).to.deep.equal({ n: 0 });
  });

  it('accepts a host name, and refuses at send time when it resolves to a loopback address', async () => {
    const res = await create(`https://localhost:${receiver.port}/hooks`);
    expect(res.status).to.equal(201);
    const test = await server.api.post(`/api/webhooks/${res.body.id}/test/`, undefined, { token: tokenFor(server, admin) });
    expect(test.status).to.equal(202);
    expect(await runWebhookBatch(server.bundle.deps)).to.equal(1);
    const attempts = await WebhookAttempt.query(server.db).where('delivery_id', test.body.id);
    expect(attempts).to.have.length(1);
    expect(attempts[0]).to.include({ succeeded: false, status_code: null });
    expect(attempts[0]!.error).to.match(/^refused: localhost resolves to .* loopback/);
    expect(receiver.messages).to.deep.equal([]);
  });
});
