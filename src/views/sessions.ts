/**
 * Batch loading of what the session presenter needs: mentors, ready-learner counts and the viewer's
 * own live booking, for any number of sessions in at most two queries — one for the bookings (ready
 * counts and the viewer's seat together), one for the mentors unless the viewer is the only one
 * (a mentor listing their own sessions; every query counts on the hot listing path).
 */
import type { Knex } from 'knex';
import { liveBookings, Session, User } from '../models/index.ts';
import { roomWindow, type RoomWindow, type RoomWindowSettings } from './roomWindow.ts';

export interface SessionView {
  session: Session;
  mentor: User;
  readyLearnerCount: number;
  /** The viewer's live booking id on this session (learners), or null. */
  myBooking: number | null;
  /** When the session's room (`room_{id}`) opens and closes. */
  roomWindow: RoomWindow;
}

interface BookingFigures {
  session_id: number | string;
  ready: number | string | null;
  mine: number | string | null;
}

/** Per session: live bookings with a ready learner, and the viewer's live booking id (if any). */
function bookingFigures(db: Knex | Knex.Transaction, ids: number[], viewerId: number | undefined) {
  return db('bookings')
    .whereIn('session_id', ids)
    .modify(liveBookings)
    .groupBy('session_id')
    .select(
      'session_id',
      db.raw('SUM(CASE WHEN learner_ready_at IS NOT NULL THEN 1 ELSE 0 END) AS ready'),
      // One live booking per learner and session at most (a unique index): MAX picks it.
      viewerId === undefined ? db.raw('NULL AS mine') : db.raw('MAX(CASE WHEN learner_id = ? THEN id END) AS mine', [viewerId]),
    ) as unknown as Promise<BookingFigures[]>;
}

/**
 * `viewer` is the caller: their id finds their booking, and they need not be loaded as a mentor.
 * `window` is the deployment's room window (READY_LEAD_MINUTES, ROOM_GRACE_MINUTES).
 */
export async function loadSessionViews(
  db: Knex | Knex.Transaction,
  window: RoomWindowSettings,
  sessions: Session[],
  viewer?: number | User,
): Promise<SessionView[]> {
  if (sessions.length === 0) return [];
  const known = typeof viewer === 'object' ? [viewer] : [];
  const viewerId = typeof viewer === 'object' ? viewer.id : viewer;
  const ids = sessions.map((s) => s.id);
  const missing = [...new Set(sessions.map((s) => s.mentor_id))].filter((id) => !known.some((u) => u.id === id));
  const [mentors, figures] = await Promise.all([
    missing.length ? User.query(db).findByIds(missing) : Promise.resolve([] as User[]),
    bookingFigures(db, ids, viewerId),
  ]);
  const mentorById = new Map([...known, ...mentors].map((m) => [m.id, m]));
  const bySession = new Map(figures.map((f) => [Number(f.session_id), f]));
  return sessions.map((session) => {
    const f = bySession.get(session.id);
    return {
      session,
      mentor: mentorById.get(session.mentor_id)!,
      readyLearnerCount: Number(f?.ready ?? 0),
      myBooking: f?.mine == null ? null : Number(f.mine),
      roomWindow: roomWindow(session, window),
    };
  });
}

export async function loadSessionView(
  db: Knex | Knex.Transaction,
  window: RoomWindowSettings,
  session: Session,
  viewer?: number | User,
): Promise<SessionView> {
  const [view] = await loadSessionViews(db, window, [session], viewer);
  return view!;
}
