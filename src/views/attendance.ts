/**
 * Attendance figures (docs/rules.md, "Attendance, no-shows and earnings"): per learner, first join,
 * last leave and the time present — the union of their intervals, so two tabs or a reconnect
 * overlapping the old socket are not counted twice. The presence rows are written by
 * src/services/attendance.ts.
 */
import type { Knex } from 'knex';
import { Booking, type User } from '../models/index.ts';

type Db = Knex | Knex.Transaction;

export interface PresenceFigures {
  firstJoinedAt: Date | null;
  /** The latest leave; null while a socket of theirs is still in the room (or they never came). */
  lastLeftAt: Date | null;
  inRoom: boolean;
  /** Seconds in the room, overlapping stays counted once; open stays count until `now`. */
  presentSeconds: number;
}

interface Interval {
  from: number;
  to: number;
}

/** Total length of the union of `intervals`, in milliseconds. */
export function unionMs(intervals: Interval[]): number {
  const sorted = intervals.filter((i) => i.to > i.from).sort((a, b) => a.from - b.from);
  let total = 0;
  let current: Interval | undefined;
  for (const next of sorted) {
    if (current && next.from <= current.to) {
      current.to = Math.max(current.to, next.to);
      continue;
    }
    if (current) total += current.to - current.from;
    current = { ...next };
  }
  if (current) total += current.to - current.from;
  return total;
}

/** Presence figures of every user who entered the session's room, in one query. */
export async function presenceByUser(db: Db, sessionId: number, now = new Date()): Promise<Map<number, PresenceFigures>> {
  const rows: Array<{ user_id: number | string; joined_at: string | Date; left_at: string | Date | null }> = await db('room_presence')
    .where('session_id', sessionId)
    .select('user_id', 'joined_at', 'left_at');
  const byUser = new Map<number, Array<{ joined: Date; left: Date | null }>>();
  for (const row of rows) {
    const user = Number(row.user_id);
    let stays = byUser.get(user);
    if (!stays) byUser.set(user, (stays = []));
    stays.push({ joined: new Date(row.joined_at), left: row.left_at === null ? null : new Date(row.left_at) });
  }
  const figures = new Map<number, PresenceFigures>();
  for (const [user, stays] of byUser) {
    const inRoom = stays.some((s) => s.left === null);
    const firstJoined = Math.min(...stays.map((s) => s.joined.getTime()));
    const lastLeft = inRoom ? null : Math.max(...stays.map((s) => s.left!.getTime()));
    const ms = unionMs(stays.map((s) => ({ from: s.joined.getTime(), to: (s.left ?? now).getTime() })));
    figures.set(user, {
      firstJoinedAt: new Date(firstJoined),
      lastLeftAt: lastLeft === null ? null : new Date(lastLeft),
      inRoom,
      presentSeconds: Math.floor(ms / 1000),
    });
  }
  return figures;
}

export interface AttendanceEntry {
  booking: Booking;
  learner: User;
  presence: PresenceFigures;
}

const NEVER_CAME: PresenceFigures = { firstJoinedAt: null, lastLeftAt: null, inRoom: false, presentSeconds: 0 };

/** Per live (not cancelled) booking of the session, in booking order: the learner and their presence. */
export async function sessionAttendance(db: Db, sessionId: number, now = new Date()): Promise<AttendanceEntry[]> {
  const [bookings, presence] = await Promise.all([
    Booking.query(db).modify('live').where('session_id', sessionId).withGraphFetched('learner').orderBy('id'),
    presenceByUser(db, sessionId, now),
  ]);
  return bookings.map((booking) => ({ booking, learner: booking.learner!, presence: presence.get(booking.learner_id) ?? NEVER_CAME }));
}
