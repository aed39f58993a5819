/**
 * The session lifecycle: create, edit, publish, cancel, readiness, start, complete, and
 * the automatic completion the scheduler runs.
 *
 * Handlers load the session with `loadSessionForUser(…, { forUpdate: true })`, so every decision
 * below is taken on a locked row (PostgreSQL; SQLite's single pooled connection runs one
 * transaction at a time). Rows are always locked mentor's user row first (when a workflow needs
 * it: `lockMentor`), then the session, then its bookings — the booking, profile and deactivation
 * services follow the same order — so two workflows never deadlock. Transitions that can also be
 * made by the scheduler are conditional UPDATEs whose row count decides who won.
 *
 * Events carry the session re-read after the change, so subscribers (the realtime hub) always see
 * the current status, readiness and participant count.
 */
import type { Knex } from 'knex';
import type { ActorTx, Tx } from '../events.ts';
import { conflict, invalidField } from '../errors.ts';
import { addMinutes, iso } from '../lib/time.ts';
import { Booking, Session, User, type NotificationType, type SessionStatus } from '../models/index.ts';
import { hasLiveBooking } from '../policies/session.ts';
import { settleAttendance } from './attendance.ts';
import { links, notifyMany } from './notifications.ts';

export type { ActorTx };
type Db = Knex | Knex.Transaction;

const SESSION_DEFAULTS = { description: '', capacity: 1, status: 'draft' } as const;
const EDITABLE: readonly SessionStatus[] = ['draft', 'scheduled'];

// ---------------------------------------------------------------- helpers

/** start + duration, refused when it would leave the four-digit years both databases store. */
function endOf(start: Date, duration: number): Date {
  const end = addMinutes(start, duration);
  if (end.getUTCFullYear() > 9999) throw invalidField('start_time', 'is too far in the future');
  return end;
}

function wrongStatus(session: Session, what: string, allowed: readonly SessionStatus[]) {
  return conflict(
    `This session is ${session.status}; only a ${allowed.join(' or ')} session can be ${what}.`,
    'session_wrong_status',
  );
}

function requireStatus(session: Session, what: string, allowed: readonly SessionStatus[]): void {
  if (!allowed.includes(session.status)) throw wrongStatus(session, what, allowed);
}

/** The learners holding a live (not cancelled) booking on the session. */
export async function liveLearnerIds(db: Db, sessionId: number): Promise<number[]> {
  const rows = await Booking.query(db).modify('live').where('session_id', sessionId).select('learner_id').orderBy('id');
  return rows.map((r) => Number(r.learner_id));
}

async function notifyUsers(tx: Tx, userIds: number[], session: Session, type: NotificationType, message: string, link: string) {
  if (userIds.length === 0) return;
  await notifyMany(
    tx,
    userIds.map((userId) => ({ userId, type, message, link, data: { session: session.id } })),
  );
}

async function reload(trx: Knex.Transaction, id: number): Promise<Session> {
  return (await Session.query(trx).findById(id))!;
}

/**
 * The mentor's user row, locked for this transaction and read fresh: the serialisation point of
 * everything priced in the mentor's currency (session prices here, currency changes in
 * src/services/profile.ts, payouts in src/services/payouts.ts). A request's actor was loaded
 * before its transaction began and may carry a currency changed since. Lock it before any of the
 * mentor's sessions, so that workflows taking both never deadlock.
 */
export async function lockMentor(trx: Knex.Transaction, mentorId: number): Promise<User> {
  const mentor = await User.query(trx).findById(mentorId).forUpdate();
  if (!mentor) throw new Error(`mentor ${mentorId} vanished inside a transaction`);
  return mentor;
}

/**
 * The window in which mentor and learners may declare themselves ready: from `leadMinutes`
 * before the start until the end. Outside it, a 409 saying when it opens (or that it closed).
 */
export function assertReadyWindow(session: Session, leadMinutes: number, now: Date): void {
  const opens = addMinutes(session.start_time, -leadMinutes);
  if (now < opens) {
    throw conflict(
      `Readiness opens at ${iso(opens)}, ${leadMinutes} minutes before the session starts.`,
      'ready_window_not_open',
    );
  }
  if (now >= session.end_time) {
    throw conflict(`The session ended at ${iso(session.end_time)}; readiness is closed.`, 'ready_window_closed');
  }
}

// ---------------------------------------------------------------- listing

export interface SessionFilters {
  status?: SessionStatus;
  scope?: 'open' | 'booked';
  mentor?: number;
  /** Sessions starting at or after this instant. */
  from?: Date;
  /** Sessions starting before this instant. */
  to?: Date;
  order?: 'start_time' | '-start_time';
}

/**
 * What `listSessions` shows the caller: a mentor's own sessions; for a learner the open sessions
 * (scheduled, in the future, with a spot left) or, with `scope=booked`, the sessions they hold a
 * live booking on. Ordered by start, then id.
 */
export function sessionsVisibleTo(db: Knex, user: User, filters: SessionFilters, now = new Date()) {
  const query = Session.query(db);
  if (user.role === 'mentor') {
    query.where('mentor_id', user.id);
    if (filters.status) query.where('status', filters.status);
  } else if (filters.scope === 'booked') {
    // Led by the learner's bookings (IN, not a correlated EXISTS that would visit every session).
    query.whereIn(
      'id',
      Booking.query(db).modify('live').where('learner_id', user.id).select('session_id'),
    );
    if (filters.status) query.where('status', filters.status);
  } else {
    query
      .where('status', 'scheduled')
      .where('start_time', '>', now)
      .where('booked_count', '<', db.ref('capacity'));
  }
  if (filters.mentor) query.where('mentor_id', filters.mentor);
  if (filters.from) query.where('start_time', '>=', filters.from);
  if (filters.to) query.where('start_time', '<', filters.to);
  const direction = filters.order === '-start_time' ? 'desc' : 'asc';
  return query.orderBy('start_time', direction).orderBy('id', direction);
}

// ---------------------------------------------------------------- create and edit

/**
 * A new session as the workflow takes it, decoded from the request at the route: the start is an
 * instant, the price integer cents in the mentor's currency (null: free). Absent optional fields
 * take the defaults (an empty description, one seat, a draft).
 */
export interface NewSession {
  title: string;
  description?: string;
  startTime: Date;
  duration: number;
  priceCents: number | null;
  capacity?: number;
  status?: Extract<SessionStatus, 'draft' | 'scheduled'>;
}

/**
 * An edit of a session (a full replacement or a partial change), decoded like `NewSession`: an
 * absent field keeps the stored value; `priceCents: null` makes the session free.
 */
export interface SessionChanges {
  title?: string;
  description?: string;
  startTime?: Date;
  duration?: number;
  priceCents?: number | null;
  capacity?: number;
}

export async function createSession({ actor, ...tx }: ActorTx, input: NewSession, now = new Date()): Promise<Session> {
  const start = input.startTime;
  const status = input.status ?? SESSION_DEFAULTS.status;
  if (status === 'scheduled' && start <= now) throw invalidField('start_time', 'must be in the future to schedule the session');
  const mentor = await lockMentor(tx.trx, actor.id);
  const session = await Session.query(tx.trx).insertAndFetch({
    mentor_id: actor.id,
    title: input.title,
    description: input.description ?? SESSION_DEFAULTS.description,
    start_time: start,
    duration: input.duration,
    end_time: endOf(start, input.duration),
    status,
    price_cents: input.priceCents,
    currency: mentor.currency,
    capacity: input.capacity ?? SESSION_DEFAULTS.capacity,
    booked_count: 0,
  });
  tx.emit({ type: 'session.changed', session, change: 'created' });
  return session;
}

/** The editable fields after applying `changes` (a full replacement or a partial change). */
export function applyChanges(session: Session, changes: SessionChanges) {
  const start = changes.startTime ?? session.start_time;
  const duration = changes.duration ?? session.duration;
  return {
    title: changes.title ?? session.title,
    description: changes.description ?? session.description,
    start_time: start,
    duration,
    end_time: endOf(start, duration),
    price_cents: changes.priceCents === undefined ? session.price_cents : changes.priceCents,
    capacity: changes.capacity ?? session.capacity,
  };
}

type Fields = ReturnType<typeof applyChanges>;

export function changedFields(session: Session, next: Fields): Partial<Fields> {
  const diff: Partial<Fields> = {};
  if (next.title !== session.title) diff.title = next.title;
  if (next.description !== session.description) diff.description = next.description;
  if (next.start_time.getTime() !== session.start_time.getTime()) diff.start_time = next.start_time;
  if (next.duration !== session.duration) diff.duration = next.duration;
  if (next.end_time.getTime() !== session.end_time.getTime()) diff.end_time = next.end_time;
  if (next.price_cents !== session.price_cents) diff.price_cents = next.price_cents;
  if (next.capacity !== session.capacity) diff.capacity = next.capacity;
  return diff;
}

/** "24 hours", "1 hour", "90 minutes". */
function durationInWords(minutes: number): string {
  const [n, unit] = minutes % 60 === 0 ? [minutes / 60, 'hour'] : [minutes, 'minute'];
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/**
 * Booked learners planned around the session's time. While it has live bookings it may only be
 * moved (a new start, or a duration that ends it earlier) when both the current and the new start
 * are at least `noticeMinutes` away; closer in, the mentor cancels instead (or learners cancel),
 * so a booked session can never be pulled to "now" and completed with nobody there.
 */
function checkRescheduleNotice(session: Session, diff: Partial<Fields>, noticeMinutes: number, now: Date): void {
  if (session.booked_count === 0) return;
  const moves = diff.start_time !== undefined || (diff.end_time !== undefined && diff.end_time < session.end_time);
  if (!moves) return;
  const earliest = addMinutes(now, noticeMinutes);
  const newStart = diff.start_time ?? session.start_time;
  if (session.start_time >= earliest && newStart >= earliest) return;
  const notice = durationInWords(noticeMinutes);
  throw conflict(
    `Sessions with booked learners can only be moved at least ${notice} ahead: both the current and the new ` +
      `start must be ${notice} or more away. Cancel the session instead, or ask the learners to cancel their bookings.`,
    'reschedule_notice',
  );
}

/** The rules an edit must satisfy (see the replaceSession description in openapi.yaml). */
export function checkEdit(session: Session, diff: Partial<Fields>, noticeMinutes: number, now: Date): void {
  if (session.status === 'scheduled' && diff.start_time && diff.start_time <= now) {
    throw invalidField('start_time', 'must be in the future for a scheduled session');
  }
  checkRescheduleNotice(session, diff, noticeMinutes, now);
  if (diff.capacity !== undefined && diff.capacity < session.booked_count) {
    throw conflict(
      `Capacity cannot drop below the ${session.booked_count} learners already booked.`,
      'capacity_below_participants',
    );
  }
  if (diff.price_cents !== undefined && session.booked_count > 0) {
    throw conflict('The price cannot change while the session has live bookings.', 'price_locked');
  }
}

/**
 * Edits a draft or scheduled session (PUT and PATCH alike). When a scheduled session's time window
 * moves, readiness is cleared (it was declared for the old window) and the booked learners are
 * told it was rescheduled (they may still cancel free of charge until the start); any other change
 * to a session with bookings tells them it was updated. Moving a booked session needs
 * `noticeMinutes` of notice (checkRescheduleNotice). A new price is in the mentor's current
 * currency, read under the mentor's lock (`lockMentor`, taken by the caller before the session's).
 */
export async function updateSession(
  { actor, ...tx }: ActorTx,
  session: Session,
  changes: SessionChanges,
  noticeMinutes: number,
  now = new Date(),
): Promise<Session> {
  requireStatus(session, 'edited', EDITABLE);
  const diff = changedFields(session, applyChanges(session, changes));
  checkEdit(session, diff, noticeMinutes, now);
  if (Object.keys(diff).length === 0) return session;

  const moved = diff.end_time !== undefined || diff.start_time !== undefined;
  const currency = diff.price_cents !== undefined ? (await lockMentor(tx.trx, session.mentor_id)).currency : session.currency;
  const updated = await session.$query(tx.trx).patchAndFetch({
    ...diff,
    ...(currency !== session.currency ? { currency } : {}),
    ...(moved ? { mentor_ready_at: null } : {}),
  });
  if (moved) {
    await Booking.query(tx.trx).where('session_id', session.id).whereNotNull('learner_ready_at').patch({ learner_ready_at: null });
  }

  const rescheduled = moved && session.status === 'scheduled';
  const learners = await liveLearnerIds(tx.trx, session.id);
  if (rescheduled) {
    await notifyUsers(tx, learners, updated, 'session_rescheduled', `${actor.displayName} moved "${updated.title}" to ${iso(updated.start_time)}.`, links.session(session.id));
  } else {
    await notifyUsers(tx, learners, updated, 'session_updated', `${actor.displayName} updated the details of "${updated.title}".`, links.session(session.id));
  }
  tx.emit({ type: 'session.changed', session: updated, change: rescheduled ? 'rescheduled' : 'updated' });
  return updated;
}

// ---------------------------------------------------------------- lifecycle

/** draft → scheduled: the session becomes bookable. */
export async function publishSession(tx: ActorTx, session: Session, now = new Date()): Promise<Session> {
  requireStatus(session, 'published', ['draft']);
  if (session.start_time <= now) {
    throw conflict('The start time has passed; move it into the future before publishing.', 'start_in_past');
  }
  const published = await session.$query(tx.trx).patchAndFetch({ status: 'scheduled' });
  tx.emit({ type: 'session.changed', session: published, change: 'published' });
  return published;
}

/** draft|scheduled → cancelled: every live booking is cancelled and its learner told why. */
export async function cancelSession({ actor, ...tx }: ActorTx, session: Session, reason: string | undefined, now = new Date()): Promise<Session> {
  requireStatus(session, 'cancelled', EDITABLE);
  const why = reason?.trim() ? reason.trim() : null;
  const learners = await liveLearnerIds(tx.trx, session.id);
  await Booking.query(tx.trx).modify('live').where('session_id', session.id).patch({ status: 'cancelled', cancelled_at: now });
  const cancelled = await session.$query(tx.trx).patchAndFetch({
    status: 'cancelled',
    cancelled_at: now,
    cancel_reason: why,
    booked_count: 0,
  });
  const message = `${actor.displayName} cancelled "${session.title}" (${iso(session.start_time)})${why ? `. Reason: ${why}` : '.'}`;
  await notifyUsers(tx, learners, cancelled, 'session_cancelled', message, links.session(session.id));
  tx.emit({ type: 'session.changed', session: cancelled, change: 'cancelled' });
  return cancelled;
}

/** The mentor's "I'm Ready": allowed in the readiness window; the booked learners are told. */
export async function markMentorReady({ actor, ...tx }: ActorTx, session: Session, leadMinutes: number, now = new Date()): Promise<Session> {
  requireStatus(session, 'marked ready', ['scheduled']);
  if (session.mentor_ready_at) return session;
  assertReadyWindow(session, leadMinutes, now);
  const ready = await session.$query(tx.trx).patchAndFetch({ mentor_ready_at: now });
  await notifyUsers(
    tx,
    await liveLearnerIds(tx.trx, session.id),
    ready,
    'mentor_ready',
    `${actor.displayName} is ready for "${session.title}". Confirm you are ready to start the class.`,
    links.room(session.id),
  );
  tx.emit({ type: 'session.changed', session: ready, change: 'mentor_ready' });
  return ready;
}

async function readyLearnerCount(db: Db, sessionId: number): Promise<number> {
  return Booking.query(db).modify('live').where('session_id', sessionId).whereNotNull('learner_ready_at').resultSize();
}

/** Records that the calling learner entered the room (once; later calls keep the first time). */
async function recordJoined(trx: Knex.Transaction, session: Session, now: Date): Promise<void> {
  const booking = session.viewerBooking;
  if (!booking || booking.joined_at) return;
  await Booking.query(trx).where({ id: booking.id }).whereNull('joined_at').patch({ joined_at: now });
}

/**
 * Starts the live class (scheduled → in_progress) once the mentor and at least one learner are
 * ready, even before the scheduled minute; on an in-progress session it is how the others join.
 * A learner calling it is recorded as joined. The participants other than the caller are told.
 */
export async function startSession({ actor, ...tx }: ActorTx, session: Session, now = new Date()): Promise<Session> {
  requireStatus(session, 'started or joined', ['scheduled', 'in_progress']);
  if (now >= session.end_time) {
    throw conflict(`The session ended at ${iso(session.end_time)}; it can no longer be started or joined.`, 'session_ended');
  }
  const isLearner = session.mentor_id !== actor.id && hasLiveBooking(session);
  if (session.status === 'in_progress') {
    if (isLearner) await recordJoined(tx.trx, session, now);
    return session;
  }
  if (!session.mentor_ready_at) throw conflict('The mentor is not ready yet.', 'mentor_not_ready');
  if ((await readyLearnerCount(tx.trx, session.id)) === 0) throw conflict('No learner is ready yet.', 'no_learner_ready');

  const moved = await Session.query(tx.trx).where({ id: session.id, status: 'scheduled' }).patch({ status: 'in_progress', started_at: now });
  if (moved !== 1) throw conflict('The session changed status meanwhile; reload it.', 'session_wrong_status');
  if (isLearner) await recordJoined(tx.trx, session, now);
  const started = await reload(tx.trx, session.id);

  const others = [session.mentor_id, ...(await liveLearnerIds(tx.trx, session.id))].filter((id) => id !== actor.id);
  await notifyUsers(tx, others, started, 'session_started', `"${session.title}" has started. Join the class now.`, links.room(session.id));
  tx.emit({ type: 'session.changed', session: started, change: 'started' });
  return started;
}

/**
 * Completes the session if it is still in one of `from` — a conditional UPDATE, so the mentor and
 * the scheduler (or two scheduler processes) never both complete it — and decides attendance from
 * the room's presence: `attended` or `no_show` (src/services/attendance.ts). Undefined when
 * someone else moved it first.
 */
async function finishSession(trx: Knex.Transaction, sessionId: number, from: SessionStatus[], endedAt: Date): Promise<Session | undefined> {
  const now = new Date();
  const moved = await Session.query(trx).where('id', sessionId).whereIn('status', from).patch({ status: 'completed', ended_at: endedAt });
  if (moved !== 1) return undefined;
  await settleAttendance(trx, sessionId, now);
  return reload(trx, sessionId);
}

const rateItMessage = (session: Session) => `"${session.title}" has ended — rate it and tell the mentor how it went.`;

/** Asks the learners who attended (only they may rate) for feedback. */
async function askForFeedback(tx: Tx, session: Session): Promise<void> {
  const attended: Array<{ learner_id: number }> = await tx.trx('bookings')
    .where({ session_id: session.id, status: 'attended' })
    .select('learner_id');
  await notifyUsers(tx, attended.map((r) => Number(r.learner_id)), session, 'session_completed', rateItMessage(session), links.session(session.id));
}

/** The mentor ends the live class; every learner who attended is asked for feedback. */
export async function completeSession(tx: ActorTx, session: Session, now = new Date()): Promise<Session> {
  requireStatus(session, 'completed', ['in_progress']);
  const completed = await finishSession(tx.trx, session.id, ['in_progress'], now);
  if (!completed) throw conflict('The session changed status meanwhile; reload it.', 'session_wrong_status');
  await askForFeedback(tx, completed);
  tx.emit({ type: 'session.changed', session: completed, change: 'completed' });
  return completed;
}

/**
 * The scheduler completes a session past its end, as of its scheduled end. Only learners who took
 * part (now `attended`) are asked for feedback: a class nobody showed up to ends silently.
 * Undefined when the session was already completed or cancelled by someone else.
 */
export async function autoCompleteSession(tx: Tx, session: Session): Promise<Session | undefined> {
  const completed = await finishSession(tx.trx, session.id, ['scheduled', 'in_progress'], session.end_time);
  if (!completed) return undefined;
  await askForFeedback(tx, completed);
  tx.emit({ type: 'session.changed', session: completed, change: 'completed' });
  return completed;
}
