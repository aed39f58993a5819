/** Loading a session together with the caller's booking on it, for the session policy. */
import type { Knex } from 'knex';
import { Booking, isLiveBooking, Session, type User } from '../models/index.ts';

/**
 * The session with `viewerBooking` set to the caller's most relevant booking on it (a live one if
 * any, else the latest cancelled one), or undefined when the session does not exist.
 * Pass `forUpdate` inside a transaction that will change the session (row lock on PostgreSQL).
 */
export async function loadSessionForUser(
  db: Knex | Knex.Transaction,
  user: User,
  id: number,
  opts: { forUpdate?: boolean } = {},
): Promise<Session | undefined> {
  const q = Session.query(db).findById(id);
  const session = await (opts.forUpdate ? q.forUpdate() : q);
  if (!session) return undefined;
  const bookings = await Booking.query(db).where({ session_id: id, learner_id: user.id }).orderBy('id', 'desc');
  session.viewerBooking = bookings.find(isLiveBooking) ?? bookings[0];
  return session;
}
