import { expect } from 'chai';
import type { ApiResponse } from '../helpers/client.ts';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { buildAdmin, buildLearner, buildMentor, tokenFor } from '../helpers/factories.ts';
import { addMinutes } from '../../src/lib/time.ts';
import { Booking, MentorRequest, Notification, Session, type RequestStatus, type User } from '../../src/models/index.ts';
import type { DomainEvent } from '../../src/events.ts';

const inHours = (h: number) => addMinutes(new Date(), h * 60);
const fieldsOf = (body: { errors?: Array<{ path: string }> }) => (body.errors ?? []).map((e) => e.path);

describe('requests', () => {
  let server: TestServer;
  let mentor: User;
  let otherMentor: User;
  let learner: User;
  let otherLearner: User;
  let admin: User;
  const token = (u: User) => tokenFor(server, u);

  before(async () => {
    server = await getTestServer();
    mentor = await buildMentor(server.db, { first_name: 'Mia', last_name: 'Mentor', currency: 'EUR' });
    otherMentor = await buildMentor(server.db);
    learner = await buildLearner(server.db, { first_name: 'Jane', last_name: 'Doe' });
    otherLearner = await buildLearner(server.db);
    admin = await buildAdmin(server.db);
  });
  after(() => server.close());

  async function buildRequest(attrs: Partial<MentorRequest> = {}): Promise<MentorRequest> {
    return MentorRequest.query(server.db).insertAndFetch({
      learner_id: learner.id,
      mentor_id: mentor.id,
      topic: 'TypeScript generics',
      message: 'I keep getting lost in conditional types.',
      preferred_times: [inHours(48).toISOString()],
      status: 'pending',
      ...attrs,
    });
  }

  const notificationsOf = (user: User) => Notification.query(server.db).where('user_id', user.id).orderBy('id');
  const count = async (table: string) => Number((await server.db(table).count({ n: '*' }).first())!.n);

  /** Records the domain events published while `fn` runs (they are published before the response). */
  async function eventsDuring(fn: () => Promise<unknown>): Promise<DomainEvent[]> {
    const seen: DomainEvent[] = [];
    const unsubscribe = server.bundle.deps.events.subscribe((e) => {
      seen.push(e);
    });
    try {
      await fn();
    } finally {
      unsubscribe();
    }
    return seen;
  }

  describe('POST /api/requests/', () => {
    const body = (over: Record<string, unknown> = {}) => ({
      mentor: mentor.id,
      topic: 'System design',
      message: 'Could we go through a design review?',
      preferred_times: [inHours(24).toISOString(), inHours(26).toISOString()],
      ...over,
    });

    it('creates a pending request, stores the times in UTC and notifies the mentor', async () => {
      const local = '2099-03-01T10:30:00+02:00';
      const res = await server.api.post('/api/requests/', body({ preferred_times: [local] }), { token: token(learner) });
      expect(res.status).to.equal(201);
      expect(res.body).to.include({ learner: learner.id, mentor: mentor.id, topic: 'System design', status: 'pending', session: null });
      expect(res.body.preferred_times).to.deep.equal(['2099-03-01T08:30:00.000Z']);
      expect(res.body.mentor_summary).to.include({ id: mentor.id, username: mentor.username });
      expect(res.body.learner_summary).to.include({ id: learner.id, first_name: 'Jane' });

      const [note] = (await notificationsOf(mentor)).filter((n) => n.data.request === res.body.id);
      expect(note).to.include({ type: 'request_created', message: 'New request from Jane Doe: System design', link: '/dashboard#requests' });
    });

    it('defaults the message to an empty string', async () => {
      const { message: _omit, ...rest } = body();
      const res = await server.api.post('/api/requests/', rest, { token: token(learner) });
      expect(res.status).to.equal(201);
      expect(res.body.message).to.equal('');
    });

    it('refuses a mentor id that is not an active mentor, naming "mentor"', async () => {
      const inactive = await buildMentor(server.db, { is_active: false });
      for (const id of [otherLearner.id, inactive.id, 999_999]) {
        const before = await count('requests');
        const res = await server.api.post('/api/requests/', body({ mentor: id }), { token: token(learner) });
        expect(res.status).to.equal(400);
        expect(fieldsOf(res.body)).to.deep.equal(['mentor']);
        expect(await count('requests')).to.equal(before);
      }
    });

    const refused: Array<[string, () => Record<string, unknown>, string[]]> = [
      ['a past preferred time', () => body({ preferred_times: [inHours(5).toISOString(), inHours(-1).toISOString()] }), ['preferred_times.1']],
      [
        'the same instant written twice',
        () => body({ preferred_times: ['2099-01-01T10:00:00Z', '2099-01-01T11:00:00+01:00'] }),
        ['preferred_times.1'],
      ],
      ['no preferred time', () => body({ preferred_times: [] }), ['preferred_times']],
      ['six preferred times', () => body({ preferred_times: [1, 2, 3, 4, 5, 6].map((h) => inHours(h).toISOString()) }), ['preferred_times']],
      ['a time that is not a date-time', () => body({ preferred_times: ['tomorrow'] }), ['preferred_times.0']],
      ['a blank topic', () => body({ topic: '   ' }), ['topic']],
      ['an unknown field', () => body({ status: 'accepted' }), ['status']],
    ];
    for (const [what, make, fields] of refused) {
      it(`refuses ${what} (400 naming ${fields.join(', ')}) and writes nothing`, async () => {
        const before = await count('requests');
        const res = await server.api.post('/api/requests/', make(), { token: token(learner) });
        expect(res.status).to.equal(400);
        expect(fieldsOf(res.body)).to.include.members(fields);
        expect(await count('requests')).to.equal(before);
      });
    }

    it('reports a bad mentor and a bad time in one answer', async () => {
      const res = await server.api.post('/api/requests/', body({ mentor: otherLearner.id, preferred_times: [inHours(-3).toISOString()] }), {
        token: token(learner),
      });
      expect(res.status).to.equal(400);
      expect(fieldsOf(res.body)).to.deep.equal(['mentor', 'preferred_times.0']);
    });

    it('is for learners only (403 for a mentor) and needs a token (401)', async () => {
      expect((await server.api.post('/api/requests/', body({ mentor: otherMentor.id }), { token: token(mentor) })).status).to.equal(403);
      expect((await server.api.post('/api/requests/', body())).status).to.equal(401);
    });
  });

  describe('GET /api/requests/', () => {
    let mine: Record<RequestStatus, MentorRequest>;
    let elsewhere: MentorRequest;

    before(async () => {
      await MentorRequest.query(server.db).delete();
      mine = {
        pending: await buildRequest(),
        declined: await buildRequest({ status: 'declined', decline_reason: 'Busy', responded_at: new Date() }),
        cancelled: await buildRequest({ status: 'cancelled' }),
        accepted: await buildRequest({ status: 'pending' }),
      };
      const session = await Session.query(server.db).insertAndFetch({
        mentor_id: mentor.id,
        title: 't',
        start_time: inHours(3),
        duration: 60,
        end_time: inHours(4),
        status: 'scheduled',
        currency: 'EUR',
      });
      mine.accepted = await mine.accepted.$query(server.db).patchAndFetch({ status: 'accepted', session_id: session.id });
      elsewhere = await buildRequest({ learner_id: otherLearner.id, mentor_id: otherMentor.id });
    });

    const ids = (res: { body: { results: Array<{ id: number }> } }) => res.body.results.map((r) => r.id);

    it("gives a mentor their pending requests by default, newest first, and nobody else's", async () => {
      const res = await server.api.get('/api/requests/', { token: token(mentor) });
      expect(res.status).to.equal(200);
      expect(ids(res)).to.deep.equal([mine.pending.id]);
    });

    it('filters a mentor\'s list by status, and status=all lists every status', async () => {
      const declined = await server.api.get('/api/requests/?status=declined', { token: token(mentor) });
      expect(ids(declined)).to.deep.equal([mine.declined.id]);
      expect(declined.body.results[0].decline_reason).to.equal('Busy');
      const all = await server.api.get('/api/requests/?status=all', { token: token(mentor) });
      expect(ids(all)).to.have.members(Object.values(mine).map((r) => r.id));
      expect(ids(all)).not.to.include(elsewhere.id);
    });

    it('gives a learner their own requests in every status', async () => {
      const res = await server.api.get('/api/requests/', { token: token(learner) });
      expect(ids(res)).to.have.members(Object.values(mine).map((r) => r.id));
      const other = await server.api.get('/api/requests/', { token: token(otherLearner) });
      expect(ids(other)).to.deep.equal([elsewhere.id]);
      const accepted = await server.api.get('/api/requests/?status=accepted', { token: token(learner) });
      expect(accepted.body.results.map((r: { session: number }) => r.session)).to.deep.equal([mine.accepted.session_id]);
    });

    it('paginates', async () => {
      const first = await server.api.get('/api/requests/?status=all&page_size=3', { token: token(learner) });
      expect(first.body).to.include({ count: 4, previous: null });
      expect(first.body.results).to.have.length(3);
      const second = await server.api.get(first.body.next, { token: token(learner) });
      expect(second.body.results).to.have.length(1);
      expect(second.body.next).to.equal(null);
    });

    it('refuses an unknown status (400) and an anonymous caller (401)', async () => {
      const bad = await server.api.get('/api/requests/?status=open', { token: token(mentor) });
      expect(bad.status).to.equal(400);
      expect(fieldsOf(bad.body)).to.deep.equal(['status']);
      expect((await server.api.get('/api/requests/')).status).to.equal(401);
    });
  });

  describe('GET /api/requests/{id}/', () => {
    it('shows the request to its learner, its mentor and admins', async () => {
      const request = await buildRequest();
      for (const who of [learner, mentor, admin]) {
        const res = await server.api.get(`/api/requests/${request.id}/`, { token: token(who) });
        expect(res.status).to.equal(200);
        expect(res.body.id).to.equal(request.id);
      }
    });

    it('answers 404 to another mentor, an unrelated learner and for a missing id; 401 anonymously', async () => {
      const request = await buildRequest();
      for (const who of [otherMentor, otherLearner]) {
        const res = await server.api.get(`/api/requests/${request.id}/`, { token: token(who) });
        expect(res.status).to.equal(404);
        expect(res.text).not.to.include(request.topic);
      }
      expect((await server.api.get('/api/requests/999999/', { token: token(mentor) })).status).to.equal(404);
      expect((await server.api.get(`/api/requests/${request.id}/`)).status).to.equal(401);
    });
  });

  describe('POST /api/requests/{id}/accept/', () => {
    it('creates the session and the booking and accepts the request, in one go', async () => {
      const request = await buildRequest();
      const start = inHours(30);
      let res!: ApiResponse;
      const events = await eventsDuring(async () => {
        res = await server.api.post(
          `/api/requests/${request.id}/accept/`,
          { start_time: start.toISOString(), duration: 45, title: 'Generics, deep dive', description: 'Bring code', price: '25.5' },
          { token: token(mentor) },
        );
      });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ status: 'accepted' });
      expect(res.body.responded_at).to.be.a('string');

      const session = (await Session.query(server.db).findById(res.body.session))!;
      expect(session).to.include({
        mentor_id: mentor.id,
        title: 'Generics, deep dive',
        description: 'Bring code',
        duration: 45,
        status: 'scheduled',
        capacity: 1,
        booked_count: 1,
        price_cents: 2550,
        currency: 'EUR',
      });
      expect(session.start_time.toISOString()).to.equal(start.toISOString());
      expect(session.end_time.toISOString()).to.equal(addMinutes(start, 45).toISOString());
      const bookings = await Booking.query(server.db).where('session_id', session.id);
      expect(bookings).to.have.length(1);
      expect(bookings[0]).to.include({ learner_id: learner.id, status: 'booked', payment_amount_cents: 2550, currency: 'EUR' });

      const note = (await notificationsOf(learner)).find((n) => n.data.request === request.id)!;
      expect(note).to.include({ type: 'request_accepted', link: `/dashboard#sessions/${session.id}` });
      expect(note.data).to.include({ session: session.id, booking: bookings[0]!.id });

      const changed = events.find((e) => e.type === 'session.changed');
      expect(changed).to.deep.include({ change: 'created' });
      expect((changed as { session: Session }).session.id).to.equal(session.id);
      const booked = events.find((e) => e.type === 'booking.created') as { booking: Booking; session: Session };
      expect(booked.booking.id).to.equal(bookings[0]!.id);
      expect(booked.session.id).to.equal(session.id);
    });

    it('defaults the title to the topic, the description to the message, 60 minutes and free', async () => {
      const request = await buildRequest();
      const res = await server.api.post(`/api/requests/${request.id}/accept/`, { start_time: inHours(10).toISOString() }, { token: token(mentor) });
      expect(res.status).to.equal(200);
      const session = (await Session.query(server.db).findById(res.body.session))!;
      expect(session).to.include({ title: request.topic, description: request.message, duration: 60, price_cents: null });
      const booking = (await Booking.query(server.db).findOne({ session_id: session.id }))!;
      expect(booking.payment_amount_cents).to.equal(0);
    });

    const refused: Array<[string, () => Record<string, unknown>, string]> = [
      ['a start time in the past', () => ({ start_time: inHours(-2).toISOString() }), 'start_time'],
      ['no start time', () => ({ duration: 30 }), 'start_time'],
      ['a too short duration', () => ({ start_time: inHours(5).toISOString(), duration: 1 }), 'duration'],
      ['a malformed price', () => ({ start_time: inHours(5).toISOString(), price: '12.345' }), 'price'],
      ['an unknown field', () => ({ start_time: inHours(5).toISOString(), capacity: 3 }), 'capacity'],
    ];
    for (const [what, make, field] of refused) {
      it(`refuses ${what} (400 naming ${field}) and writes nothing`, async () => {
        const request = await buildRequest();
        const [sessions, bookings] = [await count('sessions'), await count('bookings')];
        const res = await server.api.post(`/api/requests/${request.id}/accept/`, make(), { token: token(mentor) });
        expect(res.status).to.equal(400);
        expect(fieldsOf(res.body)).to.include(field);
        expect([await count('sessions'), await count('bookings')]).to.deep.equal([sessions, bookings]);
        expect((await request.$query(server.db)).status).to.equal('pending');
      });
    }

    it('answers 409 for a request that is no longer pending (accepting twice, after a decline or a withdrawal)', async () => {
      const request = await buildRequest();
      const slot = { start_time: inHours(12).toISOString() };
      expect((await server.api.post(`/api/requests/${request.id}/accept/`, slot, { token: token(mentor) })).status).to.equal(200);
      const sessions = await count('sessions');
      const again = await server.api.post(`/api/requests/${request.id}/accept/`, slot, { token: token(mentor) });
      expect(again.status).to.equal(409);
      expect(again.body.code).to.equal('request_not_pending');
      expect(await count('sessions')).to.equal(sessions);
      for (const status of ['declined', 'cancelled'] as const) {
        const answered = await buildRequest({ status });
        expect((await server.api.post(`/api/requests/${answered.id}/accept/`, slot, { token: token(mentor) })).status).to.equal(409);
      }
    });

    it('is for its mentor only: 403 for its learner, admins and other learners; 404 for another mentor; 401 anonymously', async () => {
      const request = await buildRequest();
      const slot = { start_time: inHours(12).toISOString() };
      const url = `/api/requests/${request.id}/accept/`;
      for (const who of [learner, admin, otherLearner]) {
        expect((await server.api.post(url, slot, { token: token(who) })).status).to.equal(403);
      }
      expect((await server.api.post(url, slot, { token: token(otherMentor) })).status).to.equal(404);
      expect((await server.api.post(url, slot)).status).to.equal(401);
      expect((await request.$query(server.db)).status).to.equal('pending');
    });

    it('lets exactly one of a concurrent accept and decline win', async () => {
      for (let round = 0; round < 5; round++) {
        const request = await buildRequest();
        const sessions = await count('sessions');
        const [accept, decline] = await Promise.all([
          server.api.post(`/api/requests/${request.id}/accept/`, { start_time: inHours(8).toISOString() }, { token: token(mentor) }),
          server.api.post(`/api/requests/${request.id}/decline/`, { reason: 'Too busy' }, { token: token(mentor) }),
        ]);
        expect([accept.status, decline.status].sort()).to.deep.equal([200, 409]);
        const final = (await request.$query(server.db))!;
        if (accept.status === 200) {
          expect(final).to.include({ status: 'accepted', decline_reason: null });
          expect(await count('sessions')).to.equal(sessions + 1);
        } else {
          expect(final).to.include({ status: 'declined', session_id: null });
          expect(await count('sessions')).to.equal(sessions);
        }
      }
    });
  });

  describe('POST /api/requests/{id}/decline/', () => {
    it('declines with a reason and tells the learner why', async () => {
      const request = await buildRequest();
      const res = await server.api.post(`/api/requests/${request.id}/decline/`, { reason: 'Fully booked this month' }, { token: token(mentor) });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ status: 'declined', decline_reason: 'Fully booked this month', session: null });
      expect(res.body.responded_at).to.be.a('string');
      const note = (await notificationsOf(learner)).find((n) => n.data.request === request.id)!;
      expect(note.type).to.equal('request_declined');
      expect(note.message).to.include('Fully booked this month');
    });

    it('declines without a body', async () => {
      const request = await buildRequest();
      const res = await server.api.post(`/api/requests/${request.id}/decline/`, undefined, { token: token(mentor) });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ status: 'declined', decline_reason: null });
    });

    it('refuses a reason over 500 characters (400) and a second answer (409)', async () => {
      const request = await buildRequest();
      const url = `/api/requests/${request.id}/decline/`;
      const long = await server.api.post(url, { reason: 'x'.repeat(501) }, { token: token(mentor) });
      expect(long.status).to.equal(400);
      expect(fieldsOf(long.body)).to.deep.equal(['reason']);
      expect((await server.api.post(url, {}, { token: token(mentor) })).status).to.equal(200);
      expect((await server.api.post(url, {}, { token: token(mentor) })).status).to.equal(409);
    });

    it('is for its mentor only: 403 for its learner and admins, 404 for another mentor, 401 anonymously', async () => {
      const request = await buildRequest();
      const url = `/api/requests/${request.id}/decline/`;
      for (const who of [learner, admin, otherLearner]) expect((await server.api.post(url, {}, { token: token(who) })).status).to.equal(403);
      expect((await server.api.post(url, {}, { token: token(otherMentor) })).status).to.equal(404);
      expect((await server.api.post(url, {})).status).to.equal(401);
      expect((await request.$query(server.db)).status).to.equal('pending');
    });
  });

  describe('POST /api/requests/{id}/cancel/', () => {
    it('withdraws a pending request and notifies the mentor', async () => {
      const request = await buildRequest();
      const res = await server.api.post(`/api/requests/${request.id}/cancel/`, undefined, { token: token(learner) });
      expect(res.status).to.equal(200);
      expect(res.body.status).to.equal('cancelled');
      const note = (await notificationsOf(mentor)).find((n) => n.data.request === request.id && n.type === 'request_cancelled');
      expect(note?.link).to.equal('/dashboard#requests');
    });

    it('answers 409 once the request was answered', async () => {
      const request = await buildRequest({ status: 'declined' });
      const res = await server.api.post(`/api/requests/${request.id}/cancel/`, undefined, { token: token(learner) });
      expect(res.status).to.equal(409);
    });

    it('is for its learner only: 403 for mentors, 404 for another learner, 401 anonymously', async () => {
      const request = await buildRequest();
      const url = `/api/requests/${request.id}/cancel/`;
      for (const who of [mentor, otherMentor, admin]) expect((await server.api.post(url, undefined, { token: token(who) })).status).to.equal(403);
      expect((await server.api.post(url, undefined, { token: token(otherLearner) })).status).to.equal(404);
      expect((await server.api.post(url)).status).to.equal(401);
      expect((await request.$query(server.db)).status).to.equal('pending');
    });
  });
});
