/** Platform-wide figures for the admin statistics. */
import type { Knex } from 'knex';
import type { Schema } from '../contract/types.ts';
import { liveBookings } from '../models/index.ts';
import { countsOf } from './analytics.ts';

type Db = Knex | Knex.Transaction;

/**
 * Amounts in the statistics are in the platform's default currency, the column default for
 * users, sessions, bookings and payouts. The platform converts nothing, so amounts recorded in
 * other currencies are left out of the sums rather than added as if they were dollars.
 */
export const PLATFORM_CURRENCY = 'USD';

export interface PlatformStats {
  users: Schema<'PlatformStats'>['users'];
  sessions: Schema<'SessionStatusCounts'>;
  bookings: Schema<'PlatformStats'>['bookings'];
  requests: Schema<'PlatformStats'>['requests'];
  grossRevenueCents: number;
  payoutCents: { pending: number; approved: number; paid: number; rejected: number };
  currency: string;
  generatedAt: Date;
}

type Row = { key: string; n: number | string };

const countBy = (db: Db, table: string) => db(table).groupBy('status').select('status as key').count({ n: '*' }) as Promise<Row[]>;

/** Platform-wide figures in six aggregate queries. */
export async function platformStats(db: Db, now: Date): Promise<PlatformStats> {
  const [users, sessions, bookings, requests, revenue, payouts] = await Promise.all([
    db('users').first(
      db.raw('COUNT(*) AS total'),
      db.raw("COALESCE(SUM(CASE WHEN role = 'mentor' THEN 1 ELSE 0 END), 0) AS mentors"),
      db.raw("COALESCE(SUM(CASE WHEN role = 'learner' THEN 1 ELSE 0 END), 0) AS learners"),
      db.raw('COALESCE(SUM(CASE WHEN is_admin THEN 1 ELSE 0 END), 0) AS admins'),
      db.raw('COALESCE(SUM(CASE WHEN is_active THEN 1 ELSE 0 END), 0) AS active'),
    ),
    countBy(db, 'sessions'),
    countBy(db, 'bookings'),
    countBy(db, 'requests'),
    db('bookings as b')
      .join('sessions as s', 's.id', 'b.session_id')
      .where('s.status', 'completed')
      .modify(liveBookings, 'b')
      .where('b.currency', PLATFORM_CURRENCY)
      .first(db.raw('COALESCE(SUM(b.payment_amount_cents), 0) AS total')),
    db('payouts').where('currency', PLATFORM_CURRENCY).groupBy('status').select('status as key').sum({ n: 'amount_cents' }) as Promise<Row[]>,
  ]);
  return {
    users: {
      total: Number(users?.total ?? 0),
      mentors: Number(users?.mentors ?? 0),
      learners: Number(users?.learners ?? 0),
      admins: Number(users?.admins ?? 0),
      active: Number(users?.active ?? 0),
    },
    sessions: countsOf(['draft', 'scheduled', 'in_progress', 'completed', 'cancelled'], sessions),
    bookings: countsOf(['booked', 'attended', 'no_show', 'cancelled'], bookings),
    requests: countsOf(['pending', 'accepted', 'declined', 'cancelled'], requests),
    grossRevenueCents: Number(revenue?.total ?? 0),
    payoutCents: countsOf(['pending', 'approved', 'paid', 'rejected'], payouts),
    currency: PLATFORM_CURRENCY,
    generatedAt: now,
  };
}
