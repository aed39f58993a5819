/**
 * Rights that end while a socket holds a channel: a join racing a booking cancellation, chat after
 * the cancellation, and `session_{id}` subscribers who may no longer see the session.
 */
import { expect } from 'chai';
import { Booking, ChatMessage, Session, type User } from '../../src/models/index.ts';
import { buildLearner, tokenFor } from '../helpers/factories.ts';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { TestSocket } from './client.ts';
import { buildClassroom, peersSeen, turns, type Classroom } from './support.ts';

describe('realtime: rights that end', () => {
  let server: TestServer;
  before(async () => {
    server = await getTestServer();
  });
  after(() => server.close());

  const open = (user: User) => TestSocket.open(server.url, tokenFor(server, user));
  const room = (c: Classroom) => `room_${c.session.id}`;

  it('never leaves a learner in the room after their booking is cancelled during the join, nor stores their chat (25 tries)', async () => {
    for (let round = 0; round < 25; round++) {
      const c = await buildClassroom(server, 1);
      const learner = c.learners[0]!;
      const mentor = await open(c.mentor);
      expect(await mentor.subscribe(room(c))).to.include({ type: 'subscribed' });
      await mentor.next('room_state');
      const socket = await open(learner);
      const booking = (await Booking.query(server.db).findOne({ session_id: c.session.id, learner_id: learner.id }))!;

      const joining = socket.subscribe(room(c));
      await turns(round % 6);
      const cancelled = server.api.post(`/api/bookings/${booking.id}/cancel/`, undefined, { token: tokenFor(server, learner) });
      // Chat sent while the join and the cancellation race: stored only if it was committed first.
      const early = socket.request({ type: 'chat', channel: room(c), body: `early ${round}` });
      const [answer, res] = await Promise.all([joining, cancelled, early]);
      expect(res.status).to.equal(200);
      expect(answer.type).to.be.oneOf(['subscribed', 'error']);

      // After the cancellation answered: not a member anywhere, nothing more stored.
      const stored = await ChatMessage.query(server.db).where({ session_id: c.session.id, sender_id: learner.id }).resultSize();
      const late = await socket.request({ type: 'chat', channel: room(c), body: `late ${round}` });
      expect(late, `round ${round}`).to.include({ type: 'error' });
      expect(late.code).to.be.oneOf(['not_subscribed', 'forbidden']);
      const probe = await socket.request({ type: 'signal', channel: room(c), to: mentor.peer, data: {} });
      expect(probe, `round ${round}`).to.include({ type: 'error', code: 'not_subscribed' });
      expect(await ChatMessage.query(server.db).where({ session_id: c.session.id, sender_id: learner.id }).resultSize()).to.equal(stored);
      expect([...(await peersSeen(mentor, room(c)))], `round ${round}: the mentor still sees the learner`).to.deep.equal([]);
      if (answer.type === 'subscribed') expect(await socket.next('unsubscribed')).to.include({ channel: room(c), reason: 'booking_cancelled' });
      else expect(answer.code).to.equal('forbidden');
      await Promise.all([mentor.close(), socket.close()]);
    }
  });

  it('refuses chat from a member whose booking was cancelled before the eviction reached the socket', async () => {
    const c = await buildClassroom(server, 1);
    const learner = c.learners[0]!;
    const socket = await open(learner);
    expect(await socket.subscribe(room(c))).to.include({ type: 'subscribed' });
    await socket.next('room_state');
    // Cancelled behind the hub's back (no event): the socket is still listed as a member.
    await Booking.query(server.db).where({ session_id: c.session.id, learner_id: learner.id }).patch({ status: 'cancelled', cancelled_at: new Date() });
    const refused = await socket.request({ type: 'chat', channel: room(c), body: 'still here?' });
    expect(refused).to.include({ type: 'error', code: 'forbidden', channel: room(c) });
    expect(await ChatMessage.query(server.db).where({ session_id: c.session.id }).resultSize()).to.equal(0);
    await socket.close();
  });

  it('unsubscribes session_{id} subscribers who may no longer see the session, after its last update', async () => {
    const c = await buildClassroom(server, 1);
    const [booked, onlooker] = [c.learners[0]!, await buildLearner(server.db)];
    const sockets = { mentor: await open(c.mentor), booked: await open(booked), onlooker: await open(onlooker) };
    const channel = `session_${c.session.id}`;
    for (const socket of Object.values(sockets)) expect(await socket.subscribe(channel)).to.include({ type: 'subscribed' });

    const res = await server.api.post(`/api/sessions/${c.session.id}/cancel/`, { reason: 'ill' }, { token: tokenFor(server, c.mentor) });
    expect(res.status).to.equal(200);
    for (const socket of Object.values(sockets)) expect(await socket.next('session_update')).to.include({ change: 'cancelled' });
    // A learner without a booking could see it only while it was open.
    expect(await sockets.onlooker.next('unsubscribed')).to.deep.equal({ type: 'unsubscribed', channel, reason: 'access_revoked' });
    const again = await sockets.onlooker.subscribe(channel);
    expect(again).to.include({ type: 'error', code: 'not_found' });

    // Later pushes reach those who may still see it, and not the onlooker.
    const session = (await Session.query(server.db).findById(c.session.id))!;
    server.bundle.deps.events.publish({ type: 'session.changed', session, change: 'updated' });
    await sockets.mentor.next('session_update');
    await sockets.booked.next('session_update');
    await sockets.onlooker.sync();
    expect(sockets.onlooker.unclaimed('session_update')).to.deep.equal([]);
    expect(sockets.mentor.unclaimed('unsubscribed')).to.deep.equal([]);
    expect(sockets.booked.unclaimed('unsubscribed')).to.deep.equal([]);
    await Promise.all(Object.values(sockets).map((socket) => socket.close()));
  });
});
