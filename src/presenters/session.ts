/**
 * Session presenter. Pure: what it needs beyond the row (the mentor, how many learners are ready,
 * the caller's booking) is loaded in one batch by `loadSessionViews` (src/views/sessions.ts),
 * so listing 100 sessions costs a constant number of queries.
 */
import type { Schema } from '../contract/types.ts';
import { formatCentsOrNull } from '../lib/money.ts';
import { addMinutes, iso } from '../lib/time.ts';
import type { Session, User } from '../models/index.ts';
import { presentUserSummary } from './user.ts';
import type { SessionView } from '../views/sessions.ts';

export function canStart(session: Session, readyLearnerCount: number): boolean {
  return (
    (session.status === 'scheduled' || session.status === 'in_progress') &&
    session.mentor_ready_at !== null &&
    readyLearnerCount > 0
  );
}

export function presentSession(view: SessionView): Schema<'Session'> {
  const { session: s, mentor, readyLearnerCount, myBooking, roomWindow } = view;
  return {
    id: s.id,
    mentor: s.mentor_id,
    mentor_summary: presentUserSummary(mentor),
    title: s.title,
    description: s.description,
    start_time: iso(s.start_time),
    end_time: iso(s.end_time),
    duration: s.duration,
    status: s.status,
    price: formatCentsOrNull(s.price_cents),
    currency: s.currency,
    capacity: s.capacity,
    participant_count: s.booked_count,
    spots_left: Math.max(0, s.capacity - s.booked_count),
    mentor_ready: s.mentor_ready_at !== null,
    mentor_ready_at: iso(s.mentor_ready_at),
    // Readiness and the room open together, READY_LEAD_MINUTES before the start.
    ready_opens_at: iso(roomWindow.opensAt),
    ready_learner_count: readyLearnerCount,
    can_start: canStart(s, readyLearnerCount),
    started_at: iso(s.started_at),
    ended_at: iso(s.ended_at),
    cancelled_at: iso(s.cancelled_at),
    cancel_reason: s.cancel_reason,
    created_at: iso(s.created_at),
    updated_at: iso(s.updated_at),
    my_booking: myBooking,
    room_opens_at: iso(roomWindow.opensAt),
    room_closes_at: iso(roomWindow.closesAt),
  };
}
