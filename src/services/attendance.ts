/**
 * Attendance: who was actually in a session's room, and when (docs/rules.md, "Attendance,
 * no-shows and earnings").
 *
 * - Presence rows (`room_presence`) are written by the realtime hub on the server's clock: one row
 *   when a socket joins `room_{id}`, closed when it leaves or its socket closes. Each process writes
 *   the rows of its own sockets, so several processes never contend; a row left open because its
 *   process died is closed when the session completes.
 * - At completion every live booking is decided once: `attended` when its learner has any presence
 *   row in the room, `no_show` otherwise.
 * - The figures read from these rows are src/views/attendance.ts; the room window is
 *   src/views/roomWindow.ts.
 */
import type { Knex } from 'knex';
import { addMinutes } from '../lib/time.ts';
import { Booking, type Session, type User } from '../models/index.ts';

type Db = Knex | Knex.Transaction;

// ---------------------------------------------------------------- presence rows

export interface RoomStay {
  sessionId: number;
  userId: number;
  /** The socket's peer id. */
  connectionId: string;
}

/** A socket entered the room: opens its presence row. */
export async function recordRoomJoin(db: Db, stay: RoomStay, at = new Date()): Promise<void> {
  await db('room_presence').insert({
    session_id: stay.sessionId,
    user_id: stay.userId,
    connection_id: stay.connectionId,
    joined_at: at,
    left_at: null,
  });
}

/** Sets `left_at` of open rows (never before their own join, whatever the processes' clocks). */
function closeStays(db: Db, open: Record<string, unknown>, at: Date) {
  return db('room_presence')
    .where(open)
    .whereNull('left_at')
    .update({ left_at: db.raw('CASE WHEN joined_at > ? THEN joined_at ELSE ? END', [at, at]) });
}

/** A socket left the room (or closed): closes its open presence row, if any. */
export async function recordRoomLeave(db: Db, stay: Pick<RoomStay, 'sessionId' | 'connectionId'>, at = new Date()): Promise<void> {
  await closeStays(db, { session_id: stay.sessionId, connection_id: stay.connectionId }, at);
}

/**
 * Closes the rows still open (their process died, or their sockets are about to be told the room
 * closed) at `at`, then decides every live booking: `attended` with presence, `no_show` without.
 * Runs in the completing transaction, on the session row it locked.
 */
export async function settleAttendance(trx: Knex.Transaction, sessionId: number, at: Date): Promise<void> {
  await closeStays(trx, { session_id: sessionId }, at);
  const present = trx('room_presence as p').where('p.session_id', sessionId).whereRaw('p.user_id = bookings.learner_id').select(trx.raw('1'));
  await Booking.query(trx).where({ session_id: sessionId, status: 'booked' }).whereExists(present).patch({ status: 'attended' });
  await Booking.query(trx).where({ session_id: sessionId, status: 'booked' }).patch({ status: 'no_show' });
}
