/**
 * The transactional outbox. `inTransaction` (src/events.ts) calls `recordOutbox` with the domain
 * events a service recorded, just before COMMIT and in the same transaction:
 *
 * 1. each event a third party may care about becomes an `events` row whose `data` is the REST
 *    presenter's output for the resource, as of the end of the transaction;
 * 2. each such event gets one `webhook_deliveries` row per enabled endpoint subscribed to its
 *    type, due at once; the worker of some process (src/webhooks/worker.ts) sends it.
 *
 * So a committed change always has its event and its deliveries (a crash after COMMIT loses
 * nothing), and a rolled-back change has neither.
 *
 * Feed order: the `events` id is the feed's cursor, so an id must never become visible after a
 * larger one (a reader that passed it would skip it for good). On PostgreSQL ids come from a
 * sequence and transactions commit in any order, so the insert takes a transaction-scoped advisory
 * lock: the events of two transactions are numbered and committed one transaction after the
 * other. The lock is taken as the last step before COMMIT, so it is held for the insert and the
 * commit only. SQLite has a single writer, which gives the same order without a lock.
 */
import type { Knex } from 'knex';
import type { DomainEvent } from '../domainEvents.ts';
import type { RoomWindowSettings } from '../views/roomWindow.ts';
import { presentBooking } from '../presenters/booking.ts';
import { presentFeedback } from '../presenters/feedback.ts';
import { presentPayout } from '../presenters/payout.ts';
import { presentRequest } from '../presenters/request.ts';
import { presentSession } from '../presenters/session.ts';
import { presentAdminUser } from '../presenters/user.ts';
import { loadBookingView } from '../views/bookings.ts';
import { loadFeedbackViews } from '../views/feedback.ts';
import { loadRequestView } from '../views/requests.ts';
import { loadSessionView } from '../views/sessions.ts';
import type { EventType } from './eventTypes.ts';

/** Arbitrary, fixed key of the PostgreSQL advisory lock that orders event ids by commit. */
export const PG_OUTBOX_LOCK = 727_317_012;

export interface OutboxEntry {
  type: EventType;
  data: Record<string, unknown>;
}

const SESSION_CHANGES: Partial<Record<string, EventType>> = {
  published: 'session.published',
  updated: 'session.updated',
  rescheduled: 'session.updated',
  cancelled: 'session.cancelled',
  started: 'session.started',
  completed: 'session.completed',
};

const PAYOUT_STATUSES: Record<string, EventType> = {
  pending: 'payout.requested',
  approved: 'payout.approved',
  rejected: 'payout.rejected',
  paid: 'payout.paid',
};

/** The outbox entry for a domain event, or undefined for events that stay internal. */
export async function outboxEntry(trx: Knex.Transaction, event: DomainEvent, window: RoomWindowSettings): Promise<OutboxEntry | undefined> {
  switch (event.type) {
    case 'session.changed': {
      // A session created already scheduled (accepting a request) is published at birth; drafts
      // and readiness stay between the mentor and their learners.
      const type = event.change === 'created' ? (event.session.status === 'scheduled' ? 'session.published' : undefined) : SESSION_CHANGES[event.change];
      if (!type) return undefined;
      return { type, data: presentSession(await loadSessionView(trx, window, event.session)) };
    }
    case 'booking.created':
    case 'booking.cancelled':
      return { type: event.type, data: presentBooking(await loadBookingView(trx, event.booking)) };
    case 'request.changed':
      return { type: `request.${event.change}`, data: presentRequest(await loadRequestView(trx, event.request)) };
    case 'feedback.created': {
      const [view] = await loadFeedbackViews(trx, [event.feedback]);
      return { type: 'feedback.created', data: presentFeedback(view!) };
    }
    case 'payout.changed':
      return { type: PAYOUT_STATUSES[event.payout.status]!, data: presentPayout(event.payout) };
    case 'user.created':
      return { type: 'user.created', data: presentAdminUser(event.user) };
    default:
      return undefined;
  }
}

/** Whether an endpoint subscribed to `events` receives `type`. */
export function subscribes(events: readonly string[], type: string): boolean {
  return events.includes('*') || events.includes(type);
}

/** The body of a webhook message (Standard Webhooks: `{type, timestamp, data}`). */
export function messageBody(type: string, timestamp: Date, data: unknown): string {
  return JSON.stringify({ type, timestamp: timestamp.toISOString(), data });
}

/** The `webhook-id` of an event's messages: the same for every endpoint and every attempt. */
export const messageIdOf = (eventId: number) => `msg_evt_${eventId}`;

/**
 * Writes the outbox rows for `events` in `trx`; returns how many deliveries it queued. Must be the
 * transaction's last statement (it takes the ordering lock on PostgreSQL).
 */
export async function recordOutbox(trx: Knex.Transaction, events: readonly DomainEvent[], window: RoomWindowSettings): Promise<number> {
  if (events.length === 0) return 0;
  const entries: OutboxEntry[] = [];
  for (const event of events) {
    const entry = await outboxEntry(trx, event, window);
    if (entry) entries.push(entry);
  }
  if (entries.length === 0) return 0;
  const now = new Date();
  if (trx.client.config.client === 'pg') await trx.raw('SELECT pg_advisory_xact_lock(?)', [PG_OUTBOX_LOCK]);
  const inserted: Array<{ id: number } | number> = await trx('events')
    .insert(entries.map((e) => ({ type: e.type, data: JSON.stringify(e.data), created_at: now })))
    .returning('id');
  const ids = inserted.map((r) => Number(typeof r === 'object' ? r.id : r));

  const endpoints: Array<{ id: number; events: string }> = await trx('webhook_endpoints').where('enabled', true).select('id', 'events');
  if (endpoints.length === 0) return 0;
  const deliveries = [];
  for (const [i, entry] of entries.entries()) {
    const payload = messageBody(entry.type, now, entry.data);
    for (const endpoint of endpoints) {
      if (!subscribes(JSON.parse(endpoint.events) as string[], entry.type)) continue;
      deliveries.push({
        endpoint_id: endpoint.id,
        event_id: ids[i],
        message_id: messageIdOf(ids[i]!),
        event_type: entry.type,
        payload,
        status: 'pending',
        next_attempt_at: now,
        created_at: now,
        updated_at: now,
      });
    }
  }
  if (deliveries.length) await trx('webhook_deliveries').insert(deliveries);
  return deliveries.length;
}

type Listener = () => void;
const listeners = new Set<Listener>();

/** Called by `inTransaction` after a COMMIT that queued deliveries: wakes this process's worker. */
export function notifyOutboxWritten(): void {
  for (const listener of listeners) listener();
}

export function onOutboxWritten(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
