import { expect } from 'chai';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { eventsDuring as recordEvents } from '../helpers/events.ts';
import { buildAdmin, buildBooking, buildLearner, buildMentor, buildSession, tokenFor } from '../helpers/factories.ts';
import type { EventOf } from '../../src/events.ts';
import { addMinutes } from '../../src/lib/time.ts';
import { Booking, Notification, Session, type User } from '../../src/models/index.ts';

const HOUR = 60;
const DAY = 24 * HOUR;
const fromNow = (minutes: number) => addMinutes(new Date(), minutes);

describe('bookings', () => {
  let server: TestServer;
  before(async () => {
    server = await getTestServer();
  });
  after(() => server.close());

  const auth = (user: User) => ({ token: tokenFor(server, user) });
  const reloadSession = async (id: number) => (await Session.query(server.db).findById(id))!;
  const reloadBooking = async (id: number) => (await Booking.query(server.db).findById(id))!;
  const notificationsOf = (user: User, type: string) => Notification.query(server.db).where({ user_id: user.id, type }).orderBy('id');
  const book = (session: Session, learner: User) => server.api.post(`/api/sessions/${session.id}/book/`, undefined, auth(learner));

  const eventsDuring = async (fn: () => Promise<unknown>) => (await recordEvents(server, fn)).events;

  describe('POST /api/sessions/{id}/book/', () => {
    it('books a seat at the session price and currency, tells the mentor, and pushes the new count', async () => {
      const mentor = await buildMentor(server.db, { first_name: 'Grace', last_name: 'Hopper', currency: 'EUR' });
      const learner = await buildLearner(server.db, { first_name: 'Alan', last_name: 'Turing' });
      const session = await buildSession(server.db, { mentor_id: mentor.id, capacity: 2, price_cents: 2550, currency: 'EUR' });
      const events = await eventsDuring(async () => {
        const res = await book(session, learner);
        expect(res.status).to.equal(201);
        expect(res.body).to.include({ session: session.id, learner: learner.id, status: 'booked', payment_amount: '25.50', currency: 'EUR' });
        expect(res.body.session_summary).to.deep.include({ id: session.id, title: session.title, status: 'scheduled', mentor: mentor.id, mentor_ready: false });
        expect(res.body.learner_summary.id).to.equal(learner.id);
      });
      expect((await reloadSession(session.id)).booked_count).to.equal(1);
      const told = await notificationsOf(mentor, 'booking_created');
      expect(told).to.have.length(1);
      expect(told[0]!.message).to.contain('Alan Turing').and.contain(session.title);
      const created = events.filter((e): e is EventOf<'booking.created'> => e.type === 'booking.created');
      expect(created).to.have.length(1);
      expect(created[0]!.session.booked_count).to.equal(1);
      expect(events.some((e) => e.type === 'notification.created')).to.equal(true);

      const view = await server.api.get(`/api/sessions/${session.id}/`, auth(learner));
      expect(view.body).to.include({ participant_count: 1, spots_left: 1 });
      expect(view.body.my_booking).to.be.a('number');
    });

    it('books a free session at zero', async () => {
      const session = await buildSession(server.db, { mentor_id: (await buildMentor(server.db)).id });
      const res = await book(session, await buildLearner(server.db));
      expect(res.status).to.equal(201);
      expect(res.body.payment_amount).to.equal('0.00');
    });

    it('refuses anonymous callers (401), mentors (403), and drafts (404 to learners)', async () => {
      const mentor = await buildMentor(server.db);
      const session = await buildSession(server.db, { mentor_id: mentor.id });
      expect((await server.api.post(`/api/sessions/${session.id}/book/`)).status).to.equal(401);
      expect((await book(session, mentor)).status).to.equal(403);
      const draft = await buildSession(server.db, { mentor_id: mentor.id, status: 'draft' });
      expect((await book(draft, await buildLearner(server.db))).status).to.equal(404);
      expect((await reloadSession(session.id)).booked_count).to.equal(0);
    });

    it('refuses a full session, a started one, a booked learner (409); rebooking after cancelling works', async () => {
      const mentor = await buildMentor(server.db);
      const learner = await buildLearner(server.db);
      const full = await buildSession(server.db, { mentor_id: mentor.id });
      await buildBooking(server.db, { session: full, learner_id: (await buildLearner(server.db)).id });
      const res = await book(full, learner);
      expect(res.status).to.equal(409);
      expect(res.body.code).to.equal('session_full');

      const started = await buildSession(server.db, { mentor_id: mentor.id, start_time: fromNow(-5), capacity: 3 });
      expect((await book(started, learner)).body.code).to.equal('session_not_open');

      const open = await buildSession(server.db, { mentor_id: mentor.id, capacity: 3 });
      const first = await book(open, learner);
      expect(first.status).to.equal(201);
      const twice = await book(open, learner);
      expect(twice.status).to.equal(409);
      expect(twice.body.code).to.equal('already_booked');
      expect((await server.api.post(`/api/bookings/${first.body.id}/cancel/`, undefined, auth(learner))).status).to.equal(200);
      const again = await book(open, learner);
      expect(again.status).to.equal(201);
      expect(again.body.id).not.to.equal(first.body.id);
      expect((await reloadSession(open.id)).booked_count).to.equal(1);
    });

    it('never overbooks: 50 learners racing for one seat get exactly one 201', async function () {
      this.timeout(60_000);
      const session = await buildSession(server.db, { mentor_id: (await buildMentor(server.db)).id, capacity: 1 });
      const learners = await Promise.all(Array.from({ length: 50 }, () => buildLearner(server.db)));
      const answers = await Promise.all(learners.map((learner) => book(session, learner)));
      const statuses = answers.map((r) => r.status).sort();
      expect(statuses.filter((s) => s === 201)).to.have.length(1);
      expect(statuses.filter((s) => s === 409)).to.have.length(49);
      expect((await reloadSession(session.id)).booked_count).to.equal(1);
      expect(await Booking.query(server.db).where('session_id', session.id).resultSize()).to.equal(1);
    });

    it('one learner racing themself 10 times gets exactly one booking', async function () {
      this.timeout(60_000);
      const session = await buildSession(server.db, { mentor_id: (await buildMentor(server.db)).id, capacity: 5 });
      const learner = await buildLearner(server.db);
      const answers = await Promise.all(Array.from({ length: 10 }, () => book(session, learner)));
      expect(answers.filter((r) => r.status === 201)).to.have.length(1);
      expect(answers.filter((r) => r.status === 409).every((r) => r.body.code === 'already_booked')).to.equal(true);
      expect((await reloadSession(session.id)).booked_count).to.equal(1);
      expect(await Booking.query(server.db).where('session_id', session.id).resultSize()).to.equal(1);
    });
  });

  describe('GET /api/bookings/', () => {
    it("lists a learner's own bookings and a mentor's bookings on their sessions, by session start", async () => {
      const mentor = await buildMentor(server.db);
      const otherMentor = await buildMentor(server.db);
      const learner = await buildLearner(server.db);
      const other = await buildLearner(server.db);
      const later = await buildSession(server.db, { mentor_id: mentor.id, capacity: 2, start_time: fromNow(3 * DAY) });
      const sooner = await buildSession(server.db, { mentor_id: mentor.id, capacity: 2, start_time: fromNow(DAY) });
      const elsewhere = await buildSession(server.db, { mentor_id: otherMentor.id, start_time: fromNow(2 * DAY) });
      const b1 = await buildBooking(server.db, { session: later, learner_id: learner.id });
      const b2 = await buildBooking(server.db, { session: sooner, learner_id: learner.id });
      const b3 = await buildBooking(server.db, { session: elsewhere, learner_id: learner.id });
      const b4 = await buildBooking(server.db, { session: sooner, learner_id: other.id });

      const mine = await server.api.get('/api/bookings/', auth(learner));
      expect(mine.status).to.equal(200);
      expect(mine.body.results.map((b: { id: number }) => b.id)).to.deep.equal([b2.id, b3.id, b1.id]);
      const theirs = await server.api.get('/api/bookings/', auth(mentor));
      expect(theirs.body.results.map((b: { id: number }) => b.id)).to.deep.equal([b2.id, b4.id, b1.id]);
      expect(theirs.body.count).to.equal(3);
      const oneSession = await server.api.get(`/api/bookings/?session=${sooner.id}`, auth(mentor));
      expect(oneSession.body.results.map((b: { id: number }) => b.id)).to.deep.equal([b2.id, b4.id]);
      const paged = await server.api.get('/api/bookings/?page_size=1&page=2', auth(learner));
      expect(paged.body.results.map((b: { id: number }) => b.id)).to.deep.equal([b3.id]);
      expect(paged.body.previous).to.contain('page=1');
    });

    it('filters by status and by upcoming (session not ended yet)', async () => {
      const mentor = await buildMentor(server.db);
      const learner = await buildLearner(server.db);
      const past = await buildSession(server.db, { mentor_id: mentor.id, status: 'completed', start_time: fromNow(-DAY) });
      const running = await buildSession(server.db, { mentor_id: mentor.id, status: 'in_progress', start_time: fromNow(-10) });
      const future = await buildSession(server.db, { mentor_id: mentor.id, start_time: fromNow(DAY) });
      const attended = await buildBooking(server.db, { session: past, learner_id: learner.id, status: 'attended' });
      const live = await buildBooking(server.db, { session: running, learner_id: learner.id });
      const cancelled = await buildBooking(server.db, { session: future, learner_id: learner.id, status: 'cancelled', cancelled_at: new Date() });
      const ids = async (q: string) => (await server.api.get(`/api/bookings/?${q}`, auth(learner))).body.results.map((b: { id: number }) => b.id);
      expect(await ids('upcoming=true')).to.deep.equal([live.id, cancelled.id]);
      expect(await ids('upcoming=false')).to.deep.equal([attended.id]);
      expect(await ids('status=cancelled')).to.deep.equal([cancelled.id]);
      expect(await ids('status=booked&upcoming=true')).to.deep.equal([live.id]);
    });

    it('refuses anonymous callers and bad filters (400 naming them)', async () => {
      expect((await server.api.get('/api/bookings/')).status).to.equal(401);
      const learner = await buildLearner(server.db);
      for (const [q, field] of [
        ['status=pending', 'status'],
        ['upcoming=maybe', 'upcoming'],
        ['session=0', 'session'],
        ['learner=1', 'learner'],
      ] as const) {
        const res = await server.api.get(`/api/bookings/?${q}`, auth(learner));
        expect(res.status, q).to.equal(400);
        expect(res.body.errors[0]).to.include({ in: 'query', path: field });
      }
    });
  });

  describe('GET /api/bookings/{id}/', () => {
    it('shows a booking to its learner, the session mentor and admins; others get 404', async () => {
      const mentor = await buildMentor(server.db);
      const learner = await buildLearner(server.db);
      const session = await buildSession(server.db, { mentor_id: mentor.id });
      const booking = await buildBooking(server.db, { session, learner_id: learner.id });
      for (const viewer of [learner, mentor, await buildAdmin(server.db)]) {
        const res = await server.api.get(`/api/bookings/${booking.id}/`, auth(viewer));
        expect(res.status).to.equal(200);
        expect(res.body.id).to.equal(booking.id);
      }
      expect((await server.api.get(`/api/bookings/${booking.id}/`)).status).to.equal(401);
      for (const stranger of [await buildLearner(server.db), await buildMentor(server.db)]) {
        const res = await server.api.get(`/api/bookings/${booking.id}/`, auth(stranger));
        expect(res.status).to.equal(404);
        expect(res.text).not.to.contain(session.title);
      }
      expect((await server.api.get('/api/bookings/999999/', auth(learner))).status).to.equal(404);
    });
  });

  describe('POST /api/bookings/{id}/cancel/', () => {
    it('frees the seat, tells the mentor and pushes the new count', async () => {
      const mentor = await buildMentor(server.db);
      const learner = await buildLearner(server.db, { first_name: 'Ada', last_name: 'Lovelace' });
      const session = await buildSession(server.db, { mentor_id: mentor.id, capacity: 2 });
      const booking = await buildBooking(server.db, { session, learner_id: learner.id });
      const events = await eventsDuring(async () => {
        const res = await server.api.post(`/api/bookings/${booking.id}/cancel/`, undefined, auth(learner));
        expect(res.status).to.equal(200);
        expect(res.body.status).to.equal('cancelled');
        expect(res.body.cancelled_at).to.be.a('string');
      });
      expect((await reloadSession(session.id)).booked_count).to.equal(0);
      const told = await notificationsOf(mentor, 'booking_cancelled');
      expect(told).to.have.length(1);
      expect(told[0]!.message).to.contain('Ada Lovelace');
      const cancelled = events.filter((e): e is EventOf<'booking.cancelled'> => e.type === 'booking.cancelled');
      expect(cancelled).to.have.length(1);
      expect(cancelled[0]!.session.booked_count).to.equal(0);
      expect(cancelled[0]!.booking.status).to.equal('cancelled');
      const again = await server.api.post(`/api/bookings/${booking.id}/cancel/`, undefined, auth(learner));
      expect(again.status).to.equal(409);
      expect((await reloadSession(session.id)).booked_count).to.equal(0);
    });

    it('refuses once the session has started or its start has passed (409)', async () => {
      const mentor = await buildMentor(server.db);
      const learner = await buildLearner(server.db);
      const running = await buildSession(server.db, { mentor_id: mentor.id, status: 'in_progress', start_time: fromNow(-5) });
      const overdue = await buildSession(server.db, { mentor_id: mentor.id, start_time: fromNow(-5) });
      for (const session of [running, overdue]) {
        const booking = await buildBooking(server.db, { session, learner_id: learner.id });
        const res = await server.api.post(`/api/bookings/${booking.id}/cancel/`, undefined, auth(learner));
        expect(res.status).to.equal(409);
        expect((await reloadBooking(booking.id)).status).to.equal('booked');
        expect((await reloadSession(session.id)).booked_count).to.equal(1);
      }
    });

    it("is the learner's alone: the mentor and admins 403, other learners 404, anonymous 401", async () => {
      const mentor = await buildMentor(server.db);
      const learner = await buildLearner(server.db);
      const session = await buildSession(server.db, { mentor_id: mentor.id });
      const booking = await buildBooking(server.db, { session, learner_id: learner.id });
      const path = `/api/bookings/${booking.id}/cancel/`;
      expect((await server.api.post(path)).status).to.equal(401);
      expect((await server.api.post(path, undefined, auth(mentor))).status).to.equal(403);
      expect((await server.api.post(path, undefined, auth(await buildAdmin(server.db)))).status).to.equal(403);
      expect((await server.api.post(path, undefined, auth(await buildMentor(server.db)))).status).to.equal(403);
      const stranger = await server.api.post(path, undefined, auth(await buildLearner(server.db)));
      expect(stranger.status).to.equal(404);
      expect((await reloadBooking(booking.id)).status).to.equal('booked');
    });
  });

  describe('POST /api/bookings/{id}/ready/', () => {
    it('marks the learner ready in the window, tells the mentor, and is idempotent', async () => {
      const mentor = await buildMentor(server.db);
      const learner = await buildLearner(server.db);
      const session = await buildSession(server.db, { mentor_id: mentor.id, start_time: fromNow(15), mentor_ready_at: new Date() });
      const booking = await buildBooking(server.db, { session, learner_id: learner.id });
      const events = await eventsDuring(async () => {
        const res = await server.api.post(`/api/bookings/${booking.id}/ready/`, undefined, auth(learner));
        expect(res.status).to.equal(200);
        expect(res.body.learner_ready_at).to.be.a('string');
        expect(res.body.session_summary.mentor_ready).to.equal(true);
      });
      const changed = events.filter((e): e is EventOf<'session.changed'> => e.type === 'session.changed');
      expect(changed.map((e) => e.change)).to.deep.equal(['learner_ready']);
      expect(changed[0]!.booking!.id).to.equal(booking.id);
      const told = await notificationsOf(mentor, 'learner_ready');
      expect(told.map((n) => n.link)).to.deep.equal([`/room/${session.id}`]);
      const first = (await reloadBooking(booking.id)).learner_ready_at!;
      const again = await server.api.post(`/api/bookings/${booking.id}/ready/`, undefined, auth(learner));
      expect(again.body.learner_ready_at).to.equal(first.toISOString());
      expect(await notificationsOf(mentor, 'learner_ready')).to.have.length(1);
      const session2 = await server.api.get(`/api/sessions/${session.id}/`, auth(mentor));
      expect(session2.body).to.include({ ready_learner_count: 1, can_start: true });
    });

    it('refuses before the window opens and after the end (409), accepts a class in progress', async () => {
      const mentor = await buildMentor(server.db);
      const learner = await buildLearner(server.db);
      const early = await buildSession(server.db, { mentor_id: mentor.id, start_time: fromNow(3 * HOUR) });
      const earlyBooking = await buildBooking(server.db, { session: early, learner_id: learner.id });
      const tooEarly = await server.api.post(`/api/bookings/${earlyBooking.id}/ready/`, undefined, auth(learner));
      expect(tooEarly.status).to.equal(409);
      expect(tooEarly.body.detail).to.contain(addMinutes(early.start_time, -30).toISOString());
      const ended = await buildSession(server.db, { mentor_id: mentor.id, status: 'in_progress', start_time: fromNow(-2 * HOUR) });
      const endedBooking = await buildBooking(server.db, { session: ended, learner_id: learner.id });
      expect((await server.api.post(`/api/bookings/${endedBooking.id}/ready/`, undefined, auth(learner))).status).to.equal(409);
      const running = await buildSession(server.db, { mentor_id: mentor.id, status: 'in_progress', start_time: fromNow(-10) });
      const runningBooking = await buildBooking(server.db, { session: running, learner_id: learner.id });
      expect((await server.api.post(`/api/bookings/${runningBooking.id}/ready/`, undefined, auth(learner))).status).to.equal(200);
    });

    it('refuses a cancelled booking and a completed session (409)', async () => {
      const mentor = await buildMentor(server.db);
      const learner = await buildLearner(server.db);
      const soon = await buildSession(server.db, { mentor_id: mentor.id, start_time: fromNow(10), capacity: 2 });
      const cancelled = await buildBooking(server.db, { session: soon, learner_id: learner.id, status: 'cancelled', cancelled_at: new Date() });
      expect((await server.api.post(`/api/bookings/${cancelled.id}/ready/`, undefined, auth(learner))).status).to.equal(409);
      const done = await buildSession(server.db, { mentor_id: mentor.id, status: 'completed', start_time: fromNow(-10) });
      const doneBooking = await buildBooking(server.db, { session: done, learner_id: learner.id });
      expect((await server.api.post(`/api/bookings/${doneBooking.id}/ready/`, undefined, auth(learner))).status).to.equal(409);
      expect((await reloadBooking(doneBooking.id)).learner_ready_at).to.equal(null);
    });

    it("is the learner's alone: the mentor 403, other learners 404, anonymous 401", async () => {
      const mentor = await buildMentor(server.db);
      const learner = await buildLearner(server.db);
      const session = await buildSession(server.db, { mentor_id: mentor.id, start_time: fromNow(10) });
      const booking = await buildBooking(server.db, { session, learner_id: learner.id });
      const path = `/api/bookings/${booking.id}/ready/`;
      expect((await server.api.post(path)).status).to.equal(401);
      expect((await server.api.post(path, undefined, auth(mentor))).status).to.equal(403);
      expect((await server.api.post(path, undefined, auth(await buildLearner(server.db)))).status).to.equal(404);
      expect((await reloadBooking(booking.id)).learner_ready_at).to.equal(null);
    });
  });
});
