import { expect } from 'chai';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { buildAdmin, buildBooking, buildLearner, buildMentor, buildSession, tokenFor } from '../helpers/factories.ts';
import { Notification, Payout, type User } from '../../src/models/index.ts';
import type { DomainEvent } from '../../src/events.ts';

const DAY = 24 * 3600_000;

describe('payouts', () => {
  let server: TestServer;
  before(async () => {
    server = await getTestServer();
  });
  after(() => server.close());

  /** A mentor whose completed session earned `cents`. */
  async function mentorWithBalance(cents: number, attrs: Partial<User> = {}): Promise<User> {
    const mentor = await buildMentor(server.db, attrs);
    const learner = await buildLearner(server.db);
    const session = await buildSession(server.db, {
      mentor_id: mentor.id,
      status: 'completed',
      start_time: new Date(Date.now() - 3 * DAY),
      price_cents: cents,
      currency: mentor.currency,
    });
    await buildBooking(server.db, { session, learner_id: learner.id, status: 'attended' });
    return mentor;
  }

  const request = (mentor: User, body: unknown, key?: string) =>
    server.api.post('/api/payouts/', body, { token: tokenFor(server, mentor), headers: key ? { 'Idempotency-Key': key } : {} });

  const payoutCount = async (mentor: User) => Number((await server.db('payouts').where('mentor_id', mentor.id).count({ n: '*' }).first())!.n);

  describe('POST /api/payouts/', () => {
    it('refuses anonymous callers (401) and learners (403)', async () => {
      expect((await server.api.post('/api/payouts/', { amount: '1.00' })).status).to.equal(401);
      const learner = await buildLearner(server.db);
      expect((await request(learner, { amount: '1.00' })).status).to.equal(403);
    });

    it('creates a pending payout in the mentor currency and notifies every active admin', async () => {
      const mentor = await mentorWithBalance(5000, { currency: 'EUR', first_name: 'Ada', last_name: 'Lovelace' });
      const admin = await buildAdmin(server.db);
      const retired = await buildAdmin(server.db, { is_active: false });
      const seen: DomainEvent[] = [];
      const off = server.bundle.deps.events.subscribe((e) => void seen.push(e));
      const res = await request(mentor, { amount: '20.5', note: 'March' });
      off();
      expect(res.status).to.equal(201);
      expect(res.headers.get('idempotent-replayed')).to.equal(null);
      expect(res.body).to.include({ mentor: mentor.id, amount: '20.50', currency: 'EUR', status: 'pending', note: 'March' });
      expect(res.body).to.include({ admin_note: null, processed_at: null, processed_by: null, idempotency_key: null });

      const toAdmin = await Notification.query(server.db).where({ user_id: admin.id, type: 'payout_requested' });
      expect(toAdmin).to.have.length(1);
      expect(toAdmin[0]!.message).to.contain('Ada Lovelace').and.contain('20.50 EUR');
      expect(toAdmin[0]!.data).to.deep.equal({ payout: res.body.id });
      expect(await Notification.query(server.db).where({ user_id: retired.id })).to.have.length(0);
      const pushed = seen.filter((e) => e.type === 'notification.created').map((e) => (e as { notification: Notification }).notification.user_id);
      expect(pushed).to.include(admin.id);
      expect(seen.some((e) => e.type === 'payout.changed')).to.equal(true);
    });

    const invalid: Array<[string, unknown]> = [
      ['zero', { amount: '0' }],
      ['zero with decimals', { amount: '0.00' }],
      ['a negative amount', { amount: '-5' }],
      ['three decimals', { amount: '1.005' }],
      ['a number instead of a string', { amount: 5 }],
      ['no amount', { note: 'x' }],
    ];
    for (const [what, body] of invalid) {
      it(`refuses ${what} with a 400 naming amount and writes nothing`, async () => {
        const mentor = await mentorWithBalance(5000);
        const res = await request(mentor, body);
        expect(res.status).to.equal(400);
        expect(res.body.errors.map((e: { path: string }) => e.path)).to.include('amount');
        expect(await payoutCount(mentor)).to.equal(0);
      });
    }

    it('refuses unknown fields and a malformed Idempotency-Key naming them', async () => {
      const mentor = await mentorWithBalance(5000);
      const extra = await request(mentor, { amount: '1.00', status: 'paid' });
      expect(extra.status).to.equal(400);
      expect(extra.body.errors[0]).to.include({ in: 'body', path: 'status' });
      const badKey = await request(mentor, { amount: '1.00' }, 'has spaces in it');
      expect(badKey.status).to.equal(400);
      expect(badKey.body.errors[0]).to.include({ in: 'header', path: 'Idempotency-Key' });
      expect(await payoutCount(mentor)).to.equal(0);
    });

    it('refuses more than the available balance with 409', async () => {
      const mentor = await mentorWithBalance(5000);
      await Payout.query(server.db).insert({ mentor_id: mentor.id, amount_cents: 4000, status: 'approved' });
      const res = await request(mentor, { amount: '10.01' });
      expect(res.status).to.equal(409);
      expect(res.body.detail).to.contain('exceeds available balance');
      expect((await request(mentor, { amount: '10.00' })).status).to.equal(201);
      expect((await request(mentor, { amount: '0.01' })).status).to.equal(409);
    });

    it('counts a rejected payout as available again', async () => {
      const mentor = await mentorWithBalance(5000);
      await Payout.query(server.db).insert({ mentor_id: mentor.id, amount_cents: 5000, status: 'rejected' });
      expect((await request(mentor, { amount: '50.00' })).status).to.equal(201);
    });

    it('replays a retry with the same Idempotency-Key instead of paying twice', async () => {
      const mentor = await mentorWithBalance(5000);
      const first = await request(mentor, { amount: '30.00', note: 'n' }, 'payout-2026-11');
      expect(first.status).to.equal(201);
      expect(first.body.idempotency_key).to.equal('payout-2026-11');
      const again = await request(mentor, { amount: '30', note: 'n' }, 'payout-2026-11');
      expect(again.status).to.equal(200);
      expect(again.headers.get('idempotent-replayed')).to.equal('true');
      expect(again.body).to.deep.equal(first.body);
      expect(await payoutCount(mentor)).to.equal(1);
      // The balance left (20.00) would refuse a second 30.00: the replay never re-checks it.
      expect((await request(mentor, { amount: '30.00' })).status).to.equal(409);
    });

    it('answers 422 for the same key with a different amount or note', async () => {
      const mentor = await mentorWithBalance(5000);
      expect((await request(mentor, { amount: '10.00' }, 'k-1')).status).to.equal(201);
      const amount = await request(mentor, { amount: '11.00' }, 'k-1');
      expect(amount.status).to.equal(422);
      expect(amount.body.code).to.equal('idempotency_key_reused');
      expect((await request(mentor, { amount: '10.00', note: 'other' }, 'k-1')).status).to.equal(422);
      expect(await payoutCount(mentor)).to.equal(1);
    });

    it('keeps keys per mentor: another mentor may use the same key', async () => {
      const a = await mentorWithBalance(5000);
      const b = await mentorWithBalance(5000);
      expect((await request(a, { amount: '10.00' }, 'shared-key')).status).to.equal(201);
      expect((await request(b, { amount: '10.00' }, 'shared-key')).status).to.equal(201);
    });

    it('never overdraws under 20 concurrent requests for the whole balance', async () => {
      const mentor = await mentorWithBalance(10000);
      const results = await Promise.all(Array.from({ length: 20 }, () => request(mentor, { amount: '100.00' })));
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 201)).to.have.length(1);
      expect(statuses.filter((s) => s === 409)).to.have.length(19);
      expect(await payoutCount(mentor)).to.equal(1);
    });

    it('writes one payout for 10 concurrent requests with the same Idempotency-Key', async () => {
      const mentor = await mentorWithBalance(10000);
      const results = await Promise.all(Array.from({ length: 10 }, () => request(mentor, { amount: '60.00' }, 'same-key')));
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).to.deep.equal([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
      expect(new Set(results.map((r) => r.body.id)).size).to.equal(1);
      expect(await payoutCount(mentor)).to.equal(1);
    });
  });

  describe('GET /api/payouts/', () => {
    it('refuses anonymous callers (401) and learners (403)', async () => {
      expect((await server.api.get('/api/payouts/')).status).to.equal(401);
      const learner = await buildLearner(server.db);
      expect((await server.api.get('/api/payouts/', { token: tokenFor(server, learner) })).status).to.equal(403);
    });

    it("lists the caller's own payouts, newest first, with a status filter and pages", async () => {
      const mentor = await buildMentor(server.db);
      const other = await buildMentor(server.db);
      const base = Date.now() - 10 * DAY;
      const rows = [] as Payout[];
      for (const [i, status] of (['paid', 'pending', 'rejected', 'pending'] as const).entries()) {
        rows.push(
          await Payout.query(server.db).insertAndFetch({
            mentor_id: mentor.id,
            amount_cents: 100 * (i + 1),
            status,
            requested_at: new Date(base + i * DAY),
          }),
        );
      }
      await Payout.query(server.db).insert({ mentor_id: other.id, amount_cents: 999, status: 'pending' });
      const token = tokenFor(server, mentor);

      const all = await server.api.get('/api/payouts/', { token });
      expect(all.status).to.equal(200);
      expect(all.body.count).to.equal(4);
      expect(all.body.results.map((p: { id: number }) => p.id)).to.deep.equal(rows.map((p) => p.id).reverse());

      const pending = await server.api.get('/api/payouts/?status=pending', { token });
      expect(pending.body.results.map((p: { amount: string }) => p.amount)).to.deep.equal(['4.00', '2.00']);

      const page = await server.api.get('/api/payouts/?page_size=3&page=2', { token });
      expect(page.body.results).to.have.length(1);
      expect(page.body.previous).to.contain('page=1');
      expect(page.body.next).to.equal(null);
    });

    it('refuses an unknown status naming the parameter', async () => {
      const mentor = await buildMentor(server.db);
      const res = await server.api.get('/api/payouts/?status=lost', { token: tokenFor(server, mentor) });
      expect(res.status).to.equal(400);
      expect(res.body.errors[0]).to.include({ in: 'query', path: 'status' });
    });
  });
});
