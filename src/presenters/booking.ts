/**
 * Booking presenter. Pure: the session and the learner are batch-loaded first by
 * `loadBookingViews` (src/views/bookings.ts), so a page of bookings costs two extra queries.
 */
import type { Schema } from '../contract/types.ts';
import { formatCents } from '../lib/money.ts';
import { iso } from '../lib/time.ts';
import type { Booking, Session, User } from '../models/index.ts';
import { presentUserSummary } from './user.ts';
import type { BookingView } from '../views/bookings.ts';

export function presentBookingSessionSummary(s: Session): Schema<'BookingSessionSummary'> {
  return {
    id: s.id,
    title: s.title,
    start_time: iso(s.start_time),
    end_time: iso(s.end_time),
    status: s.status,
    mentor: s.mentor_id,
    mentor_ready: s.mentor_ready_at !== null,
  };
}

export function presentBooking({ booking: b, session, learner }: BookingView): Schema<'Booking'> {
  return {
    id: b.id,
    session: b.session_id,
    session_summary: presentBookingSessionSummary(session),
    learner: b.learner_id,
    learner_summary: presentUserSummary(learner),
    status: b.status,
    payment_amount: formatCents(b.payment_amount_cents),
    currency: b.currency,
    learner_ready_at: iso(b.learner_ready_at),
    joined_at: iso(b.joined_at),
    cancelled_at: iso(b.cancelled_at),
    created_at: iso(b.created_at),
  };
}
