/**
 * The room window: the room opens `leadMinutes` (READY_LEAD_MINUTES) before the start and closes
 * `graceMinutes` (ROOM_GRACE_MINUTES) after the end; a session in progress keeps it open until it is
 * completed (docs/rules.md, "Attendance, no-shows and earnings").
 */
import { addMinutes } from '../lib/time.ts';
import type { Session } from '../models/index.ts';

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
