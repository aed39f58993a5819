/**
 * Bookings: a learner takes a seat, cancels it before the start, confirms readiness; learners and
 * mentors list them.
 *
 * Two rules hold under any concurrency, on SQLite and PostgreSQL alike:
 * - Capacity. The seat is taken by a conditional UPDATE (`booked_count + 1 WHERE status =
 *   'scheduled' AND booked_count < capacity`) whose row count decides; the CHECK
 *   `booked_count <= capacity` is the backstop.
 * - One live booking per learner and session: the partial unique index `bookings_live_unique`,
 *   whose violation is answered as "already booked". A cancelled booking leaves the index, so the
 *   learner may book again.
 *
 * Like the session workflows (src/services/sessions.ts), rows are locked session first, then
 * booking, so a booking workflow and a session workflow never deadlock.
 */
import type { Knex } from 'knex';
import { UniqueViolationError, raw, ref } from 'objection';
import { conflict } from '../errors.ts';
import { Booking, Session, type BookingStatus, type User } from '../models/index.ts';
import { hasLiveBooking } from '../policies/session.ts';
import { links, notify } from './notifications.ts';
import { findActiveMentor } from './profile.ts';
import { assertReadyWindow, type ActorTx } from './sessions.ts';

const alreadyBooked = () => conflict('You already hold a booking on this session.', 'already_booked');

/** The session row locked for this transaction, and the booking re-read under that lock. */
async function lockBooking(trx: Knex.Transaction, booking: Booking): Promise<{ session: Session; booking: Booking }> {
  const session = await Session.query(trx).findById(booking.session_id).forUpdate();
  const current = await Booking.query(trx).findById(booking.id).forUpdate();
  return { session: session!, booking: current! };
}

async function reloadPair(trx: Knex.Transaction, bookingId: number, sessionId: number) {
  const [booking, session] = await Promise.all([Booking.query(trx).findById(bookingId), Session.query(trx).findById(sessionId)]);
  return { booking: booking!, session: session! };
}

/**
 * Books the calling learner onto `session` (loaded with `loadSessionForUser`, locked). The seat is
 * paid at the session's price in its currency (zero when free); the mentor is told. The mentor is
 * re-read here: a deactivated mentor's sessions are not bookable. (Deactivation cancels them under
 * the session lock, so a booking that read the mentor as active just before is cancelled with them.)
 */
export async function bookSession({ actor, ...tx }: ActorTx, session: Session, now = new Date()): Promise<Booking> {
  if (hasLiveBooking(session)) throw alreadyBooked();
  if (session.status !== 'scheduled' || session.start_time <= now) {
    throw conflict('This session is not open for booking (it must be scheduled and in the future).', 'session_not_open');
  }
  if (!(await findActiveMentor(tx.trx, session.mentor_id))) {
    throw conflict("This session's mentor is no longer active, so it cannot be booked.", 'mentor_inactive');
  }
  const seated = await Session.query(tx.trx)
    .where({ id: session.id, status: 'scheduled' })
    .where('booked_count', '<', ref('capacity'))
    .patch({ booked_count: raw('booked_count + 1') });
  if (seated !== 1) throw conflict('This session is full.', 'session_full');

  let booking: Booking;
  try {
    booking = await Booking.query(tx.trx).insertAndFetch({
      session_id: session.id,
      learner_id: actor.id,
      status: 'booked',
      payment_amount_cents: session.price_cents ?? 0,
      currency: session.currency,
    });
  } catch (err) {
    // A concurrent request of the same learner got there first; the index decided.
    if (err instanceof UniqueViolationError) throw alreadyBooked();
    throw err;
  }
  await notify(tx, {
    userId: session.mentor_id,
    type: 'booking_created',
    message: `${actor.displayName} booked "${session.title}".`,
    link: links.session(session.id),
    data: { session: session.id, booking: booking.id },
  });
  const fresh = await Session.query(tx.trx).findById(session.id);
  tx.emit({ type: 'booking.created', booking, session: fresh! });
  return booking;
}

/** The learner gives the seat back; allowed while the session is scheduled and has not started. */
export async function cancelBooking({ actor, ...tx }: ActorTx, booking: Booking, now = new Date()): Promise<Booking> {
  const { session, booking: current } = await lockBooking(tx.trx, booking);
  if (current.status !== 'booked') {
    throw conflict(`This booking is ${current.status}; only a booked seat can be cancelled.`, 'booking_not_active');
  }
  if (session.status !== 'scheduled' || session.start_time <= now) {
    throw conflict('The session has started or is no longer scheduled; the booking can no longer be cancelled.', 'session_started');
  }
  await Booking.query(tx.trx).where({ id: current.id, status: 'booked' }).patch({ status: 'cancelled', cancelled_at: now });
  await Session.query(tx.trx)
    .where('id', session.id)
    .where('booked_count', '>', 0)
    .patch({ booked_count: raw('booked_count - 1') });
  await notify(tx, {
    userId: session.mentor_id,
    type: 'booking_cancelled',
    message: `${actor.displayName} cancelled their booking for "${session.title}".`,
    link: links.session(session.id),
    data: { session: session.id, booking: current.id },
  });
  const fresh = await reloadPair(tx.trx, current.id, session.id);
  tx.emit({ type: 'booking.cancelled', ...fresh });
  return fresh.booking;
}

/**
 * The learner confirms they are ready, in the same window as the mentor. An in-progress session
 * still accepts it, so a learner arriving late can join. The mentor is told.
 */
export async function markLearnerReady({ actor, ...tx }: ActorTx, booking: Booking, leadMinutes: number, now = new Date()): Promise<Booking> {
  const { session, booking: current } = await lockBooking(tx.trx, booking);
  if (current.status !== 'booked') {
    throw conflict(`This booking is ${current.status}; only a booked seat can be marked ready.`, 'booking_not_active');
  }
  if (session.status !== 'scheduled' && session.status !== 'in_progress') {
    throw conflict(`This session is ${session.status}; readiness is only possible before or during the class.`, 'session_wrong_status');
  }
  if (current.learner_ready_at) return current;
  assertReadyWindow(session, leadMinutes, now);
  await Booking.query(tx.trx).where('id', current.id).patch({ learner_ready_at: now });
  await notify(tx, {
    userId: session.mentor_id,
    type: 'learner_ready',
    message: `${actor.displayName} is ready for "${session.title}".`,
    link: links.room(session.id),
    data: { session: session.id, booking: current.id },
  });
  const fresh = await reloadPair(tx.trx, current.id, session.id);
  tx.emit({ type: 'session.changed', session: fresh.session, change: 'learner_ready', booking: fresh.booking });
  return fresh.booking;
}

export interface BookingFilters {
  status?: BookingStatus;
  session?: number;
  upcoming?: boolean;
}

/**
 * What `listBookings` shows: a learner's own bookings, or the bookings on a mentor's sessions.
 * `upcoming` compares the session's end with now. Ordered by the session's start, then id.
 */
export function bookingsVisibleTo(db: Knex, user: User, filters: BookingFilters, now = new Date()) {
  const query = Booking.query(db).joinRelated('session').select('bookings.*');
  if (user.role === 'mentor') query.where('session.mentor_id', user.id);
  else query.where('bookings.learner_id', user.id);
  if (filters.status) query.where('bookings.status', filters.status);
  if (filters.session) query.where('bookings.session_id', filters.session);
  if (filters.upcoming !== undefined) query.where('session.end_time', filters.upcoming ? '>' : '<=', now);
  return query.orderBy('session.start_time').orderBy('bookings.id');
}
