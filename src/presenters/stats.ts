/** Platform statistics presenter (admin). */
import type { Schema } from '../contract/types.ts';
import { formatCents } from '../lib/money.ts';
import { iso } from '../lib/time.ts';
import type { PlatformStats } from '../views/platformStats.ts';

export function presentStats(s: PlatformStats): Schema<'PlatformStats'> {
  return {
    users: s.users,
    sessions: s.sessions,
    bookings: s.bookings,
    requests: s.requests,
    gross_revenue: formatCents(s.grossRevenueCents),
    payouts: {
      pending: formatCents(s.payoutCents.pending),
      approved: formatCents(s.payoutCents.approved),
      paid: formatCents(s.payoutCents.paid),
      rejected: formatCents(s.payoutCents.rejected),
    },
    currency: s.currency,
    generated_at: iso(s.generatedAt),
  };
}
