/**
 * What the domain events are (types only). The bus and `inTransaction` are src/events.ts; the
 * outbox (src/webhooks/outbox.ts) reads these types without importing the bus.
 */
import type { Booking, ChatMessage, Feedback, MentorRequest, Notification, Payout, Session, User } from './models/index.ts';

export type SessionChange =
  | 'created'
  | 'updated'
  | 'rescheduled'
  | 'published'
  | 'cancelled'
  | 'mentor_ready'
  | 'learner_ready'
  | 'started'
  | 'completed';

export type DomainEvent =
  | { type: 'notification.created'; notification: Notification }
  | { type: 'notifications.read'; userId: number }
  | { type: 'booking.created'; booking: Booking; session: Session }
  | { type: 'booking.cancelled'; booking: Booking; session: Session }
  | { type: 'session.changed'; session: Session; change: SessionChange; booking?: Booking }
  | { type: 'chat.message'; message: ChatMessage }
  | { type: 'payout.changed'; payout: Payout }
  | { type: 'user.deactivated'; userId: number }
  | { type: 'user.created'; user: User }
  | { type: 'request.changed'; request: MentorRequest; change: 'created' | 'accepted' | 'declined' | 'cancelled' }
  | { type: 'feedback.created'; feedback: Feedback };

export type DomainEventType = DomainEvent['type'];
export type EventOf<T extends DomainEventType> = Extract<DomainEvent, { type: T }>;
