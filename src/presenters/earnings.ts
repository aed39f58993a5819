/** Earnings presenter: cents become two-decimal strings; the monthly series is shared with analytics. */
import type { Schema } from '../contract/types.ts';
import { formatCents } from '../lib/money.ts';
import type { EarningsSummary, MonthlyFigure } from '../views/earnings.ts';

export function presentMonthly(months: MonthlyFigure[]): Array<Schema<'MonthlyEarnings'>> {
  return months.map((m) => ({ month: m.month, earned: formatCents(m.earnedCents), sessions: m.sessions, bookings: m.bookings }));
}

export function presentEarnings(e: EarningsSummary): Schema<'Earnings'> {
  return {
    currency: e.currency,
    timezone: e.timezone,
    total_earned: formatCents(e.earnedCents),
    upcoming: formatCents(e.upcomingCents),
    available: formatCents(e.availableCents),
    paid_out: formatCents(e.paidOutCents),
    pending_payouts: formatCents(e.pendingPayoutCents),
    monthly: presentMonthly(e.monthly),
  };
}
