/**
 * Scale-out: two server processes sharing one database and one Redis. Process A is the real entry
 * point in a child process; process B runs in the test process (so the factories and the test
 * share its database). Needs TEST_REDIS_URL (set by .ci/run).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { Booking, ChatMessage } from '../../src/models/index.ts';
import { ApiClient } from '../helpers/client.ts';
import { buildLearner, PASSWORD, tokenFor } from '../helpers/factories.ts';
import { startServerProcess, type ServerProcess } from '../helpers/processes.ts';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { TestSocket, type Msg } from './client.ts';
import { buildClassroom, peersSeen, turns, type Classroom } from './support.ts';

const redisUrl = process.env.TEST_REDIS_URL;

if (redisUrl) {
  describe('realtime across processes (Redis)', function () {
    this.timeout(60000);
    const prefix = `md-test-${crypto.randomBytes(4).toString('hex')}:`;
    const jwtSecret = crypto.randomBytes(32).toString('hex');
    const shared = { REDIS_URL: redisUrl, WS_REDIS_PREFIX: prefix, JWT_SECRET: jwtSecret, WS_HEARTBEAT_MS: '200' };
    let b: TestServer;
    let a: ServerProcess;
    let aApi: ApiClient;
    let aDataDir: string;

    before(async () => {
      b = await getTestServer(shared);
      aDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'md-proc-a-'));
      a = await startServerProcess({ ...shared, DATABASE_URL: b.config.databaseUrl, DATA_DIR: aDataDir });
      aApi = new ApiClient(a.url);
    });
    after(async () => {
      await a?.stop('SIGKILL');
      await b?.close();
      fs.rmSync(aDataDir, { recursive: true, force: true });
      const redis = new Redis(redisUrl);
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    });

    const on = (where: 'a' | 'b', user: Parameters<typeof tokenFor>[1]) => TestSocket.open(where === 'a' ? a.url : b.url, tokenFor(b, user));
    const room = (c: Classroom) => `room_${c.session.id}`;
    async function join(where: 'a' | 'b', c: Classroom, user: Parameters<typeof tokenFor>[1]) {
      const socket = await on(where, user);
      expect(await socket.subscribe(room(c))).to.include({ type: 'subscribed' });
      return { socket, state: await socket.next('room_state') };
    }

    it('a booking on process A reaches the mentor connected to process B, and session subscribers on both', async () => {
      const c = await buildClassroom(b, 1);
      const booker = await buildLearner(b.db);
      const mentor = await on('b', c.mentor);
      const watchers = [await on('a', c.learners[0]!), await on('b', c.learners[0]!)];
      for (const socket of [mentor, ...watchers]) await socket.subscribe(`session_${c.session.id}`);
      const unread = (await b.api.get('/api/notifications/', { token: tokenFor(b, c.mentor) })).body.unread_count;

      const booked = await aApi.post(`/api/sessions/${c.session.id}/book/`, undefined, { token: tokenFor(b, booker) });
      expect(booked.status).to.equal(201);
      const push = await mentor.next('notification');
      expect(push.unread_count).to.equal(unread + 1);
      expect(push.notification.data.booking).to.equal(booked.body.id);
      for (const socket of [mentor, ...watchers]) expect(await socket.next('participant_count')).to.include({ change: 'booked', participant_count: 2 });

      const cancelled = await b.api.post(`/api/bookings/${booked.body.id}/cancel/`, undefined, { token: tokenFor(b, booker) });
      expect(cancelled.status).to.equal(200);
      expect((await mentor.next('notification')).unread_count).to.equal(unread + 2);
      for (const socket of [mentor, ...watchers]) expect(await socket.next('participant_count')).to.include({ change: 'cancelled', participant_count: 1 });
      await Promise.all([mentor, ...watchers].map((socket) => socket.close()));
    });

    it('room members on different processes see each other, agree on the initiator and signal', async () => {
      const c = await buildClassroom(b, 2);
      const mentor = await join('a', c, c.mentor);
      const alice = await join('b', c, c.learners[0]!);
      expect(alice.state.members).to.deep.equal([{ peer: mentor.socket.peer, user: c.mentor.id, role: 'mentor', initiator: true }]);
      expect(await mentor.socket.next('presence')).to.deep.include({ event: 'join', initiator: false, member: { peer: alice.socket.peer, user: c.learners[0]!.id, role: 'learner' } });

      alice.socket.send({ type: 'signal', channel: room(c), to: mentor.socket.peer, data: { type: 'offer', sdp: 'o' } });
      expect(await mentor.socket.next('signal')).to.deep.include({ from: { peer: alice.socket.peer, user: c.learners[0]!.id }, data: { type: 'offer', sdp: 'o' } });
      mentor.socket.send({ type: 'signal', channel: room(c), to: alice.socket.peer, data: { type: 'answer', sdp: 'a' } });
      expect(await alice.socket.next('signal')).to.deep.include({ from: { peer: mentor.socket.peer, user: c.mentor.id }, data: { type: 'answer', sdp: 'a' } });

      const bob = await join('a', c, c.learners[1]!);
      expect(bob.state.members.map((m: Msg) => m.peer)).to.have.members([mentor.socket.peer, alice.socket.peer]);
      expect((await alice.socket.next('presence')).member.peer).to.equal(bob.socket.peer);
      await alice.socket.request({ type: 'chat', channel: room(c), body: 'across processes' });
      for (const socket of [mentor.socket, bob.socket]) expect((await socket.next('chat')).message.body).to.equal('across processes');

      await alice.socket.close();
      for (const socket of [mentor.socket, bob.socket]) {
        expect(await socket.next((m) => m.type === 'presence' && m.event === 'leave')).to.have.nested.property('member.peer', alice.socket.peer);
      }
      await Promise.all([mentor.socket.close(), bob.socket.close()]);
    });

    it('members joining at the same moment on both processes never both offer', async () => {
      for (let round = 0; round < 5; round++) {
        const c = await buildClassroom(b, 1);
        const [first, second] = await Promise.all([join('a', c, c.mentor), join('b', c, c.learners[0]!)]);
        // Whoever's room_state lists the other initiates; the other hears a join telling it not to.
        const [offerer, answerer] = first.state.members.length ? [first, second] : [second, first];
        expect(offerer.state.members).to.have.length(1);
        expect(offerer.state.members[0]).to.include({ peer: answerer.socket.peer, initiator: true });
        expect(answerer.state.members).to.deep.equal([]);
        expect(await answerer.socket.next('presence')).to.deep.include({ event: 'join', initiator: false });
        await answerer.socket.sync();
        await offerer.socket.sync();
        expect(offerer.socket.unclaimed('presence')).to.deep.equal([]);
        await Promise.all([first.socket.close(), second.socket.close()]);
      }
    });

    it('evicts a cancelled learner from the room on every process', async () => {
      const c = await buildClassroom(b, 1);
      const mentor = await join('b', c, c.mentor);
      const learner = await join('a', c, c.learners[0]!);
      const booking = await Booking.query(b.db).findOne({ session_id: c.session.id, learner_id: c.learners[0]!.id });
      await b.api.post(`/api/bookings/${booking!.id}/cancel/`, undefined, { token: tokenFor(b, c.learners[0]!) });
      expect(await learner.socket.next('unsubscribed')).to.include({ reason: 'booking_cancelled' });
      expect(await mentor.socket.next((m) => m.type === 'presence' && m.event === 'leave')).to.have.nested.property('member.peer', learner.socket.peer);
      await Promise.all([mentor.socket.close(), learner.socket.close()]);
    });

    it('never leaves a learner joining on A in the room when their booking is cancelled on B meanwhile (30 tries)', async () => {
      for (let round = 0; round < 30; round++) {
        const c = await buildClassroom(b, 1);
        const learner = c.learners[0]!;
        const mentor = await join('b', c, c.mentor);
        const socket = await on('a', learner);
        const booking = (await Booking.query(b.db).findOne({ session_id: c.session.id, learner_id: learner.id }))!;
        // Spread the two over each other: the cancellation first in half the rounds, the join in the others.
        const cancel = () => b.api.post(`/api/bookings/${booking.id}/cancel/`, undefined, { token: tokenFor(b, learner) });
        const lead = (round % 10) - 5;
        const first = lead < 0 ? cancel() : socket.subscribe(room(c));
        await turns(Math.abs(lead) * 2);
        const second = lead < 0 ? socket.subscribe(room(c)) : cancel();
        const [answer, res] = (lead < 0 ? [await second, await first] : [await first, await second]) as [Msg, Awaited<ReturnType<typeof cancel>>];
        expect(res.status).to.equal(200);
        const about = (event: string) => (m: Msg) => m.type === 'presence' && m.event === event && m.member.peer === socket.peer;
        if (answer.type === 'subscribed') {
          expect(await socket.next('unsubscribed')).to.include({ reason: 'booking_cancelled' });
          // The mentor (on B) heard of the join, and hears of the leave through Redis.
          await mentor.socket.next(about('join'));
          await mentor.socket.next(about('leave'));
        } else {
          expect(answer).to.include({ type: 'error', code: 'forbidden' });
        }
        const late = await socket.request({ type: 'chat', channel: room(c), body: 'after the cancel' });
        expect(late.type, `round ${round}`).to.equal('error');
        expect(await ChatMessage.query(b.db).where({ session_id: c.session.id, sender_id: learner.id }).resultSize()).to.equal(0);
        expect([...(await peersSeen(mentor.socket, room(c)))], `round ${round}`).to.deep.equal([]);
        await Promise.all([mentor.socket.close(), socket.close()]);
      }
    });

    it('unsubscribes a session_{id} subscriber on A who may no longer see the session cancelled on B', async () => {
      const c = await buildClassroom(b, 1);
      const onlooker = await on('a', await buildLearner(b.db));
      const booked = await on('a', c.learners[0]!);
      const channel = `session_${c.session.id}`;
      for (const socket of [onlooker, booked]) expect(await socket.subscribe(channel)).to.include({ type: 'subscribed' });
      const res = await b.api.post(`/api/sessions/${c.session.id}/cancel/`, {}, { token: tokenFor(b, c.mentor) });
      expect(res.status).to.equal(200);
      expect(await onlooker.next('unsubscribed')).to.include({ channel, reason: 'access_revoked' });
      await booked.next('session_update');
      await booked.sync();
      expect(booked.unclaimed('unsubscribed')).to.deep.equal([]);
      await Promise.all([onlooker.close(), booked.close()]);
    });

    it('a logout on B closes the login’s sockets on A and A refuses its access token', async () => {
      const learner = await buildLearner(b.db);
      const signedIn = await b.api.post('/api/auth/token/', { username: learner.username, password: PASSWORD });
      const { access, refresh } = signedIn.body;
      const socket = await TestSocket.open(a.url, access);
      expect((await aApi.get('/api/notifications/', { token: access })).status).to.equal(200);
      expect((await b.api.post('/api/auth/logout/', { refresh })).status).to.equal(204);
      expect((await socket.closed).code).to.equal(4001);
      const refused = await aApi.get('/api/notifications/', { token: access });
      expect(refused.status).to.equal(401);
      expect(refused.body).to.include({ code: 'token_revoked' });
    });

    it('announces the leave of members whose process died, once their presence expires', async () => {
      const c = await buildClassroom(b, 1);
      const survivor = await join('b', c, c.learners[0]!);
      const doomed = await join('a', c, c.mentor);
      await survivor.socket.next('presence');
      await a.stop('SIGKILL');
      // No close reaches anyone: the leave comes from B's sweep after the presence TTL (3 × 200 ms).
      const leave = await survivor.socket.next((m) => m.type === 'presence' && m.event === 'leave', 10000);
      expect(leave.member.peer).to.equal(doomed.socket.peer);
      await survivor.socket.close();
    });
  });
} else {
  describe('realtime across processes (Redis)', () => {
    it('needs TEST_REDIS_URL (set by .ci/run); not configured here', function () {
      if (process.env.CI) throw new Error('CI must set TEST_REDIS_URL');
      this.skip();
    });
  });
}

describe('realtime with Redis unreachable', () => {
  it('keeps serving: sockets open, local messages work, room joins answer `unavailable`', async () => {
    const server = await getTestServer({ REDIS_URL: 'redis://127.0.0.1:1', WS_REDIS_PREFIX: 'md-unreachable:' });
    try {
      const c = await buildClassroom(server, 0);
      const socket = await TestSocket.open(server.url, tokenFor(server, c.mentor));
      await socket.sync();
      const refused = await socket.subscribe(`room_${c.session.id}`);
      expect(refused).to.include({ type: 'error', code: 'unavailable' });
      expect((await server.api.get('/healthz')).status).to.equal(200);
      await socket.close();
    } finally {
      await server.close();
    }
  });
});
