/**
 * A mentor's performance metrics over sessions starting in [from, to). Every figure comes from a
 * handful of aggregate queries (no per-session or per-learner queries), and everything that
 * depends on a timezone or a median is finished in JavaScript so SQLite and PostgreSQL agree.
 *
 * Requests have no start time: they count when they were created in the range.
 */
import type { Knex } from 'knex';
import type { Schema } from '../contract/types.ts';
import { invalidField } from '../errors.ts';
import { monthKey, monthKeysBetween } from '../lib/time.ts';
import { liveBookings, Session, type User } from '../models/index.ts';
import type { SessionView } from './sessions.ts';
import type { RoomWindowSettings } from './roomWindow.ts';
import { monthlyEarnings, type MonthlyFigure } from './earnings.ts';
import { loadSessionViews } from './sessions.ts';

type Db = Knex | Knex.Transaction;

export interface AnalyticsRange {
  from: Date;
  to: Date;
}

/** Longest range accepted, so the monthly series stays bounded. */
export const MAX_RANGE_YEARS = 10;
const UPCOMING_LIMIT = 5;
/** The longest session (the sessions_duration_check constraint: 1,440 minutes). */
const MAX_DURATION_MS = 1440 * 60_000;

const minusYears = (d: Date, years: number) => {
  const out = new Date(d);
  out.setUTCFullYear(out.getUTCFullYear() - years);
  return out;
};

/** The bounds a caller asked for (decoded by the route); either may be absent. */
export interface AnalyticsBounds {
  from?: Date;
  to?: Date;
}

/**
 * The range from the requested bounds: `to` defaults to now, `from` to 12 months before `to`.
 * 400 naming the query field `from` when it is not before `to` or lies more than MAX_RANGE_YEARS
 * before it.
 */
export function analyticsRange(bounds: AnalyticsBounds, now: Date): AnalyticsRange {
  const to = bounds.to ?? now;
  const from = bounds.from ?? minusYears(to, 1);
  if (from.getTime() >= to.getTime()) throw invalidField('from', 'must be before `to` (default: now)', 'query');
  if (from.getTime() < minusYears(to, MAX_RANGE_YEARS).getTime()) {
    throw invalidField('from', `must be at most ${MAX_RANGE_YEARS} years before \`to\``, 'query');
  }
  return { from, to };
}

export interface MentorAnalytics extends AnalyticsRange {
  students: number;
  sessionsByStatus: Schema<'SessionStatusCounts'>;
  totalSessions: number;
  averageRating: number | null;
  ratingDistribution: Schema<'RatingDistribution'>;
  feedbackCount: number;
  attendanceRate: number | null;
  cancellationRate: number | null;
  requestAcceptanceRate: number | null;
  medianResponseTimeSeconds: number | null;
  repeatLearners: number;
  earningsByMonth: MonthlyFigure[];
  upcomingSessions: SessionView[];
  upcomingCount: number;
}

const ratio = (part: number, whole: number) => (whole === 0 ? null : part / whole);

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Zero-filled counts (or sums) for `keys` from grouped `{ key, n }` rows; unknown keys are ignored. */
export function countsOf<K extends string>(keys: readonly K[], rows: Array<{ key: string | number; n: number | string }>): Record<K, number> {
  const out = Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  for (const row of rows) {
    const key = String(row.key) as K;
    if (key in out) out[key] += Number(row.n);
  }
  return out;
}

const SESSION_STATUSES = ['draft', 'scheduled', 'in_progress', 'completed', 'cancelled'] as const;
const RATINGS = ['1', '2', '3', '4', '5'] as const;

export async function getAnalytics(db: Db, mentor: User, range: AnalyticsRange, now: Date, window: RoomWindowSettings): Promise<MentorAnalytics> {
  const fromIso = range.from.toISOString();
  const toIso = range.to.toISOString();
  /** The mentor's sessions (alias `s`) starting in the range. */
  const inRange = (q: Knex.QueryBuilder) =>
    q.where('s.mentor_id', mentor.id).where('s.start_time', '>=', fromIso).where('s.start_time', '<', toIso);
  const bookingsInRange = () => inRange(db('bookings as b').join('sessions as s', 's.id', 'b.session_id'));

  const months = monthKeysBetween(monthKey(range.from, mentor.timezone), monthKey(new Date(range.to.getTime() - 1), mentor.timezone));

  const [sessionRows, bookingRows, learners, ratingRows, answered, earningsByMonth, upcoming, upcomingTotal] = await Promise.all([
    inRange(db('sessions as s')).groupBy('s.status').select('s.status as key').count({ n: '*' }),
    bookingsInRange()
      .groupBy('b.status', 's.status')
      .select('b.status as booking_status', 's.status as session_status')
      .count({ n: '*' }),
    // Live bookings per learner, then how many learners and how many came back.
    db
      .from(bookingsInRange().modify(liveBookings, 'b').groupBy('b.learner_id').select('b.learner_id').count({ n: '*' }).as('per_learner'))
      .first(db.raw('COUNT(*) AS students'), db.raw('COALESCE(SUM(CASE WHEN n >= 2 THEN 1 ELSE 0 END), 0) AS repeat_learners')),
    inRange(db('feedback as f').join('sessions as s', 's.id', 'f.session_id')).groupBy('f.rating').select('f.rating as key').count({ n: '*' }),
    db('requests')
      .where('mentor_id', mentor.id)
      .whereIn('status', ['accepted', 'declined'])
      .where('created_at', '>=', fromIso)
      .where('created_at', '<', toIso)
      .select('status', 'created_at', 'responded_at'),
    monthlyEarnings(db, mentor.id, mentor.timezone, months, range, mentor.currency),
    upcomingSessions(db, mentor.id, now, window),
    notYetOver(db('sessions'), mentor.id, now).count({ n: '*' }).first(),
  ]);

  const sessionsByStatus = countsOf(SESSION_STATUSES, sessionRows as Array<{ key: string; n: number }>);
  const ratingDistribution = countsOf(RATINGS, ratingRows as Array<{ key: number; n: number }>);
  const feedbackCount = RATINGS.reduce((sum, r) => sum + ratingDistribution[r], 0);
  const ratingSum = RATINGS.reduce((sum, r) => sum + Number(r) * ratingDistribution[r], 0);

  const bookings = (bookingRows as Array<{ booking_status: string; session_status: string; n: number | string }>).map((r) => ({
    booking: r.booking_status,
    session: r.session_status,
    n: Number(r.n),
  }));
  const total = (pick: (b: { booking: string; session: string }) => boolean) =>
    bookings.filter(pick).reduce((sum, b) => sum + b.n, 0);

  const requests = answered as Array<{ status: string; created_at: string | Date; responded_at: string | Date | null }>;
  const responseSeconds = requests
    .filter((r) => r.responded_at !== null)
    .map((r) => Math.max(0, (new Date(r.responded_at!).getTime() - new Date(r.created_at).getTime()) / 1000));

  return {
    ...range,
    students: Number(learners?.students ?? 0),
    repeatLearners: Number(learners?.repeat_learners ?? 0),
    sessionsByStatus,
    totalSessions: SESSION_STATUSES.reduce((sum, s) => sum + sessionsByStatus[s], 0),
    averageRating: feedbackCount === 0 ? null : Math.round((ratingSum / feedbackCount) * 100) / 100,
    ratingDistribution,
    feedbackCount,
    attendanceRate: ratio(
      total((b) => b.session === 'completed' && b.booking === 'attended'),
      total((b) => b.session === 'completed' && (b.booking === 'attended' || b.booking === 'no_show')),
    ),
    cancellationRate: ratio(
      total((b) => b.booking === 'cancelled'),
      total(() => true),
    ),
    requestAcceptanceRate: ratio(requests.filter((r) => r.status === 'accepted').length, requests.length),
    medianResponseTimeSeconds: median(responseSeconds),
    earningsByMonth,
    upcomingSessions: upcoming,
    upcomingCount: Number((upcomingTotal as { n?: number | string } | undefined)?.n ?? 0),
  };
}

/** The mentor's scheduled sessions that are not over yet. */
function notYetOver<Q extends Knex.QueryBuilder | ReturnType<typeof Session.query>>(q: Q, mentorId: number, now: Date): Q {
  return q
    .where({ mentor_id: mentorId, status: 'scheduled' })
    .where('end_time', '>', now.toISOString())
    // Implied by the end (a session lasts at most a day), and it lets the (mentor, status, start)
    // index bound the search instead of the planner picking the platform-wide (status, end) one.
    .where('start_time', '>', new Date(now.getTime() - MAX_DURATION_MS).toISOString()) as Q;
}

/**
 * The next scheduled sessions, whatever the range: those not yet over (a session in its slot that
 * has not been started is still the mentor's next thing to do), soonest first.
 */
async function upcomingSessions(db: Db, mentorId: number, now: Date, window: RoomWindowSettings): Promise<SessionView[]> {
  const sessions = await notYetOver(Session.query(db), mentorId, now)
    .orderBy([{ column: 'start_time' }, { column: 'id' }])
    .limit(UPCOMING_LIMIT);
  return loadSessionViews(db, window, sessions);
}
