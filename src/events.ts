/**
 * Domain events. Services record events while their transaction runs; `inTransaction` publishes
 * them only after COMMIT, so no subscriber (the WebSocket hub, the scheduler, tests) ever sees an
 * event for a write that was rolled back. Routes never talk to sockets: the hub subscribes here.
 */
import type { Knex } from 'knex';
import type { DomainEvent } from './domainEvents.ts';
import type { User } from './models/index.ts';
import { DEFAULT_ROOM_WINDOW, type RoomWindowSettings } from './views/roomWindow.ts';
import { notifyOutboxWritten, recordOutbox } from './webhooks/outbox.ts';

export type { DomainEvent, DomainEventType, EventOf, SessionChange } from './domainEvents.ts';

export type EventHandler = (event: DomainEvent) => void | Promise<void>;

export class EventBus {
  #handlers = new Set<EventHandler>();
  #onError: (err: unknown, event: DomainEvent) => void;
  /**
   * The room window the deployment is configured with: outbox rows present sessions as a GET
   * does, and a session's JSON carries when its room opens and closes.
   */
  readonly roomWindow: RoomWindowSettings;

  constructor(
    onError: (err: unknown, event: DomainEvent) => void = () => {},
    roomWindow: RoomWindowSettings = DEFAULT_ROOM_WINDOW,
  ) {
    this.#onError = onError;
    this.roomWindow = roomWindow;
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

/** A `Tx` on behalf of a signed-in user: the services' usual first argument. */
export type ActorTx = Tx & { actor: User };

/**
 * Runs `fn` in a transaction and publishes the events it recorded once the commit succeeded.
 * Before COMMIT, the events a third party may care about are written to the outbox (the `events`
 * table, with a webhook delivery per subscribed endpoint) in the same transaction: a committed
 * change always has its event row, a rolled-back one never has (src/webhooks/outbox.ts).
 */
export async function inTransaction<T>(db: Knex, bus: EventBus, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const events: DomainEvent[] = [];
  let deliveries = 0;
  const result = await db.transaction(async (trx) => {
    const value = await fn({ trx, emit: (e) => events.push(e) });
    deliveries = await recordOutbox(trx, events, bus.roomWindow);
    return value;
  });
  if (deliveries > 0) notifyOutboxWritten();
  for (const event of events) bus.publish(event);
  return result;
}
