/**
 * Batch loading of what the booking presenter needs: the sessions and the learners, for any number
 * of bookings in two queries.
 */
import type { Knex } from 'knex';
import { Session, User, type Booking } from '../models/index.ts';

export interface BookingView {
  booking: Booking;
  session: Session;
  learner: User;
}

export async function loadBookingViews(db: Knex | Knex.Transaction, bookings: Booking[]): Promise<BookingView[]> {
  if (bookings.length === 0) return [];
  const [sessions, learners] = await Promise.all([
    Session.query(db).findByIds([...new Set(bookings.map((b) => b.session_id))]),
    User.query(db).findByIds([...new Set(bookings.map((b) => b.learner_id))]),
  ]);
  const sessionById = new Map(sessions.map((s) => [s.id, s]));
  const learnerById = new Map(learners.map((u) => [u.id, u]));
  return bookings.map((booking) => ({
    booking,
    session: sessionById.get(booking.session_id)!,
    learner: learnerById.get(booking.learner_id)!,
  }));
}

export async function loadBookingView(db: Knex | Knex.Transaction, booking: Booking): Promise<BookingView> {
  const [view] = await loadBookingViews(db, [booking]);
  return view!;
}
