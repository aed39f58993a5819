/** Attendance presenter: a session's bookings with their learners' presence in the room. */
import type { Schema } from '../contract/types.ts';
import { iso } from '../lib/time.ts';
import type { Session } from '../models/index.ts';
import type { AttendanceEntry } from '../views/attendance.ts';
import { presentUserSummary } from './user.ts';

export function presentSessionAttendance(session: Session, entries: AttendanceEntry[]): Schema<'SessionAttendance'> {
  return {
    session: session.id,
    session_status: session.status,
    started_at: iso(session.started_at),
    ended_at: iso(session.ended_at),
    bookings: entries.map(({ booking, learner, presence }) => ({
      booking: booking.id,
      learner: learner.id,
      learner_summary: presentUserSummary(learner),
      status: booking.status,
      first_joined_at: iso(presence.firstJoinedAt),
      last_left_at: iso(presence.lastLeftAt),
      in_room: presence.inRoom,
      present_seconds: presence.presentSeconds,
    })),
  };
}
