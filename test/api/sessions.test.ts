import { expect } from 'chai';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { attend } from '../helpers/attend.ts';
import { eventsDuring as recordEvents } from '../helpers/events.ts';
import { buildAdmin, buildBooking, buildLearner, buildMentor, buildSession, tokenFor } from '../helpers/factories.ts';
import type { DomainEvent, EventOf } from '../../src/events.ts';
import { addMinutes } from '../../src/lib/time.ts';
import { Booking, Notification, Session, type User } from '../../src/models/index.ts';

const HOUR = 60;
const DAY = 24 * HOUR;
const fromNow = (minutes: number) => addMinutes(new Date(), minutes);
const fieldsOf = (body: { errors?: Array<{ path: string }> }) => (body.errors ?? []).map((e) => e.path);

describe('sessions', () => {
  let server: TestServer;
  before(async () => {
    server = await getTestServer();
  });
  after(() => server.close());

  const auth = (user: User) => ({ token: tokenFor(server, user) });
  const reload = async (id: number) => (await Session.query(server.db).findById(id))!;
  const notificationsOf = (user: User, type: string) => Notification.query(server.db).where({ user_id: user.id, type }).orderBy('id');

  const eventsDuring = async (fn: () => Promise<unknown>) => (await recordEvents(server, fn)).events;
  const sessionChanges = (events: DomainEvent[]) =>
    events.filter((e): e is EventOf<'session.changed'> => e.type === 'session.changed');

  describe('POST /api/sessions/', () => {
    const valid = () => ({ title: 'Generics in depth', start_time: fromNow(2 * DAY).toISOString(), duration: 60 });

    it('refuses anonymous callers (401) and learners (403)', async () => {
      expect((await server.api.post('/api/sessions/', valid())).status).to.equal(401);
      const learner = await buildLearner(server.db);
      const res = await server.api.post('/api/sessions/', valid(), auth(learner));
      expect(res.status).to.equal(403);
    });

    it('creates a free one-seat draft in the mentor currency by default, with end_time = start + duration', async () => {
      const mentor = await buildMentor(server.db, { currency: 'EUR' });
      const body = valid();
      const events = await eventsDuring(async () => {
        const res = await server.api.post('/api/sessions/', body, auth(mentor));
        expect(res.status).to.equal(201);
        expect(res.body).to.include({
          mentor: mentor.id,
          title: body.title,
          description: '',
          status: 'draft',
          price: null,
          currency: 'EUR',
          capacity: 1,
          participant_count: 0,
          spots_left: 1,
          mentor_ready: false,
          can_start: false,
          my_booking: null,
        });
        expect(res.body.start_time).to.equal(body.start_time);
        expect(res.body.end_time).to.equal(addMinutes(new Date(body.start_time), 60).toISOString());
        expect(res.body.mentor_summary.id).to.equal(mentor.id);
        const row = await reload(res.body.id);
        expect(row.end_time.getTime()).to.equal(new Date(body.start_time).getTime() + 3600_000);
      });
      expect(sessionChanges(events).map((e) => e.change)).to.deep.equal(['created']);
    });

    it('publishes at once with status scheduled and stores the price in cents', async () => {
      const mentor = await buildMentor(server.db);
      const res = await server.api.post(
        '/api/sessions/',
        { ...valid(), status: 'scheduled', price: '49.5', capacity: 5, description: 'Bring questions' },
        auth(mentor),
      );
      expect(res.status).to.equal(201);
      expect(res.body).to.include({ status: 'scheduled', price: '49.50', capacity: 5, spots_left: 5, description: 'Bring questions' });
      expect((await reload(res.body.id)).price_cents).to.equal(4950);
    });

    it('refuses to schedule a session in the past (400 naming start_time) but accepts a past draft', async () => {
      const mentor = await buildMentor(server.db);
      const past = { ...valid(), start_time: fromNow(-HOUR).toISOString() };
      const scheduled = await server.api.post('/api/sessions/', { ...past, status: 'scheduled' }, auth(mentor));
      expect(scheduled.status).to.equal(400);
      expect(fieldsOf(scheduled.body)).to.deep.equal(['start_time']);
      const draft = await server.api.post('/api/sessions/', past, auth(mentor));
      expect(draft.status).to.equal(201);
    });

    const invalid: Array<[string, Record<string, unknown>, string]> = [
      ['a zero duration', { duration: 0 }, 'duration'],
      ['a duration over a day', { duration: 1441 }, 'duration'],
      ['a blank title', { title: '   ' }, 'title'],
      ['a price with three decimals', { price: '1.999' }, 'price'],
      ['a numeric price', { price: 10 }, 'price'],
      ['a zero capacity', { capacity: 0 }, 'capacity'],
      ['a malformed start_time', { start_time: 'tomorrow' }, 'start_time'],
      ['status in_progress', { status: 'in_progress' }, 'status'],
      ['an unknown field', { mentor_id: 1 }, 'mentor_id'],
      ['a computed field', { booked_count: 3 }, 'booked_count'],
      ['currency', { currency: 'USD' }, 'currency'],
    ];
    for (const [what, over, field] of invalid) {
      it(`refuses ${what} with a 400 naming ${field} and writes nothing`, async () => {
        const mentor = await buildMentor(server.db);
        const res = await server.api.post('/api/sessions/', { ...valid(), ...over }, auth(mentor));
        expect(res.status).to.equal(400);
        expect(fieldsOf(res.body)).to.include(field);
        expect(await Session.query(server.db).where('mentor_id', mentor.id).resultSize()).to.equal(0);
      });
    }
  });

  describe('GET /api/sessions/', () => {
    it('refuses anonymous callers and unknown query parameters', async () => {
      expect((await server.api.get('/api/sessions/')).status).to.equal(401);
      const mentor = await buildMentor(server.db);
      const res = await server.api.get('/api/sessions/?colour=red', auth(mentor));
      expect(res.status).to.equal(400);
      expect(res.body.errors[0]).to.include({ in: 'query', path: 'colour' });
    });

    it("lists a mentor's own sessions by start time, filtered by status", async () => {
      const mentor = await buildMentor(server.db);
      const other = await buildMentor(server.db);
      const late = await buildSession(server.db, { mentor_id: mentor.id, start_time: fromNow(3 * DAY) });
      const early = await buildSession(server.db, { mentor_id: mentor.id, start_time: fromNow(DAY), status: 'draft' });
      const done = await buildSession(server.db, { mentor_id: mentor.id, start_time: fromNow(-2 * DAY), status: 'completed' });
      await buildSession(server.db, { mentor_id: other.id });

      const all = await server.api.get('/api/sessions/', auth(mentor));
      expect(all.status).to.equal(200);
      expect(all.body.results.map((s: { id: number }) => s.id)).to.deep.equal([done.id, early.id, late.id]);
      expect(all.body).to.include({ count: 3, next: null, previous: null });

      const drafts = await server.api.get('/api/sessions/?status=draft', auth(mentor));
      expect(drafts.body.results.map((s: { id: number }) => s.id)).to.deep.equal([early.id]);
    });

    it('shows learners the open sessions by default, with their own booking marked', async () => {
      const mentor = await buildMentor(server.db);
      const learner = await buildLearner(server.db);
      const someone = await buildLearner(server.db);
      const base = fromNow(400 * DAY);
      const open = await buildSession(server.db, { mentor_id: mentor.id, start_time: addMinutes(base, 10), capacity: 3 });
      const mine = await buildSession(server.db, { mentor_id: mentor.id, start_time: addMinutes(base, 20), capacity: 2 });
      const booking = await buildBooking(server.db, { session: mine, learner_id: learner.id });
      const full = await buildSession(server.db, { mentor_id: mentor.id, start_time: addMinutes(base, 30) });
      await buildBooking(server.db, { session: full, learner_id: someone.id });
      await buildSession(server.db, { mentor_id: mentor.id, start_time: addMinutes(base, 40), status: 'draft' });
      await buildSession(server.db, { mentor_id: mentor.id, start_time: addMinutes(base, 50), status: 'cancelled' });
      await buildSession(server.db, { mentor_id: mentor.id, start_time: fromNow(-30) }); // started, not yet in progress

      const res = await server.api.get(`/api/sessions/?mentor=${mentor.id}&status=draft`, auth(learner));
      expect(res.status).to.equal(200);
      expect(res.body.results.map((s: { id: number }) => s.id)).to.deep.equal([open.id, mine.id]);
      expect(res.body.results.map((s: { my_booking: number | null }) => s.my_booking)).to.deep.equal([null, booking.id]);
    });

    it("lists a learner's booked sessions in any status with scope=booked", async () => {
      const mentor = await buildMentor(server.db);
      const learner = await buildLearner(server.db);
      const upcoming = await buildSession(server.db, { mentor_id: mentor.id, start_time: fromNow(DAY) });
      const done = await buildSession(server.db, { mentor_id: mentor.id, start_time: fromNow(-DAY), status: 'completed' });
      const dropped = await buildSession(server.db, { mentor_id: mentor.id, start_time: fromNow(2 * DAY) });
      await buildBooking(server.db, { session: upcoming, learner_id: learner.id });
      await buildBooking(server.db, { session: done, learner_id: learner.id, status: 'attended' });
      await buildBooking(server.db, { session: dropped, learner_id: learner.id, status: 'cancelled', cancelled_at: new Date() });

      const res = await server.api.get('/api/sessions/?scope=booked', auth(learner));
      expect(res.body.results.map((s: { id: number }) => s.id)).to.deep.equal([done.id, upcoming.id]);
      const completed = await server.api.get('/api/sessions/?scope=booked&status=completed', auth(learner));
      expect(completed.body.results.map((s: { id: number }) => s.id)).to.deep.equal([done.id]);
    });

    it('bounds start_time with from (inclusive) and to (exclusive) and paginates', async () => {
      const mentor = await buildMentor(server.db);
      const base = new Date(Date.UTC(2031, 0, 1));
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push((await buildSession(server.db, { mentor_id: mentor.id, start_time: addMinutes(base, i * DAY) })).id);
      }
      const range = `from=${addMinutes(base, DAY).toISOString()}&to=${addMinutes(base, 4 * DAY).toISOString()}`;
      const first = await server.api.get(`/api/sessions/?${range}&page_size=2`, auth(mentor));
      expect(first.body.count).to.equal(3);
      expect(first.body.results.map((s: { id: number }) => s.id)).to.deep.equal(ids.slice(1, 3));
      expect(first.body.next).to.contain('page=2');
      const second = await server.api.get(first.body.next, auth(mentor));
      expect(second.body.results.map((s: { id: number }) => s.id)).to.deep.equal([ids[3]]);
      expect(second.body.next).to.equal(null);
      const bad = await server.api.get('/api/sessions/?from=yesterday', auth(mentor));
      expect(bad.status).to.equal(400);
      expect(bad.body.errors[0]).to.include({ in: 'query', path: 'from' });
    });
  });

  describe('GET /api/sessions/{id}/', () => {
    it('shows a session to its mentor, admins, any learner while scheduled, and learners who booked it', async () => {
      const mentor = await buildMentor(server.db);
      const admin = await buildAdmin(server.db);
      const learner = await buildLearner(server.db);
      const scheduled = await buildSession(server.db, { mentor_id: mentor.id });
      for (const viewer of [mentor, admin, learner]) {
        const res = await server.api.get(`/api/sessions/${scheduled.id}/`, auth(viewer));
        expect(res.status).to.equal(200);
        expect(res.body.id).to.equal(scheduled.id);
      }
      const done = await buildSession(server.db, { mentor_id: mentor.id, start_time: fromNow(-DAY), status: 'completed' });
      await buildBooking(server.db, { session: done, learner_id: learner.id, status: 'cancelled', cancelled_at: new Date() });
      expect((await server.api.get(`/api/sessions/${done.id}`, auth(learner))).status).to.equal(200);
    });

    it('hides drafts and finished sessions from other mentors and unrelated learners (404), and needs a token', async () => {
      const mentor = await buildMentor(server.db);
      const otherMentor = await buildMentor(server.db);
      const learner = await buildLearner(server.db);
      const draft = await buildSession(server.db, { mentor_id: mentor.id, status: 'draft' });
      const scheduled = await buildSession(server.db, { mentor_id: mentor.id });
      expect((await server.api.get(`/api/sessions/${draft.id}/`)).status).to.equal(401);
      for (const [viewer, session] of [
        [otherMentor, draft],
        [otherMentor, scheduled],
        [learner, draft],
      ] as const) {
        const res = await server.api.get(`/api/sessions/${session.id}/`, auth(viewer));
        expect(res.status).to.equal(404);
        expect(res.text).not.to.contain(session.title);
      }
      expect((await server.api.get('/api/sessions/999999/', auth(mentor))).status).to.equal(404);
      const bad = await server.api.get('/api/sessions/abc/', auth(mentor));
      expect(bad.status).to.equal(400);
      expect(bad.body.errors[0]).to.include({ in: 'path', path: 'id' });
    });
  });

  describe('authorization of every /api/sessions/{id}/… operation', () => {
    // [operation, method, suffix, body, status for an unrelated learner on a draft]
    const operations: Array<[string, 'get' | 'put' | 'patch' | 'post', string, unknown, number]> = [
      ['getSession', 'get', '', undefined, 404],
      ['replaceSession', 'put', '', { title: 'x', description: '', start_time: fromNow(DAY).toISOString(), duration: 30, price: null, capacity: 1 }, 403],
      ['updateSession', 'patch', '', { title: 'x' }, 403],
      ['publishSession', 'post', 'publish/', undefined, 403],
      ['cancelSession', 'post', 'cancel/', undefined, 403],
      ['markSessionReady', 'post', 'ready/', undefined, 403],
      ['startSession', 'post', 'start/', undefined, 404],
      ['completeSession', 'post', 'complete/', undefined, 403],
      ['bookSession', 'post', 'book/', undefined, 404],
    ];
    for (const [operation, method, suffix, body, learnerStatus] of operations) {
      it(`${operation}: anonymous 401, another mentor ${operation === 'bookSession' ? 403 : 404}, an unrelated learner ${learnerStatus}; nothing leaks or changes`, async () => {
        const mentor = await buildMentor(server.db);
        const otherMentor = await buildMentor(server.db);
        const learner = await buildLearner(server.db);
        const session = await buildSession(server.db, { mentor_id: mentor.id, status: 'draft', start_time: fromNow(10) });
        const call = (opts = {}) =>
          method === 'get' || method === 'post'
            ? server.api.request(method.toUpperCase(), `/api/sessions/${session.id}/${suffix}`, { ...opts, body })
            : server.api[method](`/api/sessions/${session.id}/${suffix}`, body, opts);
        expect((await call()).status).to.equal(401);
        const byMentor = await call(auth(otherMentor));
        expect(byMentor.status).to.equal(operation === 'bookSession' ? 403 : 404);
        expect(byMentor.text).not.to.contain(session.title);
        const byLearner = await call(auth(learner));
        expect(byLearner.status).to.equal(learnerStatus);
        expect(byLearner.text).not.to.contain(session.title);
        const after = await reload(session.id);
        expect(after).to.deep.include({ status: 'draft', title: session.title, booked_count: 0, mentor_ready_at: null });
      });
    }
  });

  describe('PUT and PATCH /api/sessions/{id}/', () => {
    const replacement = (over: Record<string, unknown> = {}) => ({
      title: 'Replaced',
      description: 'New description',
      start_time: fromNow(5 * DAY).toISOString(),
      duration: 90,
      price: '20.00',
      capacity: 4,
      ...over,
    });

    it('lets the owner replace every editable field (PUT) and recomputes end_time', async () => {
      const mentor = await buildMentor(server.db);
      const session = await buildSession(server.db, { mentor_id: mentor.id, status: 'draft' });
      const body = replacement();
      const res = await server.api.put(`/api/sessions/${session.id}/`, body, auth(mentor));
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ title: 'Replaced', description: 'New description', duration: 90, price: '20.00', capacity: 4, status: 'draft' });
      expect(res.body.end_time).to.equal(addMinutes(new Date(body.start_time), 90).toISOString());
    });

    it('requires every field on PUT and at least one on PATCH', async () => {
      const mentor = await buildMentor(server.db);
      const session = await buildSession(server.db, { mentor_id: mentor.id });
      const put = await server.api.put(`/api/sessions/${session.id}/`, { title: 'Only a title' }, auth(mentor));
      expect(put.status).to.equal(400);
      expect(put.body.errors.length).to.be.greaterThan(0);
      expect((await server.api.patch(`/api/sessions/${session.id}/`, {}, auth(mentor))).status).to.equal(400);
    });

    it('changes only the given fields on PATCH and makes a session free with price null', async () => {
      const mentor = await buildMentor(server.db);
      const session = await buildSession(server.db, { mentor_id: mentor.id, price_cents: 1000, capacity: 3 });
      const res = await server.api.patch(`/api/sessions/${session.id}/`, { price: null, description: 'Now free' }, auth(mentor));
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ price: null, description: 'Now free', title: session.title, capacity: 3 });
    });

    const massAssignment: Array<[string, Record<string, unknown>]> = [
      ['status', { status: 'completed' }],
      ['mentor_id', { mentor_id: 1 }],
      ['mentor', { mentor: 1 }],
      ['payment_amount', { payment_amount: '0.00' }],
      ['booked_count', { booked_count: 0 }],
      ['currency', { currency: 'JPY' }],
      ['mentor_ready_at', { mentor_ready_at: new Date().toISOString() }],
    ];
    for (const [field, extra] of massAssignment) {
      it(`refuses ${field} in the body (400 naming it) and changes nothing`, async () => {
        const mentor = await buildMentor(server.db);
        const session = await buildSession(server.db, { mentor_id: mentor.id });
        const patch = await server.api.patch(`/api/sessions/${session.id}/`, { title: 'Hijacked', ...extra }, auth(mentor));
        expect(patch.status).to.equal(400);
        expect(fieldsOf(patch.body)).to.include(field);
        const put = await server.api.put(`/api/sessions/${session.id}/`, replacement(extra), auth(mentor));
        expect(put.status).to.equal(400);
        expect(fieldsOf(put.body)).to.include(field);
        expect(await reload(session.id)).to.deep.include({ title: session.title, status: 'scheduled', currency: 'USD', mentor_id: mentor.id });
      });
    }

    it('refuses bad values with a 400 naming the field', async () => {
      const mentor = await buildMentor(server.db);
      const session = await buildSession(server.db, { mentor_id: mentor.id });
      for (const [body, field] of [
        [{ duration: 0 }, 'duration'],
        [{ title: '   ' }, 'title'],
        [{ price: '1.999' }, 'price'],
        [{ capacity: 501 }, 'capacity'],
        [{ start_time: fromNow(-10).toISOString() }, 'start_time'],
      ] as const) {
        const res = await server.api.patch(`/api/sessions/${session.id}/`, body, auth(mentor));
        expect(res.status, JSON.stringify(body)).to.equal(400);
        expect([...new Set(fieldsOf(res.body))]).to.deep.equal([field]);
      }
      expect(await reload(session.id)).to.deep.include({ title: session.title, duration: 60 });
    });

    it('refuses other users: admin and learner 403, another mentor 404', async () => {
      const mentor = await buildMentor(server.db);
      const session = await buildSession(server.db, { mentor_id: mentor.id });
      const admin = await buildAdmin(server.db);
      const learner = await buildLearner(server.db);
      const otherMentor = await buildMentor(server.db);
      expect((await server.api.patch(`/api/sessions/${session.id}/`, { title: 'x' }, auth(admin))).status).to.equal(403);
      expect((await server.api.patch(`/api/sessions/${session.id}/`, { title: 'x' }, auth(learner))).status).to.equal(403);
      expect((await server.api.patch(`/api/sessions/${session.id}/`, { title: 'x' }, auth(otherMentor))).status).to.equal(404);
      expect((await reload(session.id)).title).to.equal(session.title);
    });

    for (const status of ['in_progress', 'completed', 'cancelled'] as const) {
      it(`refuses to edit a ${status} session (409)`, async () => {
        const mentor = await buildMentor(server.db);
        const session = await buildSession(server.db, { mentor_id: mentor.id, status, start_time: fromNow(-10) });
        const res = await server.api.patch(`/api/sessions/${session.id}/`, { title: 'Too late' }, auth(mentor));
        expect(res.status).to.equal(409);
        expect((await reload(session.id)).title).to.equal(session.title);
      });
    }

    it('refuses a capacity below the participant count and a price change while booked (409)', async () => {
      const mentor = await buildMentor(server.db);
      const session = await buildSession(server.db, { mentor_id: mentor.id, capacity: 3, price_cents: 1000 });
      await buildBooking(server.db, { session, learner_id: (await buildLearner(server.db)).id });
      await buildBooking(server.db, { session, learner_id: (await buildLearner(server.db)).id });
      const capacity = await server.api.patch(`/api/sessions/${session.id}/`, { capacity: 1 }, auth(mentor));
      expect(capacity.status).to.equal(409);
      expect(capacity.body.detail).to.contain('2 learners');
      const price = await server.api.patch(`/api/sessions/${session.id}/`, { price: '5.00' }, auth(mentor));
      expect(price.status).to.equal(409);
      expect((await server.api.patch(`/api/sessions/${session.id}/`, { price: '10', capacity: 2 }, auth(mentor))).status).to.equal(200);
      expect(await reload(session.id)).to.deep.include({ capacity: 2, price_cents: 1000 });
    });

    it('reschedules: booked learners are told, readiness is cleared and the event says rescheduled', async () => {
      const mentor = await buildMentor(server.db);
      // Two days ahead: moving a booked session needs RESCHEDULE_NOTICE_MINUTES (24 h) of notice.
      const session = await buildSession(server.db, { mentor_id: mentor.id, capacity: 3, start_time: fromNow(2 * DAY), mentor_ready_at: new Date() });
      const ready = await buildLearner(server.db);
      const gone = await buildLearner(server.db);
      const readyBooking = await buildBooking(server.db, { session, learner_id: ready.id, learner_ready_at: new Date() });
      await buildBooking(server.db, { session, learner_id: gone.id, status: 'cancelled', cancelled_at: new Date() });
      const start = fromNow(3 * DAY);
      const events = await eventsDuring(async () => {
        const res = await server.api.patch(`/api/sessions/${session.id}/`, { start_time: start.toISOString() }, auth(mentor));
        expect(res.status).to.equal(200);
        expect(res.body).to.include({ mentor_ready: false, mentor_ready_at: null, ready_learner_count: 0, start_time: start.toISOString() });
      });
      expect((await Booking.query(server.db).findById(readyBooking.id))!.learner_ready_at).to.equal(null);
      const told = await notificationsOf(ready, 'session_rescheduled');
      expect(told).to.have.length(1);
      expect(told[0]!.link).to.equal(`/dashboard#sessions/${session.id}`);
      expect(told[0]!.message).to.contain(start.toISOString());
      expect(await notificationsOf(gone, 'session_rescheduled')).to.have.length(0);
      const changes = sessionChanges(events);
      expect(changes.map((e) => e.change)).to.deep.equal(['rescheduled']);
      expect(changes[0]!.session.start_time.getTime()).to.equal(start.getTime());
    });

    it('a new duration moves the window too; other edits tell booked learners the session was updated', async () => {
      const mentor = await buildMentor(server.db);
      const learner = await buildLearner(server.db);
      const session = await buildSession(server.db, { mentor_id: mentor.id, capacity: 2 });
      await buildBooking(server.db, { session, learner_id: learner.id });
      const longer = await eventsDuring(() => server.api.patch(`/api/sessions/${session.id}/`, { duration: 120 }, auth(mentor)));
      expect(sessionChanges(longer).map((e) => e.change)).to.deep.equal(['rescheduled']);
      const renamed = await eventsDuring(() => server.api.patch(`/api/sessions/${session.id}/`, { title: 'Renamed' }, auth(mentor)));
      expect(sessionChanges(renamed).map((e) => e.change)).to.deep.equal(['updated']);
      expect(await notificationsOf(learner, 'session_rescheduled')).to.have.length(1);
      const updated = await notificationsOf(learner, 'session_updated');
      expect(updated).to.have.length(1);
      expect(updated[0]!.message).to.contain('Renamed');
      // An edit that changes nothing tells nobody.
      const same = await eventsDuring(() => server.api.patch(`/api/sessions/${session.id}/`, { title: 'Renamed' }, auth(mentor)));
      expect(sessionChanges(same)).to.have.length(0);
      expect(await notificationsOf(learner, 'session_updated')).to.have.length(1);
    });
  });

  describe('POST /api/sessions/{id}/publish/', () => {
    it('moves a draft to scheduled', async () => {
      const mentor = await buildMentor(server.db);
      const session = await buildSession(server.db, { mentor_id: mentor.id, status: 'draft' });
      const events = await eventsDuring(async () => {
        const res = await server.api.post(`/api/sessions/${session.id}/publish/`, undefined, auth(mentor));
        expect(res.status).to.equal(200);
        expect(res.body.status).to.equal('scheduled');
      });
      expect(sessionChanges(events).map((e) => [e.change, e.session.status])).to.deep.equal([['published', 'scheduled']]);
      expect((await server.api.post(`/api/sessions/${session.id}/publish/`, undefined, auth(mentor))).status).to.equal(409);
    });

    it('refuses a draft whose start has passed (409)', async () => {
      const mentor = await buildMentor(server.db);
      const session = await buildSession(server.db, { mentor_id: mentor.id, status: 'draft', start_time: fromNow(-5) });
      const res = await server.api.post(`/api/sessions/${session.id}/publish/`, undefined, auth(mentor));
      expect(res.status).to.equal(409);
      expect(res.body.detail).to.contain('start time has passed');
      expect((await reload(session.id)).status).to.equal('draft');
    });
  });

  describe('POST /api/sessions/{id}/cancel/', () => {
    it('cancels the session and every live booking, tells their learners why', async () => {
      const mentor = await buildMentor(server.db);
      const session = await buildSession(server.db, { mentor_id: mentor.id, capacity: 3 });
      const a = await buildLearner(server.db);
      const b = await buildLearner(server.db);
      const earlier = await buildLearner(server.db);
      await buildBooking(server.db, { session, learner_id: a.id });
      await buildBooking(server.db, { session, learner_id: b.id });
      await buildBooking(server.db, { session, learner_id: earlier.id, status: 'cancelled', cancelled_at: new Date(Date.now() - 3600_000) });
      const events = await eventsDuring(async () => {
        const res = await server.api.post(`/api/sessions/${session.id}/cancel/`, { reason: '  I am ill  ' }, auth(mentor));
        expect(res.status).to.equal(200);
        expect(res.body).to.include({ status: 'cancelled', cancel_reason: 'I am ill', participant_count: 0, spots_left: 3 });
        expect(res.body.cancelled_at).to.be.a('string');
      });
      const bookings = await Booking.query(server.db).where('session_id', session.id);
      expect(bookings.every((x) => x.status === 'cancelled' && x.cancelled_at)).to.equal(true);
      for (const learner of [a, b]) {
        const told = await notificationsOf(learner, 'session_cancelled');
        expect(told).to.have.length(1);
        expect(told[0]!.message).to.contain('I am ill');
      }
      expect(await notificationsOf(earlier, 'session_cancelled')).to.have.length(0);
      const change = sessionChanges(events)[0]!;
      expect(change).to.deep.include({ change: 'cancelled' });
      expect(change.session).to.deep.include({ status: 'cancelled', booked_count: 0 });
    });

    it('takes no body, refuses unknown fields, and refuses a session that is not draft or scheduled (409)', async () => {
      const mentor = await buildMentor(server.db);
      const draft = await buildSession(server.db, { mentor_id: mentor.id, status: 'draft' });
      const extra = await server.api.post(`/api/sessions/${draft.id}/cancel/`, { why: 'x' }, auth(mentor));
      expect(extra.status).to.equal(400);
      expect(fieldsOf(extra.body)).to.include('why');
      const res = await server.api.post(`/api/sessions/${draft.id}/cancel/`, undefined, auth(mentor));
      expect(res.status).to.equal(200);
      expect(res.body.cancel_reason).to.equal(null);
      expect((await server.api.post(`/api/sessions/${draft.id}/cancel/`, undefined, auth(mentor))).status).to.equal(409);
      const done = await buildSession(server.db, { mentor_id: mentor.id, status: 'completed', start_time: fromNow(-DAY) });
      expect((await server.api.post(`/api/sessions/${done.id}/cancel/`, undefined, auth(mentor))).status).to.equal(409);
    });
  });

  describe('POST /api/sessions/{id}/ready/', () => {
    it('opens READY_LEAD_MINUTES before the start: earlier is a 409 saying when', async () => {
      const mentor = await buildMentor(server.db);
      const session = await buildSession(server.db, { mentor_id: mentor.id, start_time: fromNow(2 * HOUR) });
      const res = await server.api.post(`/api/sessions/${session.id}/ready/`, undefined, auth(mentor));
      expect(res.status).to.equal(409);
      expect(res.body.code).to.equal('ready_window_not_open');
      expect(res.body.detail).to.contain(addMinutes(session.start_time, -30).toISOString()).and.contain('30 minutes');
      expect((await reload(session.id)).mentor_ready_at).to.equal(null);
    });

    it('marks the mentor ready, tells the booked learners, and is idempotent', async () => {
      const mentor = await buildMentor(server.db);
      const learner = await buildLearner(server.db);
      const session = await buildSession(server.db, { mentor_id: mentor.id, start_time: fromNow(20) });
      await buildBooking(server.db, { session, learner_id: learner.id });
      const events = await eventsDuring(async () => {
        const res = await server.api.post(`/api/sessions/${session.id}/ready/`, undefined, auth(mentor));
        expect(res.status).to.equal(200);
        expect(res.body).to.include({ mentor_ready: true, can_start: false });
      });
      expect(sessionChanges(events).map((e) => e.change)).to.deep.equal(['mentor_ready']);
      const first = (await reload(session.id)).mentor_ready_at!;
      const again = await eventsDuring(async () => {
        const res = await server.api.post(`/api/sessions/${session.id}/ready/`, undefined, auth(mentor));
        expect(res.status).to.equal(200);
        expect(res.body.mentor_ready_at).to.equal(first.toISOString());
      });
      expect(again).to.have.length(0);
      const told = await notificationsOf(learner, 'mentor_ready');
      expect(told).to.have.length(1);
      expect(told[0]!.link).to.equal(`/room/${session.id}`);
    });

    it('refuses after the end, and in a status other than scheduled (409)', async () => {
      const mentor = await buildMentor(server.db);
      const ended = await buildSession(server.db, { mentor_id: mentor.id, start_time: fromNow(-2 * HOUR) });
      const late = await server.api.post(`/api/sessions/${ended.id}/ready/`, undefined, auth(mentor));
      expect(late.status).to.equal(409);
      expect(late.body.code).to.equal('ready_window_closed');
      const draft = await buildSession(server.db, { mentor_id: mentor.id, status: 'draft', start_time: fromNow(10) });
      expect((await server.api.post(`/api/sessions/${draft.id}/ready/`, undefined, auth(mentor))).status).to.equal(409);
    });
  });

  describe('POST /api/sessions/{id}/start/ and /complete/', () => {
    /** A session starting in 10 minutes with two booked learners, neither ready. */
    async function classroom() {
      const mentor = await buildMentor(server.db);
      const ready = await buildLearner(server.db);
      const late = await buildLearner(server.db);
      const absent = await buildLearner(server.db);
      const session = await buildSession(server.db, { mentor_id: mentor.id, capacity: 3, start_time: fromNow(10) });
      const bookings = {
        ready: await buildBooking(server.db, { session, learner_id: ready.id }),
        late: await buildBooking(server.db, { session, learner_id: late.id }),
        absent: await buildBooking(server.db, { session, learner_id: absent.id }),
      };
      return { mentor, ready, late, absent, session, bookings };
    }

    it('needs the mentor and at least one learner ready (409 otherwise)', async () => {
      const { mentor, ready, session, bookings } = await classroom();
      const notReady = await server.api.post(`/api/sessions/${session.id}/start/`, undefined, auth(mentor));
      expect(notReady.status).to.equal(409);
      expect(notReady.body.code).to.equal('mentor_not_ready');
      await server.api.post(`/api/sessions/${session.id}/ready/`, undefined, auth(mentor));
      const noLearner = await server.api.post(`/api/sessions/${session.id}/start/`, undefined, auth(ready));
      expect(noLearner.status).to.equal(409);
      expect(noLearner.body.code).to.equal('no_learner_ready');
      expect((await server.api.post(`/api/bookings/${bookings.ready.id}/ready/`, undefined, auth(ready))).status).to.equal(200);
      const session2 = await server.api.get(`/api/sessions/${session.id}/`, auth(mentor));
      expect(session2.body).to.include({ can_start: true, ready_learner_count: 1 });
    });

    it('starts before the scheduled minute, tells the others, lets learners join, then completes with attendance', async () => {
      const { mentor, ready, late, absent, session, bookings } = await classroom();
      await server.api.post(`/api/sessions/${session.id}/ready/`, undefined, auth(mentor));
      await server.api.post(`/api/bookings/${bookings.ready.id}/ready/`, undefined, auth(ready));

      const started = await eventsDuring(async () => {
        const res = await server.api.post(`/api/sessions/${session.id}/start/`, undefined, auth(mentor));
        expect(res.status).to.equal(200);
        expect(res.body.status).to.equal('in_progress');
        expect(res.body.started_at).to.be.a('string');
      });
      expect(sessionChanges(started).map((e) => [e.change, e.session.status])).to.deep.equal([['started', 'in_progress']]);
      for (const learner of [ready, late, absent]) {
        const told = await notificationsOf(learner, 'session_started');
        expect(told.map((n) => n.link)).to.deep.equal([`/room/${session.id}`]);
      }
      expect(await notificationsOf(mentor, 'session_started')).to.have.length(0);

      // The late learner joins the running class: recorded as joined, nothing else changes.
      const join = await eventsDuring(async () => {
        const res = await server.api.post(`/api/sessions/${session.id}/start/`, undefined, auth(late));
        expect(res.status).to.equal(200);
        expect(res.body.status).to.equal('in_progress');
      });
      expect(sessionChanges(join)).to.have.length(0);
      expect((await Booking.query(server.db).findById(bookings.late.id))!.joined_at).to.be.instanceOf(Date);
      expect((await server.api.post(`/api/sessions/${session.id}/start/`, undefined, auth(mentor))).status).to.equal(200);
      // Attendance is being in the room: the ready and the late learner come, the absent one never does.
      for (const learner of [ready, late]) await attend(server, tokenFor(server, learner), session.id);

      expect((await server.api.post(`/api/sessions/${session.id}/complete/`, undefined, auth(ready))).status).to.equal(403);
      const completed = await eventsDuring(async () => {
        const res = await server.api.post(`/api/sessions/${session.id}/complete/`, undefined, auth(mentor));
        expect(res.status).to.equal(200);
        expect(res.body.status).to.equal('completed');
        expect(res.body.ended_at).to.be.a('string');
      });
      expect(sessionChanges(completed).map((e) => [e.change, e.session.status])).to.deep.equal([['completed', 'completed']]);
      const statuses = await Booking.query(server.db).where('session_id', session.id).orderBy('id');
      expect(statuses.map((b) => b.status)).to.deep.equal(['attended', 'attended', 'no_show']);
      // Those who came are asked to rate it; the no-show may not rate, so is not asked.
      for (const learner of [ready, late]) {
        const told = await notificationsOf(learner, 'session_completed');
        expect(told).to.have.length(1);
        expect(told[0]!.message).to.contain('rate it');
      }
      expect(await notificationsOf(absent, 'session_completed')).to.have.length(0);
      expect((await server.api.post(`/api/sessions/${session.id}/complete/`, undefined, auth(mentor))).status).to.equal(409);
      expect((await server.api.post(`/api/sessions/${session.id}/start/`, undefined, auth(mentor))).status).to.equal(409);
    });

    it('a ready learner may start the class; learners without a live booking may not (403)', async () => {
      const { mentor, ready, session, bookings } = await classroom();
      await server.api.post(`/api/sessions/${session.id}/ready/`, undefined, auth(mentor));
      await server.api.post(`/api/bookings/${bookings.ready.id}/ready/`, undefined, auth(ready));
      const stranger = await buildLearner(server.db);
      const refused = await server.api.post(`/api/sessions/${session.id}/start/`, undefined, auth(stranger));
      expect(refused.status).to.equal(403);
      const res = await server.api.post(`/api/sessions/${session.id}/start/`, undefined, auth(ready));
      expect(res.status).to.equal(200);
      expect(res.body.status).to.equal('in_progress');
      expect((await Booking.query(server.db).findById(bookings.ready.id))!.joined_at).to.be.instanceOf(Date);
      expect(await notificationsOf(mentor, 'session_started')).to.have.length(1);
      expect(await notificationsOf(ready, 'session_started')).to.have.length(0);
      // Once running, a learner who never booked it can no longer even see it.
      expect((await server.api.post(`/api/sessions/${session.id}/start/`, undefined, auth(stranger))).status).to.equal(404);
    });

    it('refuses to start after the end, and to complete a session that is not in progress (409)', async () => {
      const mentor = await buildMentor(server.db);
      const ended = await buildSession(server.db, { mentor_id: mentor.id, start_time: fromNow(-2 * HOUR), mentor_ready_at: new Date() });
      const res = await server.api.post(`/api/sessions/${ended.id}/start/`, undefined, auth(mentor));
      expect(res.status).to.equal(409);
      expect(res.body.code).to.equal('session_ended');
      expect((await server.api.post(`/api/sessions/${ended.id}/complete/`, undefined, auth(mentor))).status).to.equal(409);
      expect((await reload(ended.id)).status).to.equal('scheduled');
    });
  });
});
