/** The few facts the bell and the dashboard take from `/ws` messages. */
import type { Schema } from './api.ts';
import type { ServerMessage } from './realtime.ts';

export interface NotificationUpdate {
  notification?: Schema<'Notification'>;
  unreadCount: number;
}

export interface SessionUpdate {
  sessionId: number;
  /** The whole session, when it changed (edited, readiness, started, …). */
  session?: Schema<'Session'>;
  /** The new participant count, when a learner booked or cancelled. */
  participantCount?: number;
}

/** A new notification with the unread count after it, or a new unread count alone. */
export function readNotificationUpdate(message: ServerMessage): NotificationUpdate | null {
  if (message.type === 'notification') return { notification: message.notification, unreadCount: message.unread_count };
  if (message.type === 'unread_count') return { unreadCount: message.unread_count };
  return null;
}

export function readSessionUpdate(message: ServerMessage): SessionUpdate | null {
  if (message.type === 'participant_count') return { sessionId: message.session, participantCount: message.participant_count };
  if (message.type === 'session_update') return { sessionId: message.session.id, session: message.session };
  return null;
}
