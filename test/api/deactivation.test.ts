/**
 * A deactivated mentor's sessions that have not started are cancelled in the deactivating
 * transaction (learners notified, like a mentor's own cancel), and nothing of theirs is bookable.
 */
import { expect } from 'chai';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { eventsDuring } from '../helpers/events.ts';
import { buildAdmin, buildBooking, buildLearner, buildMentor, buildSession, tokenFor } from '../helpers/factories.ts';
import { addMinutes } from '../../src/lib/time.ts';
import { mentorBalance } from '../../src/views/earnings.ts';
import { Booking, Notification, Session, User } from '../../src/models/index.ts';

const DAY = 24 * 60;
const fromNow = (minutes: number) => addMinutes(new Date(), minutes);

describe('deactivating a mentor', () => {
  let server: TestServer;
  let admin: User;
  before(async () => {
    server = await getTestServer();
    admin = await buildAdmin(server.db);
  });
  after(() => server.close());

  const auth = (user: User) => ({ token: tokenFor(server, user) });
  const reload = async (id: number) => (await Session.query(server.db).findById(id))!;

  it('cancels their draft and scheduled sessions, tells booked learners, refuses new bookings and keeps earned money', async () => {
    const mentor = await buildMentor(server.db, { first_name: 'Mia', last_name: 'Mentor' });
    const [ann, bob, cat] = [await buildLearner(server.db), await buildLearner(server.db), await buildLearner(server.db)];
    const open = await buildSession(server.db, { mentor_id: mentor.id, start_time: fromNow(3 * DAY), price_cents: 4900, capacity: 3 });
    for (const learner of [ann, bob]) expect((await server.api.post(`/api/sessions/${open.id}/book/`, undefined, auth(learner!))).status).to.equal(201);
    const draft = await buildSession(server.db, { mentor_id: mentor.id, status: 'draft' });
    const started = await buildSession(server.db, { mentor_id: mentor.id, start_time: fromNow(-10), price_cents: 4900 });
    const done = await buildSession(server.db, { mentor_id: mentor.id, status: 'completed', start_time: fromNow(-DAY), price_cents: 4900 });
    await buildBooking(server.db, { session: done, learner_id: ann!.id, status: 'attended' });
    const earnedBefore = await mentorBalance(server.db, mentor.id, 'USD');

    const { result: res, events } = await eventsDuring(server, () =>
      server.api.patch(`/api/admin/users/${mentor.id}/`, { is_active: false }, auth(admin)),
    );
    expect(res.status).to.equal(200);
    expect(res.body.is_active).to.equal(false);

    for (const session of [open, draft, started]) {
      const after = await reload(session.id);
      expect(after.status, `session ${session.id}`).to.equal('cancelled');
      expect(after.cancel_reason).to.equal("The mentor's account was deactivated.");
    }
    expect((await reload(open.id)).booked_count).to.equal(0);
    const bookings = await Booking.query(server.db).where('session_id', open.id);
    expect(bookings.map((b) => b.status)).to.deep.equal(['cancelled', 'cancelled']);
    for (const learner of [ann, bob]) {
      const notes = await Notification.query(server.db).where({ user_id: learner!.id, type: 'session_cancelled' });
      expect(notes).to.have.length(1);
      expect(notes[0]!.message).to.include(open.title).and.include('deactivated');
    }
    expect(events.filter((e) => e.type === 'session.changed').map((e) => e.type === 'session.changed' && [e.session.id, e.change])).to.deep.equal([
      [open.id, 'cancelled'],
      [draft.id, 'cancelled'],
      [started.id, 'cancelled'],
    ]);
    expect(events.at(-1)).to.deep.equal({ type: 'user.deactivated', userId: mentor.id });

    // A learner who held a seat sees the session cancelled; anyone else no longer sees it at all.
    const rebook = await server.api.post(`/api/sessions/${open.id}/book/`, undefined, auth(ann!));
    expect([rebook.status, rebook.body.code]).to.deep.equal([409, 'session_not_open']);
    expect((await server.api.post(`/api/sessions/${open.id}/book/`, undefined, auth(cat!))).status).to.equal(404);
    expect((await reload(done.id)).status).to.equal('completed');
    const earnedAfter = await mentorBalance(server.db, mentor.id, 'USD');
    expect(earnedAfter).to.deep.equal({ ...earnedBefore, upcomingCents: 0 });
    expect(earnedAfter.earnedCents).to.equal(4900);
  });

  it("refuses booking a session whose mentor is inactive (409 mentor_inactive), even one deactivation did not cancel", async () => {
    const mentor = await buildMentor(server.db);
    const session = await buildSession(server.db, { mentor_id: mentor.id, start_time: fromNow(2 * DAY) });
    await User.query(server.db).findById(mentor.id).patch({ is_active: false });
    const learner = await buildLearner(server.db);
    const res = await server.api.post(`/api/sessions/${session.id}/book/`, undefined, auth(learner));
    expect(res.status).to.equal(409);
    expect(res.body.code).to.equal('mentor_inactive');
    expect(await Booking.query(server.db).where('session_id', session.id)).to.have.length(0);
  });

  it('leaves a learner account without sessions as before: only the account is deactivated', async () => {
    const learner = await buildLearner(server.db);
    const { result: res, events } = await eventsDuring(server, () =>
      server.api.patch(`/api/admin/users/${learner.id}/`, { is_active: false }, auth(admin)),
    );
    expect(res.status).to.equal(200);
    expect(events).to.deep.equal([{ type: 'user.deactivated', userId: learner.id }]);
  });
});
