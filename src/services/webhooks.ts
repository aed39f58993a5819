/**
 * Webhook endpoints (register, change, rotate the secret, test), their deliveries (list, retry) and
 * the event feed. Routes check the caller's access before calling these. Sending is the worker's
 * (src/webhooks/worker.ts): these functions only write rows it picks up.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { WebhookConfig } from '../config.ts';
import { ApiError, invalidField, notFound } from '../errors.ts';
import { OutboxEvent, WebhookAttempt, WebhookDelivery, WebhookEndpoint, type DeliveryStatus, type User } from '../models/index.ts';
import { EVENT_TYPES, TEST_EVENT_TYPE, type EventType } from '../webhooks/eventTypes.ts';
import { messageBody } from '../webhooks/outbox.ts';
import { newSecret } from '../webhooks/send.ts';
import { urlRefusal } from '../webhooks/ssrf.ts';
import { SECRET_GRACE_MS } from '../webhooks/worker.ts';

type Db = Knex | Knex.Transaction;

/** The events an endpoint receives: some types, or `*` for every type (and any added later). */
export type EventFilter = Array<EventType | '*'>;

export interface NewEndpoint {
  url: string;
  events: EventFilter;
  description: string;
}

/** What may change on an endpoint; absent fields stay as they are. */
export interface EndpointChanges {
  url?: string;
  events?: EventFilter;
  description?: string;
  enabled?: boolean;
}

/** `*` anywhere in the filter means every type, stored as `['*']` alone. */
function normalizeFilter(events: EventFilter): EventFilter {
  return events.includes('*') ? ['*'] : events;
}

/** A 400 naming `url` and the rule it breaks (scheme, or a literal non-public address). */
function checkUrl(url: string, policy: WebhookConfig): void {
  const refusal = urlRefusal(url, policy);
  if (!refusal) return;
  throw new ApiError(400, refusal.code, 'Bad request', `The webhook URL ${refusal.message}.`, {
    errors: [{ in: 'body', path: 'url', message: refusal.message }],
  });
}

export async function createEndpoint(
  db: Db,
  actor: { actorId: number | null },
  input: NewEndpoint,
  policy: WebhookConfig,
): Promise<WebhookEndpoint> {
  checkUrl(input.url, policy);
  return WebhookEndpoint.query(db).insertAndFetch({
    url: input.url,
    description: input.description,
    events: normalizeFilter(input.events),
    enabled: true,
    secret: newSecret(),
    created_by: actor.actorId,
  });
}

export async function findEndpoint(db: Db, id: number): Promise<WebhookEndpoint> {
  const endpoint = await WebhookEndpoint.query(db).findById(id);
  if (!endpoint) throw notFound('Webhook endpoint');
  return endpoint;
}

export async function updateEndpoint(db: Db, id: number, changes: EndpointChanges, policy: WebhookConfig): Promise<WebhookEndpoint> {
  const endpoint = await findEndpoint(db, id);
  if (changes.url !== undefined) checkUrl(changes.url, policy);
  const patch: Partial<WebhookEndpoint> = {};
  if (changes.url !== undefined) patch.url = changes.url;
  if (changes.description !== undefined) patch.description = changes.description;
  if (changes.events !== undefined) patch.events = normalizeFilter(changes.events);
  if (changes.enabled !== undefined) {
    patch.enabled = changes.enabled;
    // Re-enabling starts a new health record: the 3-day clock restarts at the next failure.
    if (changes.enabled) Object.assign(patch, { failing_since: null, disabled_reason: null });
  }
  return endpoint.$query(db).patchAndFetch(patch);
}

/**
 * Deletes the endpoint with its deliveries and their log. The deliveries go first: the worker
 * locks a delivery before its endpoint, and deleting in the same order waits for it instead of
 * deadlocking with it (the cascade alone would lock the endpoint first).
 */
export async function deleteEndpoint(db: Knex, id: number): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('webhook_deliveries').where('endpoint_id', id).delete();
    const deleted = await trx('webhook_endpoints').where('id', id).delete();
    if (!deleted) throw notFound('Webhook endpoint');
  });
}

/** A new secret; the previous one keeps signing for 24 hours beside it. */
export async function rotateSecret(db: Db, id: number, now = new Date()): Promise<WebhookEndpoint> {
  const endpoint = await findEndpoint(db, id);
  return endpoint.$query(db).patchAndFetch({
    secret: newSecret(),
    previous_secret: endpoint.secret,
    previous_secret_expires_at: new Date(now.getTime() + SECRET_GRACE_MS),
  });
}

/** Queues a `webhook.test` message to the endpoint, due at once. */
export async function queueTest(db: Db, id: number, now = new Date()): Promise<WebhookDelivery> {
  const endpoint = await findEndpoint(db, id);
  return WebhookDelivery.query(db).insertAndFetch({
    endpoint_id: endpoint.id,
    event_id: null,
    message_id: `msg_test_${crypto.randomUUID().replace(/-/g, '')}`,
    event_type: TEST_EVENT_TYPE,
    payload: messageBody(TEST_EVENT_TYPE, now, { webhook: endpoint.id, message: 'A test message from Mentor Dashboard.' }),
    status: 'pending',
    next_attempt_at: now,
  });
}

/**
 * Sends a delivery again at once with the same `webhook-id` and body. A finished delivery gets one
 * attempt (it stays failed if that fails); a pending one keeps its remaining schedule. A delivery
 * being sent right now (leased) is left to that attempt.
 */
export async function retryDelivery(db: Db, endpointId: number, deliveryId: number, now = new Date()): Promise<WebhookDelivery> {
  const delivery = await WebhookDelivery.query(db).findOne({ id: deliveryId, endpoint_id: endpointId });
  if (!delivery) throw notFound('Delivery');
  await db('webhook_deliveries')
    .where('id', delivery.id)
    .where((q) => q.whereNull('lease_until').orWhere('lease_until', '<', now))
    .update({
      final_attempt: delivery.status !== 'pending',
      status: 'pending',
      next_attempt_at: now,
      updated_at: now,
    });
  return (await WebhookDelivery.query(db).findById(delivery.id))!;
}

export function deliveriesQuery(db: Db, endpointId: number, status: DeliveryStatus | undefined) {
  const q = WebhookDelivery.query(db).where('endpoint_id', endpointId).orderBy('id', 'desc');
  if (status) q.where('status', status);
  return q;
}

/** The attempts of each delivery, oldest first, in one query. */
export async function attemptsOf(db: Db, deliveries: WebhookDelivery[]): Promise<Map<number, WebhookAttempt[]>> {
  const byDelivery = new Map<number, WebhookAttempt[]>(deliveries.map((d) => [d.id, []]));
  if (deliveries.length === 0) return byDelivery;
  const attempts = await WebhookAttempt.query(db).whereIn('delivery_id', [...byDelivery.keys()]).orderBy('id');
  for (const a of attempts) byDelivery.get(a.delivery_id)?.push(a);
  return byDelivery;
}

export interface FeedQuery {
  after?: number;
  types?: string;
  limit?: number;
}

/** The feed: events after the cursor in id order, at most `limit`, and whether more are waiting. */
export async function readFeed(db: Db, query: FeedQuery): Promise<{ events: OutboxEvent[]; next: number; hasMore: boolean }> {
  const after = query.after ?? 0;
  const limit = query.limit ?? 100;
  const types = query.types ? [...new Set(query.types.split(','))] : undefined;
  const unknown = types?.filter((t) => !(EVENT_TYPES as readonly string[]).includes(t)) ?? [];
  if (unknown.length) invalidTypes(unknown);
  const q = OutboxEvent.query(db).where('id', '>', after).orderBy('id').limit(limit + 1);
  if (types) q.whereIn('type', types);
  const rows = await q;
  const events = rows.slice(0, limit);
  return { events, next: events.at(-1)?.id ?? after, hasMore: rows.length > limit };
}

function invalidTypes(unknown: string[]): never {
  throw invalidField('types', `unknown event type ${unknown.join(', ')}; known: ${EVENT_TYPES.join(', ')}`, 'query');
}

/**
 * Retention: events older than `days` and the finished deliveries of that age (with their
 * attempts) are deleted. Pending deliveries stay until they finish.
 */
export async function pruneEvents(db: Knex, days: number, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - days * 86_400_000);
  const events = await db('events').where('created_at', '<', cutoff).delete();
  await db('webhook_deliveries').whereNot('status', 'pending').where('created_at', '<', cutoff).delete();
  return events;
}
