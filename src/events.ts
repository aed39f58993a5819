/**
 * Domain events. Services record events while their transaction runs; `inTransaction` publishes
 * them only after COMMIT, so no subscriber (the WebSocket hub, the scheduler, tests) ever sees an
 * event for a write that was rolled back. Routes never talk to sockets: the hub subscribes here.
 */
import type { Knex } from 'knex';
import type { Booking, ChatMessage, Notification, Payout, Session } from './models/index.ts';

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
  | { type: 'user.deactivated'; userId: number };

export type DomainEventType = DomainEvent['type'];
export type EventOf<T extends DomainEventType> = Extract<DomainEvent, { type: T }>;
export type EventHandler = (event: DomainEvent) => void | Promise<void>;

export class EventBus {
  #handlers = new Set<EventHandler>();
  #onError: (err: unknown, event: DomainEvent) => void;

  constructor(onError: (err: unknown, event: DomainEvent) => void = () => {}) {
    this.#onError = onError;
  }

  /** Subscribes to every event; returns the unsubscribe function. */
  subscribe(handler: EventHandler): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  publish(event: DomainEvent): void {
    for (const handler of this.#handlers) {
      try {
        const result = handler(event);
        if (result && typeof (result as Promise<void>).catch === 'function') {
          (result as Promise<void>).catch((err) => this.#onError(err, event));
        }
      } catch (err) {
        this.#onError(err, event);
      }
    }
  }
}

/** What a service needs to do its work: who is asking, the open transaction, and `emit`. */
export interface Tx {
  trx: Knex.Transaction;
  /** Records an event, published after the transaction commits. */
  emit(event: DomainEvent): void;
}

/** Runs `fn` in a transaction and publishes the events it recorded once the commit succeeded. */
export async function inTransaction<T>(db: Knex, bus: EventBus, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const events: DomainEvent[] = [];
  const result = await db.transaction(async (trx) => fn({ trx, emit: (e) => events.push(e) }));
  for (const event of events) bus.publish(event);
  return result;
}
