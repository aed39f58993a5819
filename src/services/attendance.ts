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
 * - Per learner: first join, last leave and the time present — the union of their intervals, so
 *   two tabs or a reconnect overlapping the old socket are not counted twice.
 * - The room window: the room opens `leadMinutes` (READY_LEAD_MINUTES) before the start and closes
 *   `graceMinutes` (ROOM_GRACE_MINUTES) after the end; a session in progress keeps it open until
 *   it is completed.
 */
import type { Knex } from 'knex';
import { addMinutes } from '../lib/time.ts';
import { Booking, dbTime, type Session, type User } from '../models/index.ts';

type Db = Knex | Knex.Transaction;

// ---------------------------------------------------------------- the room window

export interface RoomWindowSettings {
  leadMinutes: number;
  graceMinutes: number;
}

export interface RoomWindow {
  opensAt: Date;
  /** When a scheduled session's room closes; a session in progress stays open until completed. */
  closesAt: Date;
}

export type RoomWindowState = 'open' | 'not_open_yet' | 'closed';

/** The window settings of a configuration. */
/** READY_LEAD_MINUTES and ROOM_GRACE_MINUTES at their defaults (src/config.ts), for code run without a configuration. */
export const DEFAULT_ROOM_WINDOW: RoomWindowSettings = { leadMinutes: 30, graceMinutes: 15 };

export const roomWindowSettings = (config: { readyLeadMinutes: number; roomGraceMinutes: number }): RoomWindowSettings => ({
  leadMinutes: config.readyLeadMinutes,
  graceMinutes: config.roomGraceMinutes,
});

export function roomWindow(session: Pick<Session, 'start_time' | 'end_time'>, settings: RoomWindowSettings): RoomWindow {
  return {
    opensAt: addMinutes(session.start_time, -settings.leadMinutes),
    closesAt: addMinutes(session.end_time, settings.graceMinutes),
  };
}

/** Whether the room of a scheduled or in-progress session may be entered at `now`. */
export function roomWindowState(session: Session, settings: RoomWindowSettings, now: Date): RoomWindowState {
  if (session.status === 'in_progress') return 'open';
  const { opensAt, closesAt } = roomWindow(session, settings);
  if (now < opensAt) return 'not_open_yet';
  if (now >= closesAt) return 'closed';
  return 'open';
}

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
    joined_at: dbTime(at),
    left_at: null,
  });
}

/** Sets `left_at` of open rows (never before their own join, whatever the processes' clocks). */
function closeStays(db: Db, open: Record<string, unknown>, at: Date) {
  return db('room_presence')
    .where(open)
    .whereNull('left_at')
    .update({ left_at: db.raw('CASE WHEN joined_at > ? THEN joined_at ELSE ? END', [dbTime(at), dbTime(at)]) });
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
  const stamp = dbTime(at);
  const present = trx('room_presence as p').where('p.session_id', sessionId).whereRaw('p.user_id = bookings.learner_id').select(trx.raw('1'));
  await trx('bookings').where({ session_id: sessionId, status: 'booked' }).whereExists(present).update({ status: 'attended', updated_at: stamp });
  await trx('bookings').where({ session_id: sessionId, status: 'booked' }).update({ status: 'no_show', updated_at: stamp });
}

// ---------------------------------------------------------------- figures

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
    Booking.query(db).where('session_id', sessionId).whereNot('status', 'cancelled').withGraphFetched('learner').orderBy('id'),
    presenceByUser(db, sessionId, now),
  ]);
  return bookings.map((booking) => ({ booking, learner: booking.learner!, presence: presence.get(booking.learner_id) ?? NEVER_CAME }));
}
