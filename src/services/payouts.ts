/**
 * Payouts: a mentor asks for (part of) their available balance; admins approve, reject or mark
 * it paid. Two guarantees hold under concurrency:
 *
 * - The balance is never overdrawn. Each request locks the mentor's user row before reading the
 *   balance (`SELECT … FOR UPDATE` on PostgreSQL; SQLite's single pooled connection already runs
 *   one transaction at a time), so a mentor's requests are decided one after another.
 * - An `Idempotency-Key` never pays twice. The unique index (mentor_id, idempotency_key) is the
 *   guarantee; a retry finds the first payout and replays it, and the same key with another body
 *   (compared by `request_hash`) is refused with 422.
 *
 * Transitions are a conditional UPDATE on the expected statuses, so two admins acting at once
 * never both win.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { UniqueViolationError } from 'objection';
import type { Tx } from '../events.ts';
import { conflict, invalidField, notFound, unprocessable } from '../errors.ts';
import { formatCents } from '../lib/money.ts';
import { Payout, User, type PayoutStatus } from '../models/index.ts';
import { mentorBalance } from '../views/earnings.ts';
import { links, notify } from './notifications.ts';

type Db = Knex | Knex.Transaction;

interface ServiceContext extends Tx {
  actor: User;
}

export interface PayoutRequest {
  amountCents: number;
  note: string | null;
  idempotencyKey: string | null;
}

export interface PayoutOutcome {
  payout: Payout;
  /** True when an earlier request with the same Idempotency-Key is answered again. */
  replayed: boolean;
}

/** What an Idempotency-Key was first used for: the amount and the note. */
function requestHash(input: PayoutRequest): string {
  return crypto.createHash('sha256').update(JSON.stringify([input.amountCents, input.note])).digest('hex');
}

function replay(earlier: Payout, hash: string): PayoutOutcome {
  if (earlier.request_hash !== hash) {
    throw unprocessable(
      'This Idempotency-Key was already used for a payout request with a different amount or note; use a new key for a new request.',
      'idempotency_key_reused',
    );
  }
  return { payout: earlier, replayed: true };
}

const findByKey = (db: Db, mentorId: number, key: string) =>
  Payout.query(db).findOne({ mentor_id: mentorId, idempotency_key: key });

const amountText = (p: Pick<Payout, 'amount_cents' | 'currency'>) => `${formatCents(p.amount_cents)} ${p.currency}`;

/**
 * Creates a pending payout in the mentor's currency (read under the lock, so it is the committed
 * one), against the balance in that same currency; or replays the one made with the same key.
 */
export async function requestPayout({ actor, trx, emit }: ServiceContext, input: PayoutRequest): Promise<PayoutOutcome> {
  if (input.amountCents <= 0) throw invalidField('amount', 'must be greater than zero');
  const mentor = await User.query(trx).findById(actor.id).forUpdate();
  if (!mentor) throw notFound('User');
  const hash = requestHash(input);
  if (input.idempotencyKey) {
    const earlier = await findByKey(trx, mentor.id, input.idempotencyKey);
    if (earlier) return replay(earlier, hash);
  }

  const { availableCents } = await mentorBalance(trx, mentor.id, mentor.currency);
  if (input.amountCents > availableCents) {
    throw conflict(
      `The amount exceeds available balance: ${formatCents(availableCents)} ${mentor.currency} can be paid out.`,
      'insufficient_balance',
    );
  }

  let payout: Payout;
  try {
    // In a savepoint, so that a unique violation leaves the transaction usable for the re-read.
    payout = await trx.transaction(async (sp) =>
      Payout.query(sp).insertAndFetch({
        mentor_id: mentor.id,
        amount_cents: input.amountCents,
        currency: mentor.currency,
        status: 'pending',
        note: input.note,
        idempotency_key: input.idempotencyKey,
        request_hash: hash,
      }),
    );
  } catch (err) {
    // Only reachable if a request with this key committed without taking the mentor lock above;
    // the index still decides, and the answer is the same as for an ordinary retry.
    if (!(err instanceof UniqueViolationError) || !input.idempotencyKey) throw err;
    return replay((await findByKey(trx, mentor.id, input.idempotencyKey))!, hash);
  }

  const admins = await User.query(trx).where({ is_admin: true, is_active: true }).whereNot('id', mentor.id).select('id');
  await notify(
    { trx, emit },
    admins.map((admin) => ({
      userId: admin.id,
      type: 'payout_requested' as const,
      // Admins process payouts with `mentorctl`; the payout id is what they need there.
      message: `${mentor.displayName} requested a payout of ${amountText(payout)} (payout #${payout.id}).`,
      link: null,
      data: { payout: payout.id },
    })),
  );
  emit({ type: 'payout.changed', payout });
  return { payout, replayed: false };
}

export interface PayoutFilters {
  mentor?: number;
  status?: PayoutStatus;
}

/** Payouts matching the filters, newest first (a mentor's history) or oldest first (the admin queue). */
export function payoutsQuery(db: Db, filters: PayoutFilters, order: 'newest' | 'oldest') {
  const direction = order === 'newest' ? 'desc' : 'asc';
  const q = Payout.query(db).orderBy([
    { column: 'requested_at', order: direction },
    { column: 'id', order: direction },
  ]);
  if (filters.mentor !== undefined) q.where('mentor_id', filters.mentor);
  if (filters.status !== undefined) q.where('status', filters.status);
  return q;
}

export type PayoutAction = 'approve' | 'reject' | 'mark_paid';

const TRANSITIONS: Record<PayoutAction, { from: PayoutStatus[]; to: PayoutStatus; verb: string; type: 'payout_approved' | 'payout_rejected' | 'payout_paid' }> = {
  approve: { from: ['pending'], to: 'approved', verb: 'approved', type: 'payout_approved' },
  // A rejected payout no longer counts against the balance: the money is available again.
  reject: { from: ['pending', 'approved'], to: 'rejected', verb: 'rejected', type: 'payout_rejected' },
  mark_paid: { from: ['pending', 'approved'], to: 'paid', verb: 'marked paid', type: 'payout_paid' },
};

const withArticle = (status: PayoutStatus) => `${/^[aeiou]/.test(status) ? 'An' : 'A'} ${status}`;

/**
 * Applies an admin's decision: records the note, the time and the admin, and notifies the mentor.
 * 409 when the payout is not in a status the action starts from (including when another admin
 * changed it a moment ago: the UPDATE only matches the expected statuses).
 */
export async function decidePayout(
  { actor, trx, emit }: ServiceContext,
  payout: Payout,
  action: PayoutAction,
  note: string | null,
): Promise<Payout> {
  const t = TRANSITIONS[action];
  const changed = await Payout.query(trx)
    .findById(payout.id)
    .whereIn('status', t.from)
    .patch({ status: t.to, admin_note: note, processed_at: new Date(), processed_by: actor.id });
  const current = await Payout.query(trx).findById(payout.id);
  if (!current) throw notFound('Payout');
  if (changed === 0) throw conflict(`${withArticle(current.status)} payout cannot be ${t.verb}.`, 'invalid_payout_transition');

  await notify(
    { trx, emit },
    {
      userId: current.mentor_id,
      type: t.type,
      message: `Your payout of ${amountText(current)} was ${t.verb}.${note ? ` Note: ${note}` : ''}`,
      link: links.earnings,
      data: { payout: current.id },
    },
  );
  emit({ type: 'payout.changed', payout: current });
  return current;
}
