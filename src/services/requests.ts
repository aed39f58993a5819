/**
 * A learner's request for a session with a mentor: create, list, accept (which schedules a
 * one-to-one session with the learner booked), decline, cancel.
 *
 * Every answer moves a request out of `pending` with a conditional UPDATE (`WHERE status =
 * 'pending'`) whose row count decides who won: two answers racing on PostgreSQL serialise on the
 * row lock and the loser sees zero rows, so an accept and a decline can never both succeed.
 */
import type { Knex } from 'knex';
import type { ActorTx } from '../events.ts';
import { conflict, invalidField, tooManyRequests, validationFailed, type FieldError } from '../errors.ts';
import type { RateLimiter } from '../lib/rateLimiter.ts';
import { addMinutes } from '../lib/time.ts';
import { Booking, MentorRequest, Session, User, type RequestStatus } from '../models/index.ts';
import { links, notify } from './notifications.ts';
import { findActiveMentor } from './profile.ts';
import { lockMentor } from './sessions.ts';


export const DEFAULT_ACCEPT_DURATION = 60;

/** A learner's request as the workflow takes it, decoded at the route: preferred times are instants. */
export interface NewRequest {
  mentor: number;
  topic: string;
  message?: string;
  preferredTimes: Date[];
}

/**
 * A mentor's acceptance, decoded at the route: the slot's start an instant, the price integer cents
 * (null: free). Absent optional fields default to 60 minutes and the request's topic and message.
 */
export interface AcceptInput {
  startTime: Date;
  duration?: number;
  title?: string;
  description?: string;
  priceCents: number | null;
}

/**
 * Each preferred time as a UTC ISO string, with a field error naming the index of every time in
 * the past and every repeat of an earlier instant (`10:00Z` and `11:00+01:00` are one time).
 */
function normalisePreferredTimes(times: Date[], now: Date): { times: string[]; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const normalised: string[] = [];
  times.forEach((at, i) => {
    const path = `preferred_times.${i}`;
    if (at <= now) errors.push({ in: 'body', path, message: 'must be in the future' });
    else if (normalised.includes(at.toISOString())) errors.push({ in: 'body', path, message: 'repeats an earlier preferred time' });
    normalised.push(at.toISOString());
  });
  return { times: normalised, errors };
}

export interface RequestLimits {
  /** Pending requests a learner may have with one mentor at a time. */
  maxPending: number;
  /** New requests a learner may send per window, whatever their outcome. */
  rate: { max: number; windowSeconds: number };
}

/**
 * Counts one request-creation attempt of the learner; 429 with Retry-After once they sent more than
 * `rate.max` in the window (shared by every process when the limiter is Redis-backed).
 */
export async function countRequestAttempt(rateLimiter: RateLimiter, learnerId: number, limits: RequestLimits): Promise<void> {
  const { count, retryAfter } = await rateLimiter.hit(`requests:learner:${learnerId}`, limits.rate.windowSeconds);
  if (count > limits.rate.max) {
    throw tooManyRequests(retryAfter, `You sent more than ${limits.rate.max} session requests recently; try again later.`);
  }
}

/**
 * 409 once the learner already has `maxPending` pending requests with the mentor. Counted under
 * the learner's row lock, so concurrent creations of one learner are decided one after another
 * (SQLite's single connection already serialises them) and never pass the limit together.
 */
async function assertPendingRoom(trx: Knex.Transaction, learnerId: number, mentorId: number, maxPending: number): Promise<void> {
  await User.query(trx).findById(learnerId).forUpdate();
  const row = await trx('requests').where({ learner_id: learnerId, mentor_id: mentorId, status: 'pending' }).count({ n: '*' }).first();
  if (Number(row?.n ?? 0) < maxPending) return;
  throw conflict(
    `You already have ${maxPending} pending request${maxPending === 1 ? '' : 's'} with this mentor; wait for an answer or withdraw one before asking again.`,
    'too_many_pending_requests',
  );
}

export async function createRequest({ actor, ...tx }: ActorTx, input: NewRequest, limits: Pick<RequestLimits, 'maxPending'>): Promise<MentorRequest> {
  const preferred = normalisePreferredTimes(input.preferredTimes, new Date());
  const mentor = await findActiveMentor(tx.trx, input.mentor);
  const errors: FieldError[] = mentor ? [] : [{ in: 'body', path: 'mentor', message: 'must be the id of an active mentor' }];
  errors.push(...preferred.errors);
  if (!mentor || errors.length) throw validationFailed(errors);
  await assertPendingRoom(tx.trx, actor.id, mentor.id, limits.maxPending);
  const request = await MentorRequest.query(tx.trx).insertAndFetch({
    learner_id: actor.id,
    mentor_id: mentor.id,
    topic: input.topic,
    message: input.message ?? '',
    preferred_times: preferred.times,
    status: 'pending',
    session_id: null,
    decline_reason: null,
    responded_at: null,
  });
  await notify(tx, {
    userId: mentor.id,
    type: 'request_created',
    message: `New request from ${actor.displayName}: ${request.topic}`,
    link: links.requests,
    data: { request: request.id },
  });
  tx.emit({ type: 'request.changed', request, change: 'created' });
  return request;
}

function notPending(status: RequestStatus) {
  return conflict(
    `This request is ${status}; only a pending request can be accepted, declined or withdrawn.`,
    'request_not_pending',
  );
}

function requirePending(request: MentorRequest): void {
  if (request.status !== 'pending') throw notPending(request.status);
}

/**
 * Moves a pending request to `status` with `changes` and returns the updated row; a 409 when
 * another answer got there first (the row count of the conditional UPDATE decides).
 */
async function leavePending(
  trx: Knex.Transaction,
  request: MentorRequest,
  status: Exclude<RequestStatus, 'pending'>,
  changes: Partial<Pick<MentorRequest, 'session_id' | 'decline_reason' | 'responded_at'>>,
): Promise<MentorRequest> {
  const updated = await MentorRequest.query(trx)
    .where({ id: request.id, status: 'pending' })
    .patch({ ...changes, status });
  const current = await MentorRequest.query(trx).findById(request.id);
  if (updated !== 1 || !current) throw notPending(current?.status ?? request.status);
  return current;
}

/**
 * The mentor accepts with a time slot: a scheduled one-to-one session owned by the mentor, the
 * learner's booking on it and the request's new state are written in the caller's transaction,
 * so either all three exist or none does.
 */
export async function acceptRequest(
  { actor, ...tx }: ActorTx,
  request: MentorRequest,
  input: AcceptInput,
): Promise<{ request: MentorRequest; session: Session; booking: Booking }> {
  requirePending(request);
  const start = input.startTime;
  if (start <= new Date()) throw invalidField('start_time', 'must be in the future');
  const priceCents = input.priceCents;
  const duration = input.duration ?? DEFAULT_ACCEPT_DURATION;
  // The price is in the mentor's committed currency, serialised with currency changes.
  const mentor = await lockMentor(tx.trx, actor.id);

  const session = await Session.query(tx.trx).insertAndFetch({
    mentor_id: actor.id,
    title: input.title ?? request.topic,
    description: input.description ?? request.message,
    start_time: start,
    duration,
    end_time: addMinutes(start, duration),
    status: 'scheduled',
    price_cents: priceCents,
    currency: mentor.currency,
    capacity: 1,
    booked_count: 1,
  });
  const booking = await Booking.query(tx.trx).insertAndFetch({
    session_id: session.id,
    learner_id: request.learner_id,
    status: 'booked',
    payment_amount_cents: priceCents ?? 0,
    currency: session.currency,
  });
  const accepted = await leavePending(tx.trx, request, 'accepted', {
    session_id: session.id,
    responded_at: new Date(),
  });

  await notify(tx, {
    userId: request.learner_id,
    type: 'request_accepted',
    message: `${actor.displayName} accepted your request "${request.topic}": session on ${start.toISOString()}.`,
    link: links.session(session.id),
    data: { request: request.id, session: session.id, booking: booking.id },
  });
  tx.emit({ type: 'session.changed', session, change: 'created' });
  tx.emit({ type: 'booking.created', booking, session });
  tx.emit({ type: 'request.changed', request: accepted, change: 'accepted' });
  return { request: accepted, session, booking };
}

export async function declineRequest({ actor, ...tx }: ActorTx, request: MentorRequest, reason?: string): Promise<MentorRequest> {
  requirePending(request);
  const why = reason?.trim() ? reason.trim() : null;
  const declined = await leavePending(tx.trx, request, 'declined', {
    decline_reason: why,
    responded_at: new Date(),
  });
  await notify(tx, {
    userId: request.learner_id,
    type: 'request_declined',
    message: `${actor.displayName} declined your request "${request.topic}"${why ? `. Reason: ${why}` : '.'}`,
    link: links.requests,
    data: { request: request.id },
  });
  tx.emit({ type: 'request.changed', request: declined, change: 'declined' });
  return declined;
}

export async function cancelRequest({ actor, ...tx }: ActorTx, request: MentorRequest): Promise<MentorRequest> {
  requirePending(request);
  const cancelled = await leavePending(tx.trx, request, 'cancelled', {});
  await notify(tx, {
    userId: request.mentor_id,
    type: 'request_cancelled',
    message: `${actor.displayName} withdrew their request "${request.topic}".`,
    link: links.requests,
    data: { request: request.id },
  });
  tx.emit({ type: 'request.changed', request: cancelled, change: 'cancelled' });
  return cancelled;
}

/** The requests a user may list: a mentor's incoming ones (pending by default), a learner's own. */
export function requestsVisibleTo(db: Knex, user: User, status: RequestStatus | 'all' | undefined) {
  const mentorView = user.role === 'mentor';
  const query = MentorRequest.query(db).where(mentorView ? 'mentor_id' : 'learner_id', user.id);
  const filter = status ?? (mentorView ? 'pending' : 'all');
  if (filter !== 'all') query.where('status', filter);
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc');
}
