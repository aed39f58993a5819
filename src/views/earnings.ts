/**
 * A mentor's money. Earned: payments of the bookings of completed sessions that count toward
 * earnings (docs/rules.md, "Attendance, no-shows and earnings"): `attended` bookings, and `no_show`
 * bookings of a session that was held (started); a session never started earns nothing from its
 * no-shows. Upcoming: live bookings of sessions still scheduled or in progress. Every payout that
 * was not rejected (pending, approved or paid) is already spoken for, so available = earned − those
 * payouts.
 *
 * Amounts are summed in cents as recorded, and only those recorded in the mentor's profile
 * currency: nothing is converted, so an amount in another unit (possible only in rows written
 * before the database guarded currencies) is never counted, let alone paid out, as if it were in
 * this one. Sessions take the mentor's currency when priced and bookings their session's.
 * Months are keys in the mentor's timezone, computed in JavaScript (`src/lib/time.ts`) so SQLite
 * and PostgreSQL group identically.
 */
import type { Knex } from 'knex';
import { lastMonths, monthKey } from '../lib/time.ts';
import { liveBookings, onLiveBooking, type User } from '../models/index.ts';

type Db = Knex | Knex.Transaction;

/**
 * Whether booking `b` of completed session `s` pays the mentor: the learner came, or the class was
 * held (started) and the learner did not come. One SQL condition shared by every figure.
 */
export const EARNING_BOOKING = "(b.status = 'attended' OR (b.status = 'no_show' AND s.started_at IS NOT NULL))";

export interface Balance {
  earnedCents: number;
  upcomingCents: number;
  paidOutCents: number;
  /** Pending and approved payouts. */
  pendingPayoutCents: number;
  /** Earned minus pending, approved and paid payouts. */
  availableCents: number;
}

export interface MonthlyFigure {
  /** `YYYY-MM` in the mentor's timezone. */
  month: string;
  earnedCents: number;
  /** Completed sessions starting that month. */
  sessions: number;
  /** Live (not cancelled) bookings of those sessions, attended or not. */
  bookings: number;
}

export interface EarningsSummary extends Balance {
  currency: string;
  timezone: string;
  monthly: MonthlyFigure[];
}

/** The balance in `currency`, in two aggregate queries; pass the transaction when deciding on a payout. */
export async function mentorBalance(db: Db, mentorId: number, currency: string): Promise<Balance> {
  const [bookings, payouts] = await Promise.all([
    db('bookings as b')
      .join('sessions as s', 's.id', 'b.session_id')
      .where('s.mentor_id', mentorId)
      .where('b.currency', currency)
      .modify(liveBookings, 'b')
      .first(
        db.raw(`COALESCE(SUM(CASE WHEN s.status = 'completed' AND ${EARNING_BOOKING} THEN b.payment_amount_cents ELSE 0 END), 0) AS earned`),
        db.raw("COALESCE(SUM(CASE WHEN s.status IN ('scheduled', 'in_progress') THEN b.payment_amount_cents ELSE 0 END), 0) AS upcoming"),
      ),
    db('payouts').where({ mentor_id: mentorId, currency }).groupBy('status').select('status').sum({ total: 'amount_cents' }),
  ]);
  const byStatus = new Map((payouts as Array<{ status: string; total: number | string }>).map((r) => [r.status, Number(r.total)]));
  const paid = byStatus.get('paid') ?? 0;
  const pending = (byStatus.get('pending') ?? 0) + (byStatus.get('approved') ?? 0);
  const earned = Number(bookings?.earned ?? 0);
  return {
    earnedCents: earned,
    upcomingCents: Number(bookings?.upcoming ?? 0),
    paidOutCents: paid,
    pendingPayoutCents: pending,
    // Payouts never exceed the balance when requested, and completed sessions' bookings do not
    // change afterwards; the floor only keeps a hand-edited database from producing "-1.00".
    availableCents: Math.max(0, earned - paid - pending),
  };
}

/**
 * Earnings (the bookings that count: EARNING_BOOKING) of completed sessions starting in [from, to)
 * (no upper bound when `to` is absent), grouped by the month of their start in `tz`, one item for
 * every key of `months` (zero-filled, in the order given); sessions outside those months are left
 * out. With `currency`, only payments in that currency are summed. One query, one row per session.
 */
export async function monthlyEarnings(
  db: Db,
  mentorId: number,
  tz: string,
  months: string[],
  range: { from: Date; to?: Date },
  currency?: string,
): Promise<MonthlyFigure[]> {
  const q = db('sessions as s')
    .leftJoin('bookings as b', (j) => {
      onLiveBooking(j.on('b.session_id', 's.id'), 'b');
      if (currency) j.andOnVal('b.currency', '=', currency);
    })
    .where('s.mentor_id', mentorId)
    .where('s.status', 'completed')
    .where('s.start_time', '>=', range.from.toISOString())
    .groupBy('s.id', 's.start_time')
    .select(
      's.start_time',
      db.raw(`COALESCE(SUM(CASE WHEN ${EARNING_BOOKING} THEN b.payment_amount_cents ELSE 0 END), 0) AS earned`),
      db.raw('COUNT(b.id) AS bookings'),
    );
  if (range.to) q.where('s.start_time', '<', range.to.toISOString());
  const rows = (await q) as Array<{ start_time: string | Date; earned: number | string; bookings: number | string }>;

  const figures = new Map(months.map((month) => [month, { month, earnedCents: 0, sessions: 0, bookings: 0 }]));
  for (const row of rows) {
    const figure = figures.get(monthKey(new Date(row.start_time), tz));
    if (!figure) continue;
    figure.earnedCents += Number(row.earned);
    figure.sessions += 1;
    figure.bookings += Number(row.bookings);
  }
  return [...figures.values()];
}

/**
 * A safe lower bound for the instants of month `key` in any timezone: its first day in UTC minus a
 * day (offsets stay within ±14 h). Rows before the month proper are dropped by their month key.
 */
function beforeMonthStarts(key: string): Date {
  const [y, m] = key.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1, 1) - 24 * 3600_000);
}

/** The earnings summary with the last 12 months (including the month of `now`) in the mentor's timezone. */
export async function getEarnings(db: Db, mentor: User, now: Date): Promise<EarningsSummary> {
  const months = lastMonths(now, mentor.timezone, 12);
  const [balance, monthly] = await Promise.all([
    mentorBalance(db, mentor.id, mentor.currency),
    monthlyEarnings(db, mentor.id, mentor.timezone, months, { from: beforeMonthStarts(months[0]!) }, mentor.currency),
  ]);
  return { currency: mentor.currency, timezone: mentor.timezone, ...balance, monthly };
}
