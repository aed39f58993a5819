/**
 * Periodic jobs, run every SCHEDULER_INTERVAL_SECONDS (0 disables them):
 *
 * 1. Reminders: for each scheduled session starting within REMINDER_MINUTES, the mentor and every
 *    learner with a live booking get one `session_reminder`. "Once per person and session" is the
 *    unique notification dedupe key, so any number of ticks and server processes may race.
 * 2. Auto-completion: a scheduled or in-progress session past its end is completed as of its end,
 *    by a conditional UPDATE (see `autoCompleteSession`), so two processes never complete it twice.
 * 3. Retention: events older than EVENT_RETENTION_DAYS, and the finished webhook deliveries of
 *    that age, are deleted (`pruneEvents`); a plain DELETE any number of processes may repeat.
 *
 * Each session is handled in its own transaction, and a failure is logged and does not stop the
 * others; `startScheduler` also catches whatever a tick throws, so the interval keeps running.
 */
import type { Knex } from 'knex';
import { inTransaction } from '../events.ts';
import { addMinutes } from '../lib/time.ts';
import { Session } from '../models/index.ts';
import { links, notify } from '../services/notifications.ts';
import { autoCompleteSession, liveLearnerIds } from '../services/sessions.ts';
import { pruneEvents } from '../services/webhooks.ts';
import type { Deps } from '../types.ts';

export type SchedulerDeps = Pick<Deps, 'db' | 'events' | 'config' | 'logger'>;

export interface TickSummary {
  reminders: number;
  completed: number;
  pruned: number;
}

/** How many sessions one tick handles per job; the rest wait for the next tick. */
const BATCH = 200;

export const reminderKey = (sessionId: number, userId: number) => `reminder:session:${sessionId}:user:${userId}`;

/** The recipients of `session`'s reminder that have not been reminded yet (the index still decides). */
async function unreminded(db: Knex, session: Session): Promise<number[]> {
  const people = [session.mentor_id, ...(await liveLearnerIds(db, session.id))];
  const sent: Array<{ dedupe_key: string }> = await db('notifications')
    .whereIn('dedupe_key', people.map((uid) => reminderKey(session.id, uid)))
    .select('dedupe_key');
  const done = new Set(sent.map((r) => r.dedupe_key));
  return people.filter((uid) => !done.has(reminderKey(session.id, uid)));
}

async function remind(deps: SchedulerDeps, session: Session, now: Date): Promise<number> {
  const recipients = await unreminded(deps.db, session);
  if (recipients.length === 0) return 0;
  const minutes = Math.max(1, Math.ceil((session.start_time.getTime() - now.getTime()) / 60_000));
  const written = await inTransaction(deps.db, deps.events, (tx) =>
    notify(
      tx,
      recipients.map((userId) => ({
        userId,
        type: 'session_reminder' as const,
        message: `Reminder: "${session.title}" starts in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
        link: links.room(session.id),
        data: { session: session.id },
        dedupeKey: reminderKey(session.id, userId),
      })),
    ),
  );
  return written.length;
}

async function sendReminders(deps: SchedulerDeps, now: Date): Promise<number> {
  const due = await Session.query(deps.db)
    .where('status', 'scheduled')
    .where('start_time', '>', now)
    .where('start_time', '<=', addMinutes(now, deps.config.reminderMinutes))
    .orderBy('start_time')
    .limit(BATCH);
  let sent = 0;
  for (const session of due) {
    try {
      sent += await remind(deps, session, now);
    } catch (err) {
      deps.logger.error({ err, session: session.id }, 'sending session reminders failed');
    }
  }
  return sent;
}

async function completeEnded(deps: SchedulerDeps, now: Date): Promise<number> {
  const ended = await Session.query(deps.db)
    .whereIn('status', ['scheduled', 'in_progress'])
    .where('end_time', '<=', now)
    .orderBy('end_time')
    .limit(BATCH);
  let completed = 0;
  for (const session of ended) {
    try {
      if (await inTransaction(deps.db, deps.events, (tx) => autoCompleteSession(tx, session))) completed++;
    } catch (err) {
      deps.logger.error({ err, session: session.id }, 'completing an ended session failed');
    }
  }
  return completed;
}

/** One run of both jobs as of `now`. Tests call it directly with a chosen time. */
export async function runSchedulerTick(deps: SchedulerDeps, now = new Date()): Promise<TickSummary> {
  const reminders = await sendReminders(deps, now);
  const completed = await completeEnded(deps, now);
  const pruned = await pruneEvents(deps.db, deps.config.webhooks.eventRetentionDays, now);
  return { reminders, completed, pruned };
}

/** Starts the periodic jobs; returns a function that stops them and waits for a running tick. */
export function startScheduler(deps: Deps): () => Promise<void> {
  const seconds = deps.config.schedulerIntervalSeconds;
  if (seconds === 0) return async () => {};
  let running: Promise<void> | undefined;
  const tick = () => {
    // A slow tick is not piled upon: the next one starts on the first interval after it ends.
    if (running) return;
    running = runSchedulerTick(deps)
      .then(
        (summary) => {
          if (summary.reminders || summary.completed || summary.pruned) deps.logger.info(summary, 'scheduler tick');
        },
        (err) => deps.logger.error({ err }, 'scheduler tick failed'),
      )
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, seconds * 1000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
