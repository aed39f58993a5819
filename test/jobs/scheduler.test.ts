import { expect } from 'chai';
import knexFactory from 'knex';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { buildBooking, buildLearner, buildMentor, buildPresence, buildSession } from '../helpers/factories.ts';
import type { DomainEvent, EventOf } from '../../src/events.ts';
import { EventBus } from '../../src/events.ts';
import { runSchedulerTick, startScheduler } from '../../src/jobs/scheduler.ts';
import { addMinutes } from '../../src/lib/time.ts';
import { Booking, Notification, Session } from '../../src/models/index.ts';
import type { Deps } from '../../src/types.ts';

const DAY = 24 * 60;

describe('scheduler', () => {
  let server: TestServer;
  before(async () => {
    server = await getTestServer({ REMINDER_MINUTES: '15' });
  });
  after(() => server.close());

  const deps = () => server.bundle.deps;
  const reload = async (id: number) => (await Session.query(server.db).findById(id))!;
  const remindersFor = (session: Session) =>
    Notification.query(server.db).where('type', 'session_reminder').where('dedupe_key', 'like', `reminder:session:${session.id}:%`).orderBy('user_id');

  async function eventsDuring(fn: () => Promise<unknown>): Promise<DomainEvent[]> {
    const seen: DomainEvent[] = [];
    const off = deps().events.subscribe((e) => void seen.push(e));
    try {
      await fn();
    } finally {
      off();
    }
    return seen;
  }

  /** Sessions far in the future, a week apart per call, so each test picks its own "now". */
  let weeks = 0;
  const farStart = () => addMinutes(new Date(), (1000 + 7 * ++weeks) * DAY);

  describe('reminders', () => {
    it('reminds the mentor and each learner with a live booking exactly once, even with two ticks racing', async () => {
      const mentor = await buildMentor(server.db);
      const [a, b, gone] = await Promise.all([buildLearner(server.db), buildLearner(server.db), buildLearner(server.db)]);
      const start = farStart();
      const session = await buildSession(server.db, { mentor_id: mentor.id, capacity: 3, start_time: start });
      await buildBooking(server.db, { session, learner_id: a.id });
      await buildBooking(server.db, { session, learner_id: b.id });
      await buildBooking(server.db, { session, learner_id: gone.id, status: 'cancelled', cancelled_at: new Date() });

      const now = addMinutes(start, -10);
      const events = await eventsDuring(() => Promise.all([runSchedulerTick(deps(), now), runSchedulerTick(deps(), now)]));
      const reminders = await remindersFor(session);
      expect(reminders.map((n) => n.user_id)).to.have.members([mentor.id, a.id, b.id]);
      expect(reminders).to.have.length(3);
      for (const n of reminders) {
        expect(n.link).to.equal(`/room/${session.id}`);
        expect(n.message).to.contain(session.title).and.contain('10 minutes');
        expect(n.dedupe_key).to.equal(`reminder:session:${session.id}:user:${n.user_id}`);
      }
      const pushed = events.filter((e): e is EventOf<'notification.created'> => e.type === 'notification.created');
      expect(pushed.map((e) => e.notification.id).sort()).to.deep.equal(reminders.map((n) => n.id).sort());

      const later = await runSchedulerTick(deps(), addMinutes(start, -5));
      expect(later.reminders).to.equal(0);
      expect(await remindersFor(session)).to.have.length(3);
    });

    it('waits until the session is within REMINDER_MINUTES, and never reminds drafts or cancelled sessions', async () => {
      const mentor = await buildMentor(server.db);
      const start = farStart();
      const scheduled = await buildSession(server.db, { mentor_id: mentor.id, start_time: start });
      const draft = await buildSession(server.db, { mentor_id: mentor.id, start_time: start, status: 'draft' });
      const cancelled = await buildSession(server.db, { mentor_id: mentor.id, start_time: start, status: 'cancelled' });
      await runSchedulerTick(deps(), addMinutes(start, -16));
      expect(await remindersFor(scheduled)).to.have.length(0);
      await runSchedulerTick(deps(), addMinutes(start, -15));
      expect(await remindersFor(scheduled)).to.have.length(1);
      expect(await remindersFor(draft)).to.have.length(0);
      expect(await remindersFor(cancelled)).to.have.length(0);
    });

    it('reminds a learner who books after the first reminder went out', async () => {
      const mentor = await buildMentor(server.db);
      const start = farStart();
      const session = await buildSession(server.db, { mentor_id: mentor.id, capacity: 2, start_time: start });
      await runSchedulerTick(deps(), addMinutes(start, -14));
      const learner = await buildLearner(server.db);
      await buildBooking(server.db, { session, learner_id: learner.id });
      const tick = await runSchedulerTick(deps(), addMinutes(start, -12));
      expect(tick.reminders).to.equal(1);
      expect((await remindersFor(session)).map((n) => n.user_id)).to.have.members([mentor.id, learner.id]);
    });
  });

  describe('auto-completion', () => {
    it('completes sessions past their end as of the end, marking learners who were in the room attended, the others no_show', async () => {
      const mentor = await buildMentor(server.db);
      const [ready, joined, absent] = await Promise.all([buildLearner(server.db), buildLearner(server.db), buildLearner(server.db)]);
      const start = addMinutes(new Date(), -3 * 60);
      const running = await buildSession(server.db, { mentor_id: mentor.id, capacity: 3, status: 'in_progress', start_time: start, started_at: start });
      const b1 = await buildBooking(server.db, { session: running, learner_id: ready.id, learner_ready_at: start });
      const b2 = await buildBooking(server.db, { session: running, learner_id: joined.id, joined_at: start });
      const b3 = await buildBooking(server.db, { session: running, learner_id: absent.id, learner_ready_at: start, joined_at: start });
      // In the room: `ready` left; `joined`'s process died with the row open. `absent` was ready
      // and called start over REST, but never came into the room.
      await buildPresence(server.db, { session: running, user_id: ready.id });
      await buildPresence(server.db, { session: running, user_id: joined.id, left_at: null });
      const neverStarted = await buildSession(server.db, { mentor_id: mentor.id, start_time: start });
      const draft = await buildSession(server.db, { mentor_id: mentor.id, start_time: start, status: 'draft' });
      const notOver = await buildSession(server.db, { mentor_id: mentor.id, status: 'in_progress', start_time: addMinutes(new Date(), -30) });

      const events = await eventsDuring(() => Promise.all([runSchedulerTick(deps()), runSchedulerTick(deps())]));

      for (const session of [running, neverStarted]) {
        const after = await reload(session.id);
        expect(after.status).to.equal('completed');
        expect(after.ended_at!.getTime()).to.equal(session.end_time.getTime());
      }
      expect((await reload(draft.id)).status).to.equal('draft');
      expect((await reload(notOver.id)).status).to.equal('in_progress');
      const statuses = await Promise.all([b1, b2, b3].map(async (b) => (await Booking.query(server.db).findById(b.id))!.status));
      expect(statuses).to.deep.equal(['attended', 'attended', 'no_show']);
      const open = await server.db('room_presence').where('session_id', running.id).whereNull('left_at');
      expect(open, 'stays left open by a dead process are closed at completion').to.have.length(0);

      const completed = events.filter((e): e is EventOf<'session.changed'> => e.type === 'session.changed' && e.change === 'completed');
      expect(completed.map((e) => e.session.id).sort()).to.deep.equal([running.id, neverStarted.id].sort());
      expect(completed.every((e) => e.session.status === 'completed')).to.equal(true);

      // Those who took part are asked for feedback; the absent learner is not.
      const prompts = await Notification.query(server.db).where('type', 'session_completed').whereIn('user_id', [ready.id, joined.id, absent.id]);
      expect(prompts.map((n) => n.user_id)).to.have.members([ready.id, joined.id]);

      const again = await eventsDuring(() => runSchedulerTick(deps()));
      const repeated = again.filter((e) => e.type === 'session.changed' && [running.id, neverStarted.id].includes(e.session.id));
      expect(repeated).to.have.length(0);
    });

    it('leaves cancelled and completed sessions alone', async () => {
      const mentor = await buildMentor(server.db);
      const start = addMinutes(new Date(), -5 * 60);
      const cancelled = await buildSession(server.db, { mentor_id: mentor.id, start_time: start, status: 'cancelled', cancelled_at: start });
      const done = await buildSession(server.db, { mentor_id: mentor.id, start_time: start, status: 'completed', ended_at: start });
      await runSchedulerTick(deps());
      expect(await reload(cancelled.id)).to.deep.include({ status: 'cancelled', ended_at: null });
      expect((await reload(done.id)).ended_at!.getTime()).to.equal(start.getTime());
    });
  });

  describe('startScheduler', () => {
    it('does nothing when the interval is 0', async () => {
      // Ticks run only from the scheduler's interval timer: count the timers it sets.
      const realSetInterval = globalThis.setInterval;
      const timers: number[] = [];
      globalThis.setInterval = ((handler: () => void, ms?: number) => {
        timers.push(ms ?? 0);
        return realSetInterval(handler, ms);
      }) as typeof setInterval;
      const withInterval = (schedulerIntervalSeconds: number) => ({ ...deps(), config: { ...deps().config, schedulerIntervalSeconds } });
      try {
        const stopNone = startScheduler(withInterval(0));
        expect(timers, 'no timer, so no tick ever runs').to.deep.equal([]);
        await stopNone();
        // The control: with an interval, the same spy sees the scheduler's timer.
        const stopEvery = startScheduler(withInterval(60));
        expect(timers).to.deep.equal([60_000]);
        await stopEvery();
      } finally {
        globalThis.setInterval = realSetInterval;
      }
    });

    it('logs a failing tick instead of throwing, and keeps running until stopped', async function () {
      this.timeout(10_000);
      // A database without tables: every query of the tick fails.
      const empty = knexFactory({ client: 'sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true });
      const failures: unknown[] = [];
      let failedTwice!: () => void;
      const twice = new Promise<void>((resolve) => (failedTwice = resolve));
      const logger = {
        info: () => {},
        error: (obj: { err?: unknown }) => {
          failures.push(obj.err);
          if (failures.length === 2) failedTwice();
        },
      };
      const stop = startScheduler({
        ...deps(),
        db: empty,
        events: new EventBus(),
        logger: logger as unknown as Deps['logger'],
        config: { ...deps().config, schedulerIntervalSeconds: 1 },
      });
      try {
        await twice;
      } finally {
        await stop();
        await empty.destroy();
      }
      expect(failures).to.have.length(2);
      expect(String(failures[0])).to.match(/no such table/);
    });
  });
});
