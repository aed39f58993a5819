/**
 * Fixtures for the hardening suites: the people of the authorization matrix and one record of
 * every kind, each in the state its operations need (a draft to publish, a session starting in ten
 * minutes to declare ready, one with both sides ready to start, one in progress to complete, a
 * completed one to rate, a pending request, a pending payout backed by earnings, …).
 *
 * People are built once per server; `buildRecords` builds a fresh set of records, so a test can
 * give every operation records no earlier request has changed.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { addMinutes } from '../../src/lib/time.ts';
import type { Operation } from '../../src/openapi/spec.ts';
import { ChatMessage, MentorRequest, Payout, WebhookDelivery, WebhookEndpoint, type ApiKey, type Booking, type Session, type User } from '../../src/models/index.ts';
import { createApiKey } from '../../src/services/apiKeys.ts';
import {
  buildAdmin,
  buildBooking,
  buildLearner,
  buildMentor,
  buildNotification,
  buildSession,
  PASSWORD,
  tokenFor,
} from '../helpers/factories.ts';
import type { TestServer } from '../helpers/server.ts';

export interface People {
  /** The mentor who owns every record below (sessions, requests to them, payouts, notifications). */
  owner: User;
  otherMentor: User;
  /** The learner holding the bookings below and asking the request below. */
  bookedLearner: User;
  /** A learner with no relation to any record. */
  learner: User;
  admin: User;
}

export type Person = keyof People;

export interface Records {
  /** scheduled, tomorrow, 3 seats, paid; `booking` is bookedLearner's seat; `chat` was said in it. */
  open: Session;
  booking: Booking;
  draft: Session;
  /** scheduled, starting in 10 minutes (inside the readiness window); nobody ready yet. */
  soon: Session;
  soonBooking: Booking;
  /** scheduled, starting in 10 minutes, mentor and bookedLearner ready. */
  startable: Session;
  /** in progress, bookedLearner seated. */
  live: Session;
  /** completed three days ago, bookedLearner attended (earnings of 50.00), no feedback yet. */
  done: Session;
  doneBooking: Booking;
  /** pending, from bookedLearner to owner. */
  request: MentorRequest;
  /** pending, owner's, 10.00 of the 50.00 earned on `done`. */
  payout: Payout;
  notification: { id: number };
  chat: ChatMessage;
  /** A learner for the admin user operations to look at and change. */
  account: User;
  /** An API key (scopes `platform:users`, `platform:tokens`) created by the admin. */
  apiKey: ApiKey;
  /** A mentor provisioned by a host platform (`external_id` set, no password). */
  platformUser: User;
  /** A webhook endpoint (never contacted: tests run no delivery worker) and a delivery to it. */
  webhook: WebhookEndpoint;
  webhookDelivery: WebhookDelivery;
}

export type RecordKey = keyof Records;

export async function buildPeople(db: Knex): Promise<People> {
  return {
    owner: await buildMentor(db),
    otherMentor: await buildMentor(db),
    bookedLearner: await buildLearner(db),
    learner: await buildLearner(db),
    admin: await buildAdmin(db),
  };
}

export async function buildRecords(db: Knex, people: People): Promise<Records> {
  const { owner, bookedLearner } = people;
  const now = new Date();
  const mentor_id = owner.id;
  const seat = (session: Session, attrs: Partial<Booking> = {}) => buildBooking(db, { session, learner_id: bookedLearner.id, ...attrs });

  const open = await buildSession(db, { mentor_id, capacity: 3, price_cents: 2500, start_time: addMinutes(now, 24 * 60) });
  const booking = await seat(open);
  const draft = await buildSession(db, { mentor_id, status: 'draft', start_time: addMinutes(now, 48 * 60) });
  const soon = await buildSession(db, { mentor_id, capacity: 3, start_time: addMinutes(now, 10) });
  const soonBooking = await seat(soon);
  const startable = await buildSession(db, { mentor_id, start_time: addMinutes(now, 10), mentor_ready_at: now });
  await seat(startable, { learner_ready_at: now });
  const live = await buildSession(db, { mentor_id, status: 'in_progress', start_time: addMinutes(now, -10), started_at: now });
  await seat(live, { learner_ready_at: now });
  const done = await buildSession(db, { mentor_id, status: 'completed', price_cents: 5000, start_time: addMinutes(now, -3 * 24 * 60), ended_at: now });
  const doneBooking = await seat(done, { status: 'attended' });

  const request = await MentorRequest.query(db).insertAndFetch({
    learner_id: bookedLearner.id,
    mentor_id,
    topic: 'Code review',
    message: 'Please look at my pull request.',
    preferred_times: [addMinutes(now, 3 * 24 * 60).toISOString()],
    status: 'pending',
  });
  const payout = await Payout.query(db).insertAndFetch({ mentor_id, amount_cents: 1000, currency: 'USD', status: 'pending' });
  const notification = await buildNotification(db, { user_id: owner.id, message: 'Welcome' });
  const chat = await ChatMessage.query(db).insertAndFetch({ session_id: open.id, sender_id: owner.id, body: 'Hello, class' });
  const account = await buildLearner(db);
  const { apiKey } = await createApiKey(db, people.admin, { name: 'Host', scopes: ['platform:users', 'platform:tokens'] });
  const externalId = `ext-${crypto.randomBytes(6).toString('hex')}`;
  const platformUser = await buildMentor(db, { external_id: externalId, password_hash: null, email: `${externalId}@host.example` });
  const webhook = await WebhookEndpoint.query(db).insertAndFetch({ url: 'https://hooks.example.test/world', events: ['*'], secret: 'whsec_d29ybGQtc2VjcmV0LWZvci10ZXN0cw==' });
  const webhookDelivery = await WebhookDelivery.query(db).insertAndFetch({
    endpoint_id: webhook.id,
    message_id: `msg_world_${webhook.id}`,
    event_type: 'webhook.test',
    payload: '{}',
    status: 'failed',
  });
  return { open, booking, draft, soon, soonBooking, startable, live, done, doneBooking, request, payout, notification, chat, account, apiKey, platformUser, webhook, webhookDelivery };
}

/** Access tokens of everyone, signed with the server's key. */
export function tokensOf(server: TestServer, people: People): Record<Person, string> {
  return Object.fromEntries(Object.entries(people).map(([k, u]) => [k, tokenFor(server, u)])) as Record<Person, string>;
}

/** Every id of every record: the fuzzer mixes them into id-like values so requests reach real rows. */
export function allIds(people: People, records: Records): number[] {
  const ids = new Set<number>();
  for (const value of [...Object.values(people), ...Object.values(records)]) ids.add((value as { id: number }).id);
  return [...ids].sort((a, b) => a - b);
}

/** What request builders (authz-matrix.ts) may use. */
export interface RequestContext {
  people: People;
  records: Records;
  /** A refresh token of the owner, fresh for each call (they rotate). */
  refreshToken(): Promise<string>;
  /** A string unique within the run (usernames, e-mails). */
  unique(): string;
}

let sequence = 0;

export function requestContext(server: TestServer, people: People, records: Records): RequestContext {
  return {
    people,
    records,
    unique: () => `${Date.now().toString(36)}_${++sequence}_${crypto.randomBytes(2).toString('hex')}`,
    refreshToken: async () => {
      const res = await server.api.post('/api/auth/token/', { username: people.owner.username, password: PASSWORD });
      return res.body.refresh as string;
    },
  };
}

/**
 * The operation's path with `{id}` replaced by the id of `target` (a record, or a person for user
 * ids), and `{external_id}` by the provisioned user's.
 */
export function pathFor(op: Operation, target: RecordKey | Person | undefined, people: People, records: Records): string {
  if (op.path.includes('{external_id}')) return op.path.replace('{external_id}', encodeURIComponent(records.platformUser.external_id!));
  if (!op.path.includes('{id}')) return op.path;
  if (!target) throw new Error(`${op.operationId}: the path has an id, so a target record is needed`);
  const record = (records as unknown as Record<string, { id: number }>)[target] ?? people[target as Person];
  return op.path.replace('{id}', String(record.id)).replace('{delivery_id}', String(records.webhookDelivery.id));
}
