import { expect } from 'chai';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { buildBooking, buildLearner, buildMentor, buildSession, tokenFor } from '../helpers/factories.ts';
import { monthKey } from '../../src/lib/time.ts';
import { Payout, type User } from '../../src/models/index.ts';
import { getEarnings } from '../../src/views/earnings.ts';

const DAY = 24 * 3600_000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY);

describe('earnings', () => {
  let server: TestServer;
  before(async () => {
    server = await getTestServer();
  });
  after(() => server.close());

  /** A completed session in the past with one live booking per amount. */
  async function completedSession(mentor: User, start: Date, amountsCents: number[], opts: { cancelled?: number[] } = {}) {
    const session = await buildSession(server.db, { mentor_id: mentor.id, status: 'completed', start_time: start, capacity: 10 });
    for (const cents of amountsCents) {
      const learner = await buildLearner(server.db);
      await buildBooking(server.db, { session, learner_id: learner.id, status: 'attended', payment_amount_cents: cents });
    }
    for (const cents of opts.cancelled ?? []) {
      const learner = await buildLearner(server.db);
      await buildBooking(server.db, { session, learner_id: learner.id, status: 'cancelled', cancelled_at: start, payment_amount_cents: cents });
    }
    return session;
  }

  const payout = (mentor: User, status: Payout['status'], amount_cents: number) =>
    Payout.query(server.db).insert({ mentor_id: mentor.id, amount_cents, currency: 'USD', status });

  it('refuses anonymous callers (401) and learners (403)', async () => {
    expect((await server.api.get('/api/earnings/')).status).to.equal(401);
    const learner = await buildLearner(server.db);
    const res = await server.api.get('/api/earnings/', { token: tokenFor(server, learner) });
    expect(res.status).to.equal(403);
  });

  it('reports earned, upcoming, paid out, pending and available amounts', async () => {
    const mentor = await buildMentor(server.db);
    const other = await buildMentor(server.db);
    const learner = await buildLearner(server.db);
    // Earned: two live bookings of a completed session (the cancelled one does not count) …
    const lastMonth = await completedSession(mentor, daysAgo(40), [4000, 4000], { cancelled: [4000] });
    // … and an old completed session, outside the monthly window but inside the total.
    await completedSession(mentor, daysAgo(400), [1000]);
    // Upcoming: scheduled and in-progress sessions; a cancelled session never counts.
    const future = await buildSession(server.db, { mentor_id: mentor.id, price_cents: 2500 });
    await buildBooking(server.db, { session: future, learner_id: learner.id });
    const live = await buildSession(server.db, { mentor_id: mentor.id, status: 'in_progress', start_time: daysAgo(0), price_cents: 500 });
    await buildBooking(server.db, { session: live, learner_id: learner.id });
    const cancelled = await buildSession(server.db, { mentor_id: mentor.id, status: 'cancelled', price_cents: 9900 });
    await buildBooking(server.db, { session: cancelled, learner_id: learner.id, status: 'cancelled', cancelled_at: new Date() });
    // Another mentor's money is not ours.
    await completedSession(other, daysAgo(10), [7777]);
    await payout(mentor, 'paid', 1000);
    await payout(mentor, 'pending', 500);
    await payout(mentor, 'approved', 300);
    await payout(mentor, 'rejected', 2000);

    const res = await server.api.get('/api/earnings/', { token: tokenFor(server, mentor) });
    expect(res.status).to.equal(200);
    expect(res.body).to.include({
      currency: 'USD',
      timezone: 'UTC',
      total_earned: '90.00',
      upcoming: '30.00',
      paid_out: '10.00',
      pending_payouts: '8.00',
      available: '72.00', // 90 − (10 paid + 5 pending + 3 approved); the rejected 20 is available again
    });
    const month = res.body.monthly.find((m: { month: string }) => m.month === monthKey(lastMonth.start_time, 'UTC'));
    expect(month).to.deep.equal({ month: monthKey(lastMonth.start_time, 'UTC'), earned: '80.00', sessions: 1, bookings: 2 });
  });

  it('lists the last 12 months in the mentor timezone, zero-filled, oldest first', async () => {
    const mentor = await buildMentor(server.db, { timezone: 'America/New_York' });
    const res = await server.api.get('/api/earnings/', { token: tokenFor(server, mentor) });
    expect(res.status).to.equal(200);
    const months = res.body.monthly.map((m: { month: string }) => m.month);
    expect(months).to.have.length(12);
    expect(months.at(-1)).to.equal(monthKey(new Date(), 'America/New_York'));
    expect([...months].sort()).to.deep.equal(months);
    expect(new Set(months).size).to.equal(12);
    for (const m of res.body.monthly) expect(m).to.include({ earned: '0.00', sessions: 0, bookings: 0 });
    expect(res.body).to.include({ total_earned: '0.00', available: '0.00', timezone: 'America/New_York' });
  });

  it('puts a session in the month of its start in the mentor timezone (HTTP, relative dates)', async () => {
    const mentor = await buildMentor(server.db, { timezone: 'Europe/Berlin' });
    // 23:30 UTC on the last day of the previous UTC month: already the next month in Berlin.
    const now = new Date();
    const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1) - 30 * 60_000);
    await completedSession(mentor, start, [1500]);
    const res = await server.api.get('/api/earnings/', { token: tokenFor(server, mentor) });
    const berlin = monthKey(start, 'Europe/Berlin');
    expect(berlin).not.to.equal(monthKey(start, 'UTC'));
    const byMonth = new Map(res.body.monthly.map((m: { month: string }) => [m.month, m]));
    expect(byMonth.get(berlin)).to.deep.equal({ month: berlin, earned: '15.00', sessions: 1, bookings: 1 });
    const utcMonth = byMonth.get(monthKey(start, 'UTC')) as { earned: string } | undefined;
    if (utcMonth) expect(utcMonth.earned).to.equal('0.00');
  });

  it('groups by the mentor timezone for a fixed clock: 2026-03-31T23:30Z is April in Berlin, March in UTC', async () => {
    const berlin = await buildMentor(server.db, { timezone: 'Europe/Berlin' });
    const utc = await buildMentor(server.db, { timezone: 'UTC' });
    const start = new Date('2026-03-31T23:30:00Z');
    await completedSession(berlin, start, [2000]);
    await completedSession(utc, start, [2000]);
    // 13 months before the clock: outside the window, whatever the timezone.
    await completedSession(berlin, new Date('2025-05-15T12:00:00Z'), [999]);
    const now = new Date('2026-06-15T12:00:00Z');

    const b = await getEarnings(server.db, berlin, now);
    expect(b.monthly.map((m) => m.month)).to.deep.equal([
      '2025-07', '2025-08', '2025-09', '2025-10', '2025-11', '2025-12',
      '2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06',
    ]);
    expect(b.monthly.find((m) => m.month === '2026-04')).to.deep.equal({ month: '2026-04', earnedCents: 2000, sessions: 1, bookings: 1 });
    expect(b.monthly.find((m) => m.month === '2026-03')!.earnedCents).to.equal(0);
    expect(b.monthly.reduce((sum, m) => sum + m.earnedCents, 0)).to.equal(2000);
    expect(b.earnedCents).to.equal(2999);

    const u = await getEarnings(server.db, utc, now);
    expect(u.monthly.find((m) => m.month === '2026-03')!.earnedCents).to.equal(2000);
    expect(u.monthly.find((m) => m.month === '2026-04')!.earnedCents).to.equal(0);
  });

  it('refuses unknown query parameters naming them', async () => {
    const mentor = await buildMentor(server.db);
    const res = await server.api.get('/api/earnings/?month=2026-01', { token: tokenFor(server, mentor) });
    expect(res.status).to.equal(400);
    expect(res.body.errors[0]).to.include({ in: 'query', path: 'month' });
  });
});
