/**
 * Scale-out: three server processes on loopback ports against one PostgreSQL database and one
 * Redis, as behind a load balancer. Shows that notifications and participant counts reach sockets
 * on every process, that room signalling works between peers on different processes, that 110
 * bookings spread over the processes on a 100-seat session give exactly 100, and that the
 * schedulers of all three processes send each reminder exactly once. Then a rolling restart:
 * SIGTERM during a stream of requests fails none that were accepted, and a client of the stopped
 * process reconnects to another one and catches up on the notifications it missed.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { loadConfig } from '../../src/config.ts';
import { TokenService } from '../../src/auth/tokens.ts';
import { createKnex } from '../../src/db/knex.ts';
import { addMinutes } from '../../src/lib/time.ts';
import type { User } from '../../src/models/index.ts';
import { buildBooking, buildLearner, buildMentor, buildSession } from '../helpers/factories.ts';
import { freshDatabase } from '../helpers/server.ts';
import { startServerProcess, type ServerProcess } from '../helpers/processes.ts';
import { TestSocket } from '../realtime/client.ts';

const ready = Boolean(process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL);

if (ready) describe('three processes on PostgreSQL and Redis', function () {
  this.timeout(180000);
  const JWT_SECRET = crypto.randomBytes(32).toString('hex');
  const tokens = new TokenService(loadConfig({ NODE_ENV: 'test', JWT_SECRET, DATA_DIR: os.tmpdir() }).jwt);
  let dataDir: string;
  let database: { url: string; drop: () => Promise<void> };
  let db: Knex;
  let procs: ServerProcess[] = [];
  const sockets: TestSocket[] = [];
  const token = (u: User) => tokens.signAccess(u);
  const env = () => ({
    DATA_DIR: dataDir,
    DATABASE_URL: database.url,
    REDIS_URL: process.env.TEST_REDIS_URL!,
    // A private channel prefix: other test runs may share this Redis.
    WS_REDIS_PREFIX: `md-cluster-${crypto.randomBytes(4).toString('hex')}:`,
    JWT_SECRET,
    SCHEDULER_INTERVAL_SECONDS: '1',
    REMINDER_MINUTES: '15',
    LOG_LEVEL: 'info',
  });
  let sharedEnv: Record<string, string>;
  const open = async (p: ServerProcess, user: User) => {
    const s = await TestSocket.open(p.url, token(user));
    sockets.push(s);
    return s;
  };

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'md-cluster-'));
    database = await freshDatabase(dataDir, 'postgres');
    sharedEnv = env();
    // All three start at once: the migration lock lets exactly one of them migrate.
    procs = await Promise.all([0, 1, 2].map(() => startServerProcess(sharedEnv)));
    db = createKnex(database.url);
  });
  after(async () => {
    for (const s of sockets) s.ws.terminate();
    for (const p of procs) p.child.kill('SIGKILL');
    await db?.destroy();
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('pushes a notification and the participant count to sockets on every process', async () => {
    const mentor = await buildMentor(db);
    const learner = await buildLearner(db);
    const session = await buildSession(db, { mentor_id: mentor.id, capacity: 5 });
    const mentorSockets = await Promise.all(procs.map((p) => open(p, mentor)));
    for (const s of mentorSockets) expect((await s.request({ type: 'subscribe', channel: `session_${session.id}` })).type).to.equal('subscribed');

    const res = await fetch(`${procs[1]!.url}/api/sessions/${session.id}/book/`, { method: 'POST', headers: { Authorization: `Bearer ${token(learner)}` } });
    expect(res.status).to.equal(201);
    for (const s of mentorSockets) {
      const note = await s.next((m) => m.type === 'notification' && m.notification.type === 'booking_created', 15000);
      expect(note.unread_count).to.equal(1);
      const count = await s.next('participant_count', 15000);
      expect(count).to.include({ session: session.id, participant_count: 1, change: 'booked' });
    }
  });

  it('relays room signalling between peers connected to different processes', async () => {
    const mentor = await buildMentor(db);
    const learner = await buildLearner(db);
    const session = await buildSession(db, { mentor_id: mentor.id, start_time: addMinutes(new Date(), 10) });
    await buildBooking(db, { session, learner_id: learner.id });
    const channel = `room_${session.id}`;
    const m = await open(procs[0]!, mentor);
    const l = await open(procs[2]!, learner);
    expect((await m.request({ type: 'subscribe', channel })).type).to.equal('subscribed');
    await m.next('room_state', 15000);
    expect((await l.request({ type: 'subscribe', channel })).type).to.equal('subscribed');
    const state = await l.next('room_state', 15000);
    const existing = state.members.find((x: { user: number }) => x.user === mentor.id);
    expect(existing, 'the learner sees the mentor connected to another process').to.not.equal(undefined);
    expect(existing.initiator).to.equal(true); // the newcomer makes the offer
    const joined = await m.next((x) => x.type === 'presence' && x.event === 'join', 15000);
    expect(joined.member.user).to.equal(learner.id);

    l.send({ type: 'signal', channel, to: existing.peer, data: { type: 'offer', sdp: 'v=0 fake' } });
    const offer = await m.next('signal', 15000);
    expect(offer.from).to.deep.equal({ peer: l.peer, user: learner.id });
    expect(offer.data).to.deep.equal({ type: 'offer', sdp: 'v=0 fake' });
    m.send({ type: 'signal', channel, to: l.peer, data: { type: 'answer', sdp: 'v=0 fake answer' } });
    expect((await l.next('signal', 15000)).from.peer).to.equal(m.peer);
  });

  it('books exactly 100 seats of 100 when 110 learners book through all three processes at once', async () => {
    const mentor = await buildMentor(db);
    const session = await buildSession(db, { mentor_id: mentor.id, capacity: 100 });
    const learners = await Promise.all(Array.from({ length: 110 }, () => buildLearner(db)));
    const statuses = await Promise.all(
      learners.map(async (learner, i) => {
        const res = await fetch(`${procs[i % 3]!.url}/api/sessions/${session.id}/book/`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token(learner)}` },
        });
        await res.arrayBuffer();
        return res.status;
      }),
    );
    expect(statuses.filter((s) => s === 201)).to.have.length(100);
    expect(statuses.filter((s) => s === 409)).to.have.length(10);
    const row = await db('sessions').where({ id: session.id }).first();
    expect(row.booked_count).to.equal(100);
    const live = await db('bookings').where({ session_id: session.id }).whereNot('status', 'cancelled').count({ n: '*' }).first();
    expect(Number(live!.n)).to.equal(100);
  });

  it('sends each reminder once although the scheduler runs in all three processes', async () => {
    const mentor = await buildMentor(db);
    const session = await buildSession(db, { mentor_id: mentor.id, capacity: 3, start_time: addMinutes(new Date(), 5) });
    const learners = await Promise.all([0, 1, 2].map(() => buildLearner(db)));
    for (const l of learners) await buildBooking(db, { session, learner_id: l.id });
    const people = [mentor, ...learners];
    // Wait (by polling the database, not sleeping blindly) until every person has a reminder…
    const reminders = async () =>
      db('notifications').where({ type: 'session_reminder' }).whereIn('user_id', people.map((p) => p.id)).select('user_id');
    const deadline = Date.now() + 30000;
    while ((await reminders()).length < people.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    // …then let all three schedulers tick a few more times: nobody gets a second one.
    const ticks = Date.now() + 3500;
    while (Date.now() < ticks) await new Promise((r) => setTimeout(r, 250));
    const rows = await reminders();
    expect(rows.map((r: { user_id: number }) => r.user_id).sort()).to.deep.equal(people.map((p) => p.id).sort());
  });

  it('restarts a process without failing accepted requests; its clients reconnect elsewhere and catch up', async () => {
    const learner = await buildLearner(db);
    const mentor = await buildMentor(db);
    const victim = procs[0]!;
    const socket = await open(victim, learner);
    const patch = (p: ServerProcess, id: number, body: object) =>
      fetch(`${p.url}/api/sessions/${id}/`, {
        method: 'PATCH',
        headers: { Authorization: `Bearer ${token(mentor)}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    // The learner is connected and has seen a notification: that id is where catching up starts.
    const first = await buildSession(db, { mentor_id: mentor.id, start_time: addMinutes(new Date(), 120) });
    await buildBooking(db, { session: first, learner_id: learner.id });
    expect((await patch(procs[1]!, first.id, { title: 'Renamed while connected' })).status).to.equal(200);
    const seen = await socket.next((m) => m.type === 'notification' && m.notification.type === 'session_updated', 15000);
    const lastSeen = seen.notification.id as number;
    // A stream of requests to the process that is about to stop.
    const results: Array<{ status: number | 'refused' }> = [];
    let streaming = true;
    const stream = (async () => {
      while (streaming) {
        try {
          const res = await fetch(`${victim.url}/api/notifications/`, { headers: { Authorization: `Bearer ${token(learner)}` } });
          await res.arrayBuffer();
          results.push({ status: res.status });
        } catch {
          results.push({ status: 'refused' }); // not accepted: the listener was already closed
          return;
        }
      }
    })();
    while (results.length < 20) await new Promise((r) => setTimeout(r, 10));
    const closed = socket.closed;
    const signalled = Date.now();
    const exit = victim.stop('SIGTERM');
    expect((await closed).code).to.equal(1001); // "going away"
    expect(await exit).to.equal(0);
    expect(Date.now() - signalled).to.be.below(10000);
    streaming = false;
    await stream;
    expect(results.filter((r) => typeof r.status === 'number' && r.status !== 200)).to.deep.equal([]);

    // While the learner is disconnected, notifications are written (through another process).
    // Days ahead: moving a booked session needs RESCHEDULE_NOTICE_MINUTES (24 h) of notice.
    const session = await buildSession(db, { mentor_id: mentor.id, start_time: addMinutes(new Date(), 2 * 24 * 60) });
    await buildBooking(db, { session, learner_id: learner.id });
    const moved = await patch(procs[1]!, session.id, { start_time: addMinutes(new Date(), 3 * 24 * 60).toISOString() });
    expect(moved.status).to.equal(200);

    // The client reconnects to another process and catches up over REST from its last id.
    const again = await open(procs[2]!, learner);
    expect(again.welcome.type).to.equal('welcome');
    const catchUp = await fetch(`${procs[2]!.url}/api/notifications/?after=${lastSeen}`, { headers: { Authorization: `Bearer ${token(learner)}` } });
    const missed = (await catchUp.json()) as { results: Array<{ type: string; id: number }> };
    expect(missed.results.map((n) => n.type)).to.deep.equal(['session_rescheduled']); // only what was missed
    expect(missed.results[0]!.id).to.be.greaterThan(lastSeen);
    procs[0] = await startServerProcess(sharedEnv); // back to three for anything after
  });
});

if (!ready) {
  describe('three processes on PostgreSQL and Redis', () => {
    it('needs TEST_DATABASE_URL and TEST_REDIS_URL (set by .ci/run); not configured here', function () {
      if (process.env.CI) throw new Error('CI must set TEST_DATABASE_URL and TEST_REDIS_URL');
      this.skip();
    });
  });
}
