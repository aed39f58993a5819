import { expect } from 'chai';
import { Booking, ChatMessage, Session } from '../../src/models/index.ts';
import { buildBooking, buildLearner, buildSession, tokenFor } from '../helpers/factories.ts';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { TestSocket, type Msg } from './client.ts';
import { buildClassroom, type Classroom } from './support.ts';

describe('realtime: rooms', () => {
  let server: TestServer;
  before(async () => {
    server = await getTestServer();
  });
  after(() => server.close());

  const open = (user: Parameters<typeof tokenFor>[1]) => TestSocket.open(server.url, tokenFor(server, user));
  const room = (c: Classroom) => `room_${c.session.id}`;

  /** Opens a socket for `user` and joins the room; returns the socket and its room_state. */
  async function join(c: Classroom, user: Parameters<typeof tokenFor>[1]): Promise<{ socket: TestSocket; state: Msg }> {
    const socket = await open(user);
    expect(await socket.subscribe(room(c))).to.include({ type: 'subscribed', channel: room(c) });
    return { socket, state: await socket.next('room_state') };
  }

  describe('presence and signalling', () => {
    it('lets two members exchange offer, answer and candidates addressed to each other, the newcomer offering', async () => {
      const c = await buildClassroom(server, 1);
      const mentor = await join(c, c.mentor);
      expect(mentor.state).to.deep.include({ peer: mentor.socket.peer, members: [] });
      const learner = await join(c, c.learners[0]!);
      // The newcomer makes the offer; the one already there is told to expect it.
      expect(learner.state.members).to.deep.equal([{ peer: mentor.socket.peer, user: c.mentor.id, role: 'mentor', initiator: true }]);
      const arrival = await mentor.socket.next('presence');
      expect(arrival).to.deep.equal({
        type: 'presence',
        channel: room(c),
        event: 'join',
        member: { peer: learner.socket.peer, user: c.learners[0]!.id, role: 'learner' },
        initiator: false,
      });

      const offer = { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' };
      learner.socket.send({ type: 'signal', channel: room(c), to: mentor.socket.peer, data: offer });
      expect(await mentor.socket.next('signal')).to.deep.equal({
        type: 'signal',
        channel: room(c),
        from: { peer: learner.socket.peer, user: c.learners[0]!.id },
        data: offer,
      });
      const answer = { type: 'answer', sdp: 'v=0\r\n' };
      mentor.socket.send({ type: 'signal', channel: room(c), to: learner.socket.peer, data: answer });
      expect(await learner.socket.next('signal')).to.deep.include({ from: { peer: mentor.socket.peer, user: c.mentor.id }, data: answer });
      for (let i = 0; i < 5; i++) {
        const candidate = { candidate: { candidate: `candidate:${i} 1 udp 2122260223 127.0.0.1 5000${i} typ host`, sdpMid: '0', sdpMLineIndex: 0 } };
        learner.socket.send({ type: 'signal', channel: room(c), to: mentor.socket.peer, data: candidate });
        mentor.socket.send({ type: 'signal', channel: room(c), to: learner.socket.peer, data: candidate });
        expect((await mentor.socket.next('signal')).data).to.deep.equal(candidate);
        expect((await learner.socket.next('signal')).data).to.deep.equal(candidate);
      }
      await Promise.all([mentor.socket.close(), learner.socket.close()]);
    });

    it('relays a signal only to the addressed peer, and never lets a client pick its sender', async () => {
      const c = await buildClassroom(server, 2);
      const mentor = await join(c, c.mentor);
      const alice = await join(c, c.learners[0]!);
      const bob = await join(c, c.learners[1]!);
      expect(bob.state.members.map((m: Msg) => m.peer)).to.have.members([mentor.socket.peer, alice.socket.peer]);

      alice.socket.send({ type: 'signal', channel: room(c), to: mentor.socket.peer, data: { sdp: 'for the mentor' } });
      expect((await mentor.socket.next('signal')).from.peer).to.equal(alice.socket.peer);
      await bob.socket.sync();
      expect(bob.socket.unclaimed('signal')).to.deep.equal([]);

      const forged = await alice.socket.request({ type: 'signal', channel: room(c), to: mentor.socket.peer, from: bob.socket.peer, data: {} });
      expect(forged).to.include({ type: 'error', code: 'invalid_message' });
      expect(forged.errors).to.deep.equal([{ path: 'from', message: 'is not an allowed field' }]);
      const nobody = await alice.socket.request({ type: 'signal', channel: room(c), to: 'no-such-peer', data: {} });
      expect(nobody).to.include({ type: 'error', code: 'unknown_peer' });
      const self = await alice.socket.request({ type: 'signal', channel: room(c), to: alice.socket.peer, data: {} });
      expect(self).to.include({ type: 'error', code: 'unknown_peer' });
      await mentor.socket.sync();
      expect(mentor.socket.unclaimed('signal')).to.deep.equal([]);
      await Promise.all([mentor, alice, bob].map(({ socket }) => socket.close()));
    });

    it('keeps out users without a live booking, learners of other sessions, and closed sessions', async () => {
      const c = await buildClassroom(server, 1);
      const member = await join(c, c.mentor);
      const outsider = await open(await buildLearner(server.db));
      // An open session is visible to any learner, but its room is not.
      expect(await outsider.subscribe(`session_${c.session.id}`)).to.include({ type: 'subscribed' });
      expect(await outsider.subscribe(room(c))).to.include({ type: 'error', code: 'forbidden', channel: room(c) });

      const elsewhere = await buildClassroom(server, 1);
      const otherLearner = await open(elsewhere.learners[0]!);
      expect(await otherLearner.subscribe(room(c))).to.include({ type: 'error', code: 'forbidden' });
      const sneaked = await otherLearner.request({ type: 'signal', channel: room(c), to: member.socket.peer, data: {} });
      expect(sneaked).to.include({ type: 'error', code: 'not_subscribed' });
      const chatted = await otherLearner.request({ type: 'chat', channel: room(c), body: 'hi' });
      expect(chatted).to.include({ type: 'error', code: 'not_subscribed' });

      const cancelledLearner = await buildLearner(server.db);
      await buildBooking(server.db, { session: c.session, learner_id: cancelledLearner.id, status: 'cancelled', cancelled_at: new Date() });
      const cancelled = await open(cancelledLearner);
      expect(await cancelled.subscribe(room(c))).to.include({ type: 'error', code: 'forbidden' });

      const draft = await buildSession(server.db, { mentor_id: c.mentor.id, status: 'draft' });
      const done = await buildSession(server.db, { mentor_id: c.mentor.id, status: 'completed' });
      expect(await member.socket.subscribe(`room_${draft.id}`)).to.include({ type: 'error', code: 'room_not_open' });
      expect(await member.socket.subscribe(`room_${done.id}`)).to.include({ type: 'error', code: 'room_not_open' });
      await member.socket.sync();
      expect(member.socket.unclaimed('presence')).to.deep.equal([]);
      await Promise.all([member.socket, outsider, otherLearner, cancelled].map((socket) => socket.close()));
    });

    it('announces leaves, treats a rejoin as a newcomer and two tabs as two peers', async () => {
      const c = await buildClassroom(server, 1);
      const mentor = await join(c, c.mentor);
      const first = await join(c, c.learners[0]!);
      await mentor.socket.next((m) => m.type === 'presence' && m.event === 'join');
      await first.socket.close();
      const left = await mentor.socket.next('presence');
      expect(left).to.deep.equal({
        type: 'presence',
        channel: room(c),
        event: 'leave',
        member: { peer: first.socket.peer, user: c.learners[0]!.id, role: 'learner' },
      });

      const again = await join(c, c.learners[0]!);
      expect(again.socket.peer).not.to.equal(first.socket.peer);
      expect(again.state.members).to.deep.equal([{ peer: mentor.socket.peer, user: c.mentor.id, role: 'mentor', initiator: true }]);
      expect(await mentor.socket.next('presence')).to.deep.include({ event: 'join', initiator: false, member: { peer: again.socket.peer, user: c.learners[0]!.id, role: 'learner' } });

      const secondTab = await join(c, c.learners[0]!);
      expect(secondTab.state.members.map((m: Msg) => m.peer)).to.have.members([mentor.socket.peer, again.socket.peer]);
      expect((await again.socket.next('presence')).member.peer).to.equal(secondTab.socket.peer);

      const unsubscribed = await again.socket.request({ type: 'unsubscribe', channel: room(c) });
      expect(unsubscribed).to.include({ type: 'unsubscribed', reason: 'requested' });
      for (const socket of [mentor.socket, secondTab.socket]) {
        expect(await socket.next((m) => m.type === 'presence' && m.event === 'leave')).to.deep.include({ member: { peer: again.socket.peer, user: c.learners[0]!.id, role: 'learner' } });
      }
      await Promise.all([mentor.socket, again.socket, secondTab.socket].map((socket) => socket.close()));
    });

    it('sends a learner out when their booking is cancelled, and everyone when the session ends', async () => {
      const c = await buildClassroom(server, 2);
      const mentor = await join(c, c.mentor);
      const alice = await join(c, c.learners[0]!);
      const bob = await join(c, c.learners[1]!);
      const booking = await Booking.query(server.db).findOne({ session_id: c.session.id, learner_id: c.learners[0]!.id });
      const res = await server.api.post(`/api/bookings/${booking!.id}/cancel/`, undefined, { token: tokenFor(server, c.learners[0]!) });
      expect(res.status).to.equal(200);
      expect(await alice.socket.next('unsubscribed')).to.deep.equal({ type: 'unsubscribed', channel: room(c), reason: 'booking_cancelled' });
      for (const socket of [mentor.socket, bob.socket]) {
        expect(await socket.next((m) => m.type === 'presence' && m.event === 'leave')).to.have.nested.property('member.peer', alice.socket.peer);
      }

      const ended = await Session.query(server.db).patchAndFetchById(c.session.id, { status: 'completed', ended_at: new Date() });
      server.bundle.deps.events.publish({ type: 'session.changed', session: ended, change: 'completed' });
      for (const socket of [mentor.socket, bob.socket]) {
        expect(await socket.next('unsubscribed')).to.include({ channel: room(c), reason: 'session_ended' });
      }
      expect(await mentor.socket.subscribe(room(c))).to.include({ type: 'error', code: 'room_not_open' });
      await Promise.all([mentor, alice, bob].map(({ socket }) => socket.close()));
    });
  });

  describe('chat', () => {
    it('validates, stores and broadcasts messages with server time and sender; a late joiner gets the history', async () => {
      const c = await buildClassroom(server, 2);
      const mentor = await join(c, c.mentor);
      const alice = await join(c, c.learners[0]!);
      expect(mentor.state.history).to.deep.equal([]);

      for (const [body, message] of [
        ['   \n\t ', 'must not be only whitespace'],
        ['x'.repeat(2001), 'must NOT have more than 2000 characters'],
        ['nul \u0000 inside', 'must be well-formed text without NUL characters'],
        ['lone \uD800 surrogate', 'must be well-formed text without NUL characters'],
      ] as const) {
        const refused = await alice.socket.request({ type: 'chat', channel: room(c), body });
        expect(refused).to.include({ type: 'error', code: 'invalid_message' });
        expect(refused.errors).to.deep.equal([{ path: 'body', message }]);
      }

      const before = Date.now();
      const ack = await alice.socket.request({ type: 'chat', channel: room(c), body: 'Hello <b>everyone</b> 👋' });
      expect(ack.type).to.equal('ack');
      const seen = await Promise.all([mentor.socket.next('chat'), alice.socket.next('chat')]);
      expect(seen[0]).to.deep.equal(seen[1]);
      const { message } = seen[0]!;
      expect(message).to.deep.include({
        session: c.session.id,
        sender: c.learners[0]!.id,
        body: 'Hello <b>everyone</b> 👋',
        sender_summary: { id: c.learners[0]!.id, username: c.learners[0]!.username, first_name: 'Test', last_name: c.learners[0]!.username, avatar: null },
      });
      expect(Date.parse(message.created_at)).to.be.within(before - 1000, Date.now() + 1000);
      mentor.socket.send({ type: 'chat', channel: room(c), body: 'Welcome!' });
      await alice.socket.next((m) => m.type === 'chat' && m.message.body === 'Welcome!');

      const stored = await ChatMessage.query(server.db).where('session_id', c.session.id).orderBy('id');
      expect(stored.map((m) => [m.sender_id, m.body])).to.deep.equal([
        [c.learners[0]!.id, 'Hello <b>everyone</b> 👋'],
        [c.mentor.id, 'Welcome!'],
      ]);

      const late = await join(c, c.learners[1]!);
      expect(late.state.history.map((m: Msg) => m.body)).to.deep.equal(['Hello <b>everyone</b> 👋', 'Welcome!']);
      expect(late.state.history[0]).to.deep.equal(message);
      const rest = await server.api.get(`/api/sessions/${c.session.id}/chat/`, { token: tokenFor(server, c.learners[1]!) });
      expect(rest.body.results).to.deep.equal([...late.state.history].reverse());
      await Promise.all([mentor, alice, late].map(({ socket }) => socket.close()));
    });
  });
});
