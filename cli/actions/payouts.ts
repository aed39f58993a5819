/** `mentorctl payouts …`: the payout queue, through the admin API. */
import type { Schema } from '../../src/contract/types.ts';
import { collectPages, connect, expectOk, type ApiClient } from '../lib/api.ts';
import type { GlobalOptions } from '../lib/options.ts';
import { printJson, printLine, printTable, shortTime, statusColor, success } from '../lib/output.ts';
import { confirmOrAbort } from '../lib/prompts.ts';

type Payout = Schema<'Payout'>;

export interface ListPayoutsOptions {
  status?: Schema<'PayoutStatus'>;
  mentor?: number;
  limit?: number;
  json?: boolean;
}

/** Usernames of the mentors, so the table can show who is to be paid (ids when unknown). */
async function mentorNames(client: ApiClient): Promise<Map<number, string>> {
  const mentors = await collectPages((page, page_size) =>
    expectOk(client.GET('/api/admin/users/', { params: { query: { role: 'mentor', page, page_size } } })),
  );
  return new Map(mentors.map((m) => [m.id, m.username]));
}

/** JSON shape: an array of `Payout` (openapi.yaml), oldest first. */
export async function listPayouts(opts: ListPayoutsOptions, globals: GlobalOptions): Promise<void> {
  const { client } = connect(globals.url);
  const payouts = await collectPages(
    (page, page_size) =>
      expectOk(client.GET('/api/admin/payouts/', { params: { query: { status: opts.status, mentor: opts.mentor, page, page_size } } })),
    opts.limit,
  );
  if (opts.json) {
    printJson(payouts);
    return;
  }
  if (payouts.length === 0) {
    printLine('No payouts match.');
    return;
  }
  const names = await mentorNames(client);
  printTable<Payout>(payouts, [
    { header: 'ID', value: (p) => String(p.id), align: 'right' },
    { header: 'MENTOR', value: (p) => `${names.get(p.mentor) ?? '?'} (${p.mentor})`, max: 28 },
    { header: 'AMOUNT', value: (p) => `${p.amount} ${p.currency}`, align: 'right' },
    { header: 'STATUS', value: (p) => p.status, color: statusColor },
    { header: 'REQUESTED (UTC)', value: (p) => shortTime(p.requested_at) },
    { header: 'PROCESSED (UTC)', value: (p) => shortTime(p.processed_at) },
    { header: 'NOTE', value: (p) => p.admin_note ?? p.note ?? '', max: 40 },
  ]);
}

export interface DecisionOptions {
  note?: string;
  yes?: boolean;
  json?: boolean;
}

type Decision = 'approve' | 'reject' | 'mark-paid';

const DECISIONS = {
  approve: { path: '/api/admin/payouts/{id}/approve/', done: 'Approved', confirm: undefined },
  reject: {
    path: '/api/admin/payouts/{id}/reject/',
    done: 'Rejected',
    confirm: (id: number) => `Reject payout #${id}? The amount returns to the mentor's balance and they are notified.`,
  },
  'mark-paid': {
    path: '/api/admin/payouts/{id}/mark-paid/',
    done: 'Marked as paid',
    confirm: (id: number) => `Mark payout #${id} as paid? Do this once the money has been sent; it cannot be undone.`,
  },
} as const;

/** JSON shape: the updated `Payout`. */
export async function decide(decision: Decision, id: number, opts: DecisionOptions, globals: GlobalOptions): Promise<void> {
  const { client } = connect(globals.url);
  const { path, done, confirm } = DECISIONS[decision];
  if (confirm) await confirmOrAbort({ yes: opts.yes, message: confirm(id) });
  const payout = await expectOk(
    client.POST(path, { params: { path: { id } }, body: opts.note === undefined ? undefined : { note: opts.note } }),
    { note: '--note' },
  );
  if (opts.json) printJson(payout);
  else success(`${done} payout #${payout.id}: ${payout.amount} ${payout.currency} for mentor ${payout.mentor}; the mentor is notified.`);
}
