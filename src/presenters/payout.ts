/** Payout presenter: the mentor's history, the admin queue and the realtime push share it. */
import type { Schema } from '../contract/types.ts';
import { formatCents } from '../lib/money.ts';
import { iso } from '../lib/time.ts';
import type { Payout } from '../models/index.ts';

export function presentPayout(p: Payout): Schema<'Payout'> {
  return {
    id: p.id,
    mentor: p.mentor_id,
    amount: formatCents(p.amount_cents),
    currency: p.currency,
    status: p.status,
    note: p.note,
    admin_note: p.admin_note,
    idempotency_key: p.idempotency_key,
    requested_at: iso(p.requested_at),
    processed_at: iso(p.processed_at),
    processed_by: p.processed_by,
  };
}
