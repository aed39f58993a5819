import { expect } from 'chai';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { buildBooking, buildLearner, buildMentor, buildSession, tokenFor } from '../helpers/factories.ts';
import { Feedback, MentorRequest, type Session, type User } from '../../src/models/index.ts';
import { monthKey } from '../../src/lib/time.ts';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

describe('analytics', () => {
  let server: TestServer;
  before(async () => {
    server = await getTestServer();
  });
  after(() => server.close());

  const get = (user: User | null, qs = '') => server.api.get(`/api/analytics/${qs}`, user ? { token: tokenFor(server, user) } : {});

  const book = (session: Session, learner: User, status: 'booked' | 'attended' | 'no_show' | 'cancelled' = 'attended') =>
    buildBooking(server.db, { session, learner_id: learner.id, status, cancelled_at: status === 'cancelled' ? session.start_time : null });

  const feedback = (session: Session, learner: User, rating: number) =>
    Feedback.query(server.db).insert({ session_id: session.id, learner_id: learner.id, rating, comment: null });

  async function request(mentor: User, learner: User, status: MentorRequest['status'], createdAt: Date, answerAfterSeconds: number | null, session?: Session) {
    await MentorRequest.query(server.db).insert({
      mentor_id: mentor.id,
      learner_id: learner.id,
      topic: 'Help',
      message: '',
      preferred_times: [],
      status,
      session_id: session?.id ?? null,
      created_at: createdAt,
      responded_at: answerAfterSeconds === null ? null : new Date(createdAt.getTime() + answerAfterSeconds * 1000),
    });
  }

  it('refuses anonymous callers (401) and learners (403)', async () => {
    expect((await get(null)).status).to.equal(401);
    expect((await get(await buildLearner(server.db))).status).to.equal(403);
  });

  it('computes every metric over sessions starting in [from, to)', async () => {
    const mentor = await buildMentor(server.db);
    const [l1, l2, l3, l4, l5] = await Promise.all([1, 2, 3, 4, 5].map(() => buildLearner(server.db)));
    const session = (status: Session['status'], start: string, price = 3000) =>
      buildSession(server.db, {
        mentor_id: mentor.id,
        status,
        start_time: new Date(start),
        started_at: status === 'completed' ? new Date(start) : null,
        price_cents: price,
        capacity: 10,
      });

    const a = await session('completed', '2025-02-10T10:00:00Z');
    await book(a, l1!);
    await book(a, l2!);
    await book(a, l3!, 'no_show'); // held without them: the fee is still earned
    const b = await session('completed', '2025-03-15T10:00:00Z');
    await book(b, l1!);
    await book(b, l4!, 'cancelled');
    const c = await session('cancelled', '2025-04-01T10:00:00Z');
    await book(c, l2!, 'cancelled');
    await session('draft', '2025-05-01T10:00:00Z');
    // Outside the range (before `from`, and exactly at the exclusive `to`).
    const before = await session('completed', '2024-12-31T23:59:59Z');
    await book(before, l5!);
    await feedback(before, l5!, 1);
    const atEnd = await session('completed', '2025-07-01T00:00:00Z');
    await book(atEnd, l5!);
    // Another mentor's session in the range.
    const other = await buildMentor(server.db);
    const theirs = await buildSession(server.db, { mentor_id: other.id, status: 'completed', start_time: new Date('2025-02-11T10:00:00Z'), price_cents: 100 });
    await buildBooking(server.db, { session: theirs, learner_id: l5!.id, status: 'attended' });
    await feedback(theirs, l5!, 1);

    await feedback(a, l1!, 5);
    await feedback(a, l2!, 4);
    await feedback(b, l1!, 3);

    const created = new Date('2025-03-01T09:00:00Z');
    await request(mentor, l1!, 'accepted', created, 60, a);
    await request(mentor, l2!, 'declined', created, 120);
    await request(mentor, l3!, 'accepted', created, 600, b);
    await request(mentor, l4!, 'pending', created, null);
    await request(mentor, l4!, 'cancelled', created, null);
    await request(mentor, l5!, 'declined', new Date('2024-06-01T00:00:00Z'), 5); // outside the range

    const res = await get(mentor, '?from=2025-01-01T00:00:00Z&to=2025-07-01T00:00:00Z');
    expect(res.status).to.equal(200);
    const body = res.body;
    expect(body).to.include({
      from: '2025-01-01T00:00:00.000Z',
      to: '2025-07-01T00:00:00.000Z',
      students: 3, // l1, l2, l3 hold live bookings; l4 only cancelled
      repeat_learners: 1, // l1 (two live bookings)
      total_sessions: 4,
      average_rating: 4,
      feedback_count: 3,
      attendance_rate: 0.75, // 3 attended of 3 attended + 1 no-show, of completed sessions
      median_response_time_seconds: 120,
    });
    expect(body.cancellation_rate).to.be.closeTo(2 / 6, 1e-9);
    expect(body.request_acceptance_rate).to.be.closeTo(2 / 3, 1e-9);
    expect(body.sessions_by_status).to.deep.equal({ draft: 1, scheduled: 0, in_progress: 0, completed: 2, cancelled: 1 });
    expect(body.rating_distribution).to.deep.equal({ '1': 0, '2': 0, '3': 1, '4': 1, '5': 1 });
    expect(body.earnings_by_month).to.deep.equal([
      { month: '2025-01', earned: '0.00', sessions: 0, bookings: 0 },
      { month: '2025-02', earned: '90.00', sessions: 1, bookings: 3 },
      { month: '2025-03', earned: '30.00', sessions: 1, bookings: 1 },
      { month: '2025-04', earned: '0.00', sessions: 0, bookings: 0 },
      { month: '2025-05', earned: '0.00', sessions: 0, bookings: 0 },
      { month: '2025-06', earned: '0.00', sessions: 0, bookings: 0 },
    ]);
    expect(body.upcoming_sessions).to.deep.equal([]);
  });

  it('rounds the average rating to two decimals and takes the median of an even count', async () => {
    const mentor = await buildMentor(server.db);
    const start = new Date(Date.now() - 10 * DAY);
    const s = await buildSession(server.db, { mentor_id: mentor.id, status: 'completed', start_time: start, capacity: 5 });
    for (const rating of [5, 5, 4]) {
      const learner = await buildLearner(server.db);
      await book(s, learner);
      await feedback(s, learner, rating);
    }
    const learner = await buildLearner(server.db);
    await request(mentor, learner, 'accepted', start, 100, s);
    await request(mentor, learner, 'declined', start, 300);
    const res = await get(mentor);
    expect(res.body.average_rating).to.equal(4.67);
    expect(res.body.median_response_time_seconds).to.equal(200);
    expect(res.body.request_acceptance_rate).to.equal(0.5);
  });

  it('answers nulls and zeros for a mentor without activity, over the default 12 months', async () => {
    const mentor = await buildMentor(server.db, { timezone: 'Asia/Tokyo' });
    const res = await get(mentor);
    expect(res.status).to.equal(200);
    expect(res.body).to.include({
      students: 0,
      total_sessions: 0,
      average_rating: null,
      feedback_count: 0,
      attendance_rate: null,
      cancellation_rate: null,
      request_acceptance_rate: null,
      median_response_time_seconds: null,
      repeat_learners: 0,
    });
    const from = Date.parse(res.body.from);
    const to = Date.parse(res.body.to);
    expect(to).to.be.closeTo(Date.now(), 60_000);
    expect(to - from).to.be.within(365 * DAY, 366 * DAY);
    const months = res.body.earnings_by_month.map((m: { month: string }) => m.month);
    expect(months[0]).to.equal(monthKey(new Date(from), 'Asia/Tokyo'));
    expect(months.at(-1)).to.equal(monthKey(new Date(to), 'Asia/Tokyo'));
    expect(months).to.have.length(13); // the partial months at both ends of a 12-month range
  });

  it('lists the next five scheduled sessions, soonest first, whatever the range', async () => {
    const mentor = await buildMentor(server.db);
    const now = Date.now();
    const upcoming: Session[] = [];
    for (const hours of [30, 5, 200, 1, 48, 90]) {
      upcoming.push(await buildSession(server.db, { mentor_id: mentor.id, start_time: new Date(now + hours * HOUR) }));
    }
    await buildSession(server.db, { mentor_id: mentor.id, status: 'draft', start_time: new Date(now + 2 * HOUR) });
    await buildSession(server.db, { mentor_id: mentor.id, status: 'cancelled', start_time: new Date(now + 2 * HOUR) });
    await buildSession(server.db, { mentor_id: (await buildMentor(server.db)).id, start_time: new Date(now + 2 * HOUR) });
    const res = await get(mentor, '?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z');
    expect(res.status).to.equal(200);
    const expected = [...upcoming].sort((x, y) => x.start_time.getTime() - y.start_time.getTime()).slice(0, 5);
    expect(res.body.upcoming_sessions.map((s: { id: number }) => s.id)).to.deep.equal(expected.map((s) => s.id));
    expect(res.body.upcoming_sessions[0]).to.include({ mentor: mentor.id, status: 'scheduled' });
    expect(res.body.total_sessions).to.equal(0);
    expect(res.body.earnings_by_month).to.have.length(1);
    expect(res.body.upcoming_count).to.equal(6);
  });

  it('counts upcoming scheduled sessions even though the default range ends now', async () => {
    const mentor = await buildMentor(server.db);
    const now = Date.now();
    await buildSession(server.db, { mentor_id: mentor.id, start_time: new Date(now + 3 * DAY) });
    await buildSession(server.db, { mentor_id: mentor.id, start_time: new Date(now + 10 * DAY) });
    await buildSession(server.db, { mentor_id: mentor.id, status: 'completed', start_time: new Date(now - 3 * DAY) });
    const res = await get(mentor);
    expect(res.status).to.equal(200);
    // The range is about sessions that started; the scheduled ones ahead are counted apart.
    expect(res.body.sessions_by_status).to.include({ scheduled: 0, completed: 1 });
    expect(res.body.upcoming_count).to.equal(2);
    expect(res.body.upcoming_sessions).to.have.length(2);
  });

  it('groups earnings by month in the mentor timezone', async () => {
    const mentor = await buildMentor(server.db, { timezone: 'Europe/Berlin' });
    const s = await buildSession(server.db, { mentor_id: mentor.id, status: 'completed', start_time: new Date('2026-03-31T23:30:00Z'), price_cents: 1200 });
    await book(s, await buildLearner(server.db));
    // March and April in Berlin: from 1 March 00:00 CET to 1 May 00:00 CEST.
    const res = await get(mentor, '?from=2026-02-28T23:00:00Z&to=2026-04-30T22:00:00Z');
    expect(res.body.earnings_by_month).to.deep.equal([
      { month: '2026-03', earned: '0.00', sessions: 0, bookings: 0 },
      { month: '2026-04', earned: '12.00', sessions: 1, bookings: 1 },
    ]);
  });

  it('refuses a range that is empty, reversed or longer than ten years, naming from', async () => {
    const mentor = await buildMentor(server.db);
    for (const qs of [
      '?from=2025-06-01T00:00:00Z&to=2025-01-01T00:00:00Z',
      '?from=2025-01-01T00:00:00Z&to=2025-01-01T00:00:00Z',
      '?from=2999-01-01T00:00:00Z',
      '?from=2000-01-01T00:00:00Z&to=2025-01-01T00:00:00Z',
    ]) {
      const res = await get(mentor, qs);
      expect(res.status, qs).to.equal(400);
      expect(res.body.errors[0], qs).to.include({ in: 'query', path: 'from' });
    }
  });

  it('refuses malformed dates and unknown parameters naming them', async () => {
    const mentor = await buildMentor(server.db);
    for (const [qs, field] of [['?from=yesterday', 'from'], ['?to=2025-13-01T00:00:00Z', 'to'], ['?mentor=1', 'mentor']]) {
      const res = await get(mentor, qs);
      expect(res.status, qs).to.equal(400);
      expect(res.body.errors[0], qs).to.include({ in: 'query', path: field });
    }
  });
});
