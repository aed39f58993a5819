/**
 * Attendance from the room (docs/rules.md, "Attendance, no-shows and earnings"): presence recorded
 * from `room_{id}` over /ws, `attended` / `no_show` decided at completion, rating only for those who
 * came, earnings and payouts by the no-show rule, the room window, and the mentor's attendance view.
 */
import { expect } from 'chai';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { attend } from '../helpers/attend.ts';
import { buildAdmin, buildBooking, buildLearner, buildMentor, buildPresence, buildSession, tokenFor } from '../helpers/factories.ts';
import { buildClassroom } from '../realtime/support.ts';
import { TestSocket, type Msg } from '../realtime/client.ts';
import { runSchedulerTick } from '../../src/jobs/scheduler.ts';
import { addMinutes } from '../../src/lib/time.ts';
import { Booking, type Session, type User } from '../../src/models/index.ts';
import { unionMs } from '../../src/views/attendance.ts';

describe('attendance', function () {
  this.timeout(30000);
  let server: TestServer;
  before(async () => {
    server = await getTestServer({ READY_LEAD_MINUTES: '30', ROOM_GRACE_MINUTES: '15' });
  });
  after(() => server.close());

  const token = (user: User) => tokenFor(server, user);
  const auth = (user: User) => ({ token: token(user) });
  const attendanceOf = (session: Session, user: User) => server.api.get(`/api/sessions/${session.id}/attendance/`, auth(user));
  type Entry = { learner: number; first_joined_at: string | null; last_left_at: string | null; in_room: boolean; [field: string]: unknown };
  const entryOf = (body: { bookings: Entry[] }, learner: User) => body.bookings.find((b) => b.learner === learner.id)!;
  const leaveOf = (peer: string) => (m: Msg) => m.type === 'presence' && m.event === 'leave' && m.member.peer === peer;
  const joinOf = (user: User) => (m: Msg) => m.type === 'presence' && m.event === 'join' && m.member.user === user.id;
  const stays = (session: Session, user: User) =>
    server.db('room_presence').where({ session_id: session.id, user_id: user.id }).orderBy('id') as Promise<
      Array<{ connection_id: string; joined_at: string | Date; left_at: string | Date | null }>
    >;

  describe('presence in the room', () => {
    it('records every stay from join to leave or socket close, across two tabs and a reconnect', async () => {
      const { mentor, session, learners } = await buildClassroom(server, 2);
      const [a, b] = learners as [User, User];
      const watcher = await attend(server, token(mentor), session.id, { stay: true });

      const tab1 = await attend(server, token(a), session.id, { stay: true });
      await watcher.next(joinOf(a));
      let view = await attendanceOf(session, mentor);
      expect(view.status).to.equal(200);
      expect(view.body).to.include({ session: session.id, session_status: 'scheduled', started_at: null });
      expect(entryOf(view.body, a)).to.include({ status: 'booked', in_room: true, last_left_at: null });
      expect(entryOf(view.body, a).first_joined_at).to.be.a('string');
      expect(entryOf(view.body, b)).to.deep.include({ first_joined_at: null, last_left_at: null, in_room: false, present_seconds: 0 });
      expect(entryOf(view.body, b).learner_summary).to.include({ id: b.id, username: b.username });

      // A second tab, then the first one's socket closes: still in the room.
      const tab2 = await attend(server, token(a), session.id, { stay: true });
      await watcher.next(joinOf(a));
      await tab1.close();
      await watcher.next(leaveOf(tab1.peer)); // announced after the stay was closed
      view = await attendanceOf(session, mentor);
      expect(entryOf(view.body, a)).to.include({ in_room: true, last_left_at: null });

      // The second tab leaves: out of the room; then a reconnect (a new socket) comes and goes.
      await tab2.request({ type: 'unsubscribe', channel: `room_${session.id}` });
      view = await attendanceOf(session, mentor);
      expect(entryOf(view.body, a).in_room).to.equal(false);
      const reconnect = await attend(server, token(a), session.id);

      const rows = await stays(session, a);
      expect(rows.map((r) => r.connection_id)).to.deep.equal([tab1.peer, tab2.peer, reconnect.peer]);
      expect(rows.every((r) => r.left_at !== null && new Date(r.left_at) >= new Date(r.joined_at))).to.equal(true);
      view = await attendanceOf(session, mentor);
      const entry = entryOf(view.body, a);
      expect(entry.first_joined_at).to.equal(new Date(rows[0]!.joined_at).toISOString());
      expect(entry.last_left_at).to.equal(new Date(Math.max(...rows.map((r) => new Date(r.left_at!).getTime()))).toISOString());
      expect(await stays(session, b)).to.deep.equal([]);
      await Promise.all([tab2.close(), watcher.close()]);
    });

    it('counts overlapping stays once in present_seconds', async () => {
      const mentor = await buildMentor(server.db);
      const learner = await buildLearner(server.db);
      const start = addMinutes(new Date(), -120);
      const session = await buildSession(server.db, { mentor_id: mentor.id, status: 'completed', start_time: start, started_at: start });
      await buildBooking(server.db, { session, learner_id: learner.id, status: 'attended' });
      // 0–10 and 5–20 overlap (two tabs), 30–35 after a reconnect: 25 minutes in all.
      await buildPresence(server.db, { session, user_id: learner.id, joined_at: start, left_at: addMinutes(start, 10) });
      await buildPresence(server.db, { session, user_id: learner.id, joined_at: addMinutes(start, 5), left_at: addMinutes(start, 20) });
      await buildPresence(server.db, { session, user_id: learner.id, joined_at: addMinutes(start, 30), left_at: addMinutes(start, 35) });
      const res = await attendanceOf(session, mentor);
      expect(res.status).to.equal(200);
      expect(res.body.bookings).to.deep.equal([
        {
          booking: res.body.bookings[0].booking,
          learner: learner.id,
          learner_summary: res.body.bookings[0].learner_summary,
          status: 'attended',
          first_joined_at: start.toISOString(),
          last_left_at: addMinutes(start, 35).toISOString(),
          in_room: false,
          present_seconds: 25 * 60,
        },
      ]);
      expect(unionMs([{ from: 0, to: 10 }, { from: 10, to: 12 }, { from: 1, to: 3 }, { from: 20, to: 20 }])).to.equal(12);
    });

    it('is shown to the owner and admins only (403 for a booked learner, 404 for another mentor, 401 anonymous)', async () => {
      const { mentor, session, learners } = await buildClassroom(server, 1);
      const admin = await buildAdmin(server.db);
      expect((await attendanceOf(session, admin)).status).to.equal(200);
      const asLearner = await attendanceOf(session, learners[0]!);
      expect(asLearner.status).to.equal(403);
      expect((await attendanceOf(session, await buildMentor(server.db))).status).to.equal(404);
      expect((await server.api.get(`/api/sessions/${session.id}/attendance/`)).status).to.equal(401);
      expect((await server.api.get('/api/sessions/999999/attendance/', auth(mentor))).status).to.equal(404);
    });
  });

  describe('completion decides attended or no_show', () => {
    it('marks the learner who came attended and the ready learner who never came no_show; only the first may rate', async () => {
      const { mentor, session, learners } = await buildClassroom(server, 2);
      const [came, absent] = learners as [User, User];
      const bookingOf = async (learner: User) => (await Booking.query(server.db).findOne({ session_id: session.id, learner_id: learner.id }))!;
      await server.api.post(`/api/sessions/${session.id}/ready/`, undefined, auth(mentor));
      // Both confirm they are ready and call start over REST; only one ever enters the room.
      for (const learner of [came, absent]) {
        expect((await server.api.post(`/api/bookings/${(await bookingOf(learner)).id}/ready/`, undefined, auth(learner))).status).to.equal(200);
      }
      expect((await server.api.post(`/api/sessions/${session.id}/start/`, undefined, auth(mentor))).status).to.equal(200);
      expect((await server.api.post(`/api/sessions/${session.id}/start/`, undefined, auth(absent))).status).to.equal(200);
      const mentorSocket = await attend(server, token(mentor), session.id, { stay: true });
      const learnerSocket = await attend(server, token(came), session.id, { stay: true });

      const completed = await server.api.post(`/api/sessions/${session.id}/complete/`, undefined, auth(mentor));
      expect(completed.status).to.equal(200);
      expect((await bookingOf(came)).status).to.equal('attended');
      expect((await bookingOf(absent)).status).to.equal('no_show');
      // Stays still open at completion are closed then.
      const view = await attendanceOf(session, mentor);
      expect(entryOf(view.body, came)).to.include({ status: 'attended', in_room: false });
      expect(entryOf(view.body, absent)).to.include({ status: 'no_show', first_joined_at: null, present_seconds: 0 });
      expect((await server.api.get(`/api/bookings/${(await bookingOf(absent)).id}/`, auth(absent))).body.status).to.equal('no_show');

      const refused = await server.api.post(`/api/sessions/${session.id}/feedback/`, { rating: 1 }, auth(absent));
      expect(refused.status).to.equal(409);
      expect(refused.body.code).to.equal('not_attended');
      expect((await server.api.post(`/api/sessions/${session.id}/feedback/`, { rating: 5 }, auth(came))).status).to.equal(201);
      await Promise.all([mentorSocket.close(), learnerSocket.close()]);
    });
  });

  describe('earnings and payouts follow the no-show rule', () => {
    const earnings = async (mentor: User) => (await server.api.get('/api/earnings/', auth(mentor))).body;

    it('a class that was held earns the fees of its no-shows', async () => {
      const mentor = await buildMentor(server.db);
      const start = addMinutes(new Date(), -120);
      const session = await buildSession(server.db, { mentor_id: mentor.id, status: 'completed', start_time: start, started_at: start, price_cents: 4000, capacity: 2 });
      for (let i = 0; i < 2; i++) await buildBooking(server.db, { session, learner_id: (await buildLearner(server.db)).id, status: 'no_show' });
      expect(await earnings(mentor)).to.include({ total_earned: '80.00', available: '80.00' });
      const analytics = (await server.api.get('/api/analytics/', auth(mentor))).body;
      expect(analytics.attendance_rate).to.equal(0);
      const payout = await server.api.post('/api/payouts/', { amount: '80.00' }, auth(mentor));
      expect(payout.status).to.equal(201);
    });

    it('a session never started and completed by the scheduler earns nothing: all its bookings are no_show', async () => {
      const mentor = await buildMentor(server.db);
      const start = addMinutes(new Date(), -180);
      const session = await buildSession(server.db, { mentor_id: mentor.id, start_time: start, price_cents: 3000, capacity: 2 });
      const booked = [];
      for (let i = 0; i < 2; i++) booked.push(await buildBooking(server.db, { session, learner_id: (await buildLearner(server.db)).id }));
      expect((await earnings(mentor)).upcoming).to.equal('60.00');

      await runSchedulerTick(server.bundle.deps);
      const statuses = await Booking.query(server.db).whereIn('id', booked.map((b) => b.id));
      expect(statuses.map((b) => b.status)).to.deep.equal(['no_show', 'no_show']);
      const after = await earnings(mentor);
      expect(after).to.include({ total_earned: '0.00', available: '0.00', upcoming: '0.00' });
      const month = after.monthly.find((m: { sessions: number }) => m.sessions === 1);
      expect(month).to.include({ earned: '0.00', bookings: 2 });
      const analytics = (await server.api.get('/api/analytics/', auth(mentor))).body;
      expect(analytics.earnings_by_month.find((m: { sessions: number }) => m.sessions === 1)).to.include({ earned: '0.00' });
      const payout = await server.api.post('/api/payouts/', { amount: '10.00' }, auth(mentor));
      expect(payout.status).to.equal(409);
      expect(payout.body.code).to.equal('insufficient_balance');
    });
  });

  describe('the room window', () => {
    const join = async (user: User, session: Session) => {
      const socket = await TestSocket.open(server.url, token(user));
      try {
        return await socket.subscribe(`room_${session.id}`);
      } finally {
        await socket.close();
      }
    };

    it(`opens READY_LEAD_MINUTES before the start and closes ROOM_GRACE_MINUTES after the end; in progress it stays open`, async () => {
      const { mentor, session: soon, learners } = await buildClassroom(server, 1);
      const [learner] = learners as [User];
      const later = await buildSession(server.db, { mentor_id: mentor.id, start_time: addMinutes(new Date(), 45) });
      await buildBooking(server.db, { session: later, learner_id: learner.id });
      const refused = await join(learner, later);
      expect(refused).to.include({ type: 'error', code: 'room_window_not_open', channel: `room_${later.id}` });
      expect(refused.message).to.contain(addMinutes(later.start_time, -30).toISOString());
      expect((await join(mentor, later)).code).to.equal('room_window_not_open');
      // The session says when its room opens and closes.
      const shown = await server.api.get(`/api/sessions/${later.id}/`, auth(learner));
      expect(shown.body).to.include({
        room_opens_at: addMinutes(later.start_time, -30).toISOString(),
        room_closes_at: addMinutes(later.end_time, 15).toISOString(),
      });
      expect((await join(learner, soon)).type).to.equal('subscribed');

      // Ended 5 minutes ago (within the grace) and 20 minutes ago (closed), never started.
      const inGrace = await buildSession(server.db, { mentor_id: mentor.id, start_time: addMinutes(new Date(), -65), duration: 60 });
      const closed = await buildSession(server.db, { mentor_id: mentor.id, start_time: addMinutes(new Date(), -80), duration: 60 });
      const overrun = await buildSession(server.db, { mentor_id: mentor.id, status: 'in_progress', start_time: addMinutes(new Date(), -180), duration: 60 });
      expect((await join(mentor, inGrace)).type).to.equal('subscribed');
      const late = await join(mentor, closed);
      expect(late).to.include({ type: 'error', code: 'room_window_closed' });
      expect(late.message).to.contain(addMinutes(closed.end_time, 15).toISOString());
      expect((await join(mentor, overrun)).type).to.equal('subscribed');
      // Refusals record no presence.
      expect(await server.db('room_presence').whereIn('session_id', [later.id, closed.id])).to.deep.equal([]);
    });
  });
});
