/**
 * Moving a booked session needs notice (RESCHEDULE_NOTICE_MINUTES, 24 hours by default): a mentor
 * cannot pull next week's booked class to "now", let it complete with nobody there and cash in.
 */
import { expect } from 'chai';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { buildLearner, buildMentor, buildSession, tokenFor } from '../helpers/factories.ts';
import { addMinutes } from '../../src/lib/time.ts';
import { Booking, Notification, Session, type User } from '../../src/models/index.ts';

const HOUR = 60;
const DAY = 24 * HOUR;
const fromNow = (minutes: number) => addMinutes(new Date(), minutes);

describe('rescheduling a booked session', () => {
  let server: TestServer;
  before(async () => {
    server = await getTestServer();
  });
  after(() => server.close());

  const auth = (user: User) => ({ token: tokenFor(server, user) });
  const reload = async (id: number) => (await Session.query(server.db).findById(id))!;
  const rescheduledNotes = (user: User) => Notification.query(server.db).where({ user_id: user.id, type: 'session_rescheduled' });

  /** A scheduled session starting in `startsIn` minutes with `seats` learners booked through the API. */
  async function bookedSession(startsIn: number, seats: number) {
    const mentor = await buildMentor(server.db);
    const session = await buildSession(server.db, { mentor_id: mentor.id, start_time: fromNow(startsIn), duration: 60, price_cents: 4900, capacity: 3 });
    const learners: User[] = [];
    for (let i = 0; i < seats; i++) {
      const learner = await buildLearner(server.db);
      const res = await server.api.post(`/api/sessions/${session.id}/book/`, undefined, auth(learner));
      expect(res.status).to.equal(201);
      learners.push(learner);
    }
    return { mentor, session: await reload(session.id), learners };
  }

  it('refuses pulling next week\'s booked session to "now" (409 reschedule_notice) and changes nothing', async () => {
    const { mentor, session, learners } = await bookedSession(7 * DAY, 3);
    const res = await server.api.patch(`/api/sessions/${session.id}/`, { start_time: new Date(Date.now() + 5000).toISOString(), duration: 5 }, auth(mentor));
    expect(res.status).to.equal(409);
    expect(res.body.code).to.equal('reschedule_notice');
    expect(res.body.detail).to.include('at least 24 hours ahead').and.include('cancel');
    const after = await reload(session.id);
    expect([after.start_time.toISOString(), after.duration, after.booked_count]).to.deep.equal([session.start_time.toISOString(), 60, 3]);
    for (const learner of learners) expect(await rescheduledNotes(learner)).to.have.length(0);
  });

  it('moves it two days later with notice, tells every booked learner, who may still cancel free of charge', async () => {
    const { mentor, session, learners } = await bookedSession(7 * DAY, 3);
    const later = addMinutes(session.start_time, 2 * DAY).toISOString();
    const res = await server.api.patch(`/api/sessions/${session.id}/`, { start_time: later }, auth(mentor));
    expect(res.status).to.equal(200);
    expect(res.body.start_time).to.equal(later);
    for (const learner of learners) {
      const [note] = await rescheduledNotes(learner);
      expect(note?.message).to.include(later);
    }
    const booking = (await Booking.query(server.db).findOne({ session_id: session.id, learner_id: learners[0]!.id }))!;
    const cancelled = await server.api.post(`/api/bookings/${booking.id}/cancel/`, undefined, auth(learners[0]!));
    expect(cancelled.status).to.equal(200);
    expect(cancelled.body.status).to.equal('cancelled');
  });

  it('refuses moving a booked session that starts within the notice period, even far away', async () => {
    const { mentor, session } = await bookedSession(3 * HOUR, 1);
    const res = await server.api.patch(`/api/sessions/${session.id}/`, { start_time: fromNow(5 * DAY).toISOString() }, auth(mentor));
    expect(res.status).to.equal(409);
    expect(res.body.code).to.equal('reschedule_notice');
  });

  it('refuses moving a booked session into the notice period', async () => {
    const { mentor, session } = await bookedSession(3 * DAY, 1);
    const res = await server.api.put(
      `/api/sessions/${session.id}/`,
      { title: session.title, description: '', start_time: fromNow(20 * HOUR).toISOString(), duration: 60, price: '49.00', capacity: 3 },
      auth(mentor),
    );
    expect(res.status).to.equal(409);
    expect(res.body.code).to.equal('reschedule_notice');
  });

  it('within the notice period: refuses ending a booked session earlier, allows a longer one and other edits', async () => {
    const { mentor, session } = await bookedSession(3 * HOUR, 2);
    const shorter = await server.api.patch(`/api/sessions/${session.id}/`, { duration: 5 }, auth(mentor));
    expect(shorter.status).to.equal(409);
    expect(shorter.body.code).to.equal('reschedule_notice');
    const longer = await server.api.patch(`/api/sessions/${session.id}/`, { duration: 90 }, auth(mentor));
    expect(longer.status).to.equal(200);
    const renamed = await server.api.patch(`/api/sessions/${session.id}/`, { title: 'Renamed' }, auth(mentor));
    expect(renamed.status).to.equal(200);
  });

  it('moves a session without live bookings freely, also close to now', async () => {
    const { mentor, session, learners } = await bookedSession(7 * DAY, 1);
    const booking = (await Booking.query(server.db).findOne({ session_id: session.id, learner_id: learners[0]!.id }))!;
    expect((await server.api.post(`/api/bookings/${booking.id}/cancel/`, undefined, auth(learners[0]!))).status).to.equal(200);
    const soon = fromNow(10).toISOString();
    const res = await server.api.patch(`/api/sessions/${session.id}/`, { start_time: soon, duration: 5 }, auth(mentor));
    expect(res.status).to.equal(200);
    expect(res.body.start_time).to.equal(soon);
  });
});
