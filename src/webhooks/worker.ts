/**
 * The delivery worker. Every server process runs one; they share the work through the database:
 *
 * - **Claim.** A worker takes due deliveries (pending, `next_attempt_at` passed, endpoint enabled
 *   or a test message, no live lease) by writing its own random `lease_token` and a `lease_until` with one UPDATE
 *   whose WHERE repeats those conditions, then reads back the rows carrying its token. Two
 *   workers can never both win a row: on PostgreSQL the candidate rows are locked with
 *   `FOR UPDATE SKIP LOCKED` (a second worker skips them instead of waiting) and the UPDATE
 *   re-checks the lease after any wait; SQLite runs one write at a time.
 * - **Send** each claimed delivery once (src/webhooks/send.ts), then **record** the attempts and the
 *   deliveries' next states, one transaction per batch: succeeded; pending again after the next step of the
 *   retry schedule (with up to +10 % jitter); or failed once the schedule is used up.
 * - A process that dies mid-send leaves a lease that expires after `leaseMs`; another worker then
 *   sends the message again with the same `webhook-id` (at-least-once).
 * - An endpoint whose attempts have all failed for `DISABLE_AFTER_MS` (3 days) is disabled and
 *   every active admin is notified.
 *
 * Deliveries are written in the transaction of their event (src/webhooks/outbox.ts); a commit in
 * this process wakes the worker at once, others find the work within WEBHOOK_POLL_INTERVAL_MS.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { inTransaction } from '../events.ts';
import { User, WebhookDelivery } from '../models/index.ts';
import { notifyMany } from '../services/notifications.ts';
import type { Deps } from '../types.ts';
import { TEST_EVENT_TYPE } from './eventTypes.ts';
import { onOutboxWritten } from './outbox.ts';
import { sendMessage, type AttemptOutcome } from './send.ts';

export type WorkerDeps = Pick<Deps, 'db' | 'events' | 'config' | 'logger'>;

/**
 * How long a claim is exclusive: twice the attempt timeout plus 5 s, so an attempt and the
 * recording of its outcome always finish inside it. Only a dead process lets a lease run out.
 */
export const leaseMs = (timeoutMs: number) => 2 * timeoutMs + 5000;
/** An endpoint failing every attempt for this long is disabled. */
export const DISABLE_AFTER_MS = 3 * 24 * 3600_000;
/** How long the previous secret keeps signing after a rotation. */
export const SECRET_GRACE_MS = 24 * 3600_000;
const BATCH = 50;

interface Claimed {
  id: number;
  endpoint_id: number;
  message_id: string;
  payload: string;
  attempt_count: number;
  final_attempt: boolean | number;
  lease_token: string;
  url: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: string | Date | null;
  failing_since: string | Date | null;
}

/** The wait before attempt `attempt + 1` after `attempt` failed ones, or null when none is left. */
export function retryDelay(schedule: readonly number[], failedAttempts: number, random = Math.random): number | null {
  const step = schedule[failedAttempts - 1];
  if (step === undefined) return null;
  return Math.round(step * (1 + 0.1 * random()));
}

/** Claims up to `limit` due deliveries for this worker. */
export async function claimDue(db: Knex, limit: number, lease: number, now = new Date()): Promise<Claimed[]> {
  const token = crypto.randomUUID();
  const at = now;
  const leaseFree = (q: Knex.QueryBuilder) => q.whereNull('lease_until').orWhere('lease_until', '<', at);
  const candidates = db('webhook_deliveries as d')
    .join('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
    .where('d.status', 'pending')
    .where('d.next_attempt_at', '<=', at)
    // A disabled endpoint gets only test messages (how an admin checks it before re-enabling it).
    .where((q) => q.where('e.enabled', true).orWhere('d.event_type', TEST_EVENT_TYPE))
    .where((q) => q.whereNull('d.lease_until').orWhere('d.lease_until', '<', at))
    .orderBy('d.next_attempt_at')
    .orderBy('d.id')
    .limit(limit)
    .select('d.id');
  if (db.client.config.client === 'pg') candidates.forUpdate('d').skipLocked();
  const claimed = await db('webhook_deliveries')
    .whereIn('id', candidates)
    .where('status', 'pending')
    .where(leaseFree)
    .update({ lease_token: token, lease_until: new Date(now.getTime() + lease) });
  if (claimed === 0) return [];
  return db('webhook_deliveries as d')
    .join('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
    .where('d.lease_token', token)
    .select(
      'd.id',
      'd.endpoint_id',
      'd.message_id',
      'd.payload',
      'd.attempt_count',
      'd.final_attempt',
      'd.lease_token',
      'e.url',
      'e.secret',
      'e.previous_secret',
      'e.previous_secret_expires_at',
      'e.failing_since',
    );
}

/** The secrets that sign at `now`: the current one, and the previous one during its grace period. */
export function signingSecrets(endpoint: Pick<Claimed, 'secret' | 'previous_secret' | 'previous_secret_expires_at'>, now: Date): string[] {
  const expires = endpoint.previous_secret_expires_at ? new Date(endpoint.previous_secret_expires_at) : null;
  return endpoint.previous_secret && expires && expires > now ? [endpoint.secret, endpoint.previous_secret] : [endpoint.secret];
}

type WorkerTx = Parameters<Parameters<typeof inTransaction>[2]>[0];

/** Records an attempt and moves the delivery (and its endpoint's health) on, in the caller's transaction. */
async function record(deps: WorkerDeps, tx: WorkerTx, d: Claimed, outcome: AttemptOutcome, at: Date): Promise<void> {
  const { trx } = tx;
  const attempts = d.attempt_count + 1;
  const delay = outcome.succeeded || d.final_attempt ? null : retryDelay(deps.config.webhooks.retryScheduleMs, attempts);
  const status = outcome.succeeded ? 'succeeded' : delay === null ? 'failed' : 'pending';
  await trx('webhook_attempts').insert({
    delivery_id: d.id,
    attempted_at: at,
    status_code: outcome.statusCode,
    duration_ms: outcome.durationMs,
    response_body: outcome.responseBody,
    error: outcome.error,
    succeeded: outcome.succeeded,
  });
  await trx('webhook_deliveries')
    .where({ id: d.id, lease_token: d.lease_token })
    .update({
      status,
      attempt_count: attempts,
      final_attempt: false,
      last_attempt_at: at,
      next_attempt_at: delay === null ? null : new Date(Date.now() + delay),
      lease_token: null,
      lease_until: null,
      updated_at: new Date(),
    });
  if (outcome.succeeded) {
    if (d.failing_since !== null) await trx('webhook_endpoints').where('id', d.endpoint_id).update({ failing_since: null });
    return;
  }
  await trx('webhook_endpoints').where('id', d.endpoint_id).whereNull('failing_since').update({ failing_since: at });
  const cutoff = new Date(at.getTime() - DISABLE_AFTER_MS);
  const disabled = await trx('webhook_endpoints')
    .where({ id: d.endpoint_id, enabled: true })
    .where('failing_since', '<=', cutoff)
    .update({ enabled: false, disabled_reason: 'every attempt failed for 3 days', updated_at: at });
  if (disabled === 1) await notifyAdminsOfDisabled(tx, d);
}

async function notifyAdminsOfDisabled(tx: WorkerTx, d: Claimed): Promise<void> {
  const admins = await User.query(tx.trx).where({ is_admin: true, is_active: true }).select('id');
  await notifyMany(
    tx,
    admins.map((admin) => ({
      userId: admin.id,
      type: 'webhook_disabled' as const,
      message: `Webhook endpoint #${d.endpoint_id} (${d.url}) was disabled: every delivery attempt failed for 3 days. Re-enable it with PATCH /api/webhooks/${d.endpoint_id}/ once it answers again.`,
      link: null,
    })),
  );
}

async function attempt(deps: WorkerDeps, d: Claimed): Promise<{ d: Claimed; outcome: AttemptOutcome; at: Date }> {
  const at = new Date();
  const { allowHttp, allowPrivateNetworks, timeoutMs } = deps.config.webhooks;
  const outcome = await sendMessage(
    { url: d.url, messageId: d.message_id, body: d.payload, secrets: signingSecrets(d, at) },
    { allowHttp, allowPrivateNetworks, timeoutMs },
    at,
  );
  return { d, outcome, at };
}

/**
 * Claims one batch, sends its messages concurrently, then records every outcome in one
 * transaction (one commit per batch rather than per message keeps the writer free for the
 * application's own transactions). Returns how many deliveries it handled.
 */
export async function runWebhookBatch(deps: WorkerDeps, limit = BATCH): Promise<number> {
  const claimed = await claimDue(deps.db, limit, leaseMs(deps.config.webhooks.timeoutMs));
  if (claimed.length === 0) return 0;
  const results = await Promise.all(claimed.map((d) => attempt(deps, d)));
  try {
    await inTransaction(deps.db, deps.events, async (tx) => {
      for (const { d, outcome, at } of results) await record(deps, tx, d, outcome, at);
    });
  } catch (err) {
    // The leases run out and the messages are sent again (same webhook-id): at least once.
    deps.logger.error({ err, deliveries: claimed.map((d) => d.id) }, 'recording webhook attempts failed');
  }
  return claimed.length;
}

/** Starts this process's worker; returns a function that stops it and waits for the batch in flight. */
export function startWebhookWorker(deps: WorkerDeps): () => Promise<void> {
  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;

  const schedule = (ms: number) => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(run, ms);
    timer.unref();
  };
  function run(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    again = false;
    running = runWebhookBatch(deps)
      .then(
        (handled) => {
          if (handled === BATCH) again = true;
        },
        (err) => deps.logger.error({ err }, 'webhook worker batch failed'),
      )
      .finally(() => {
        running = undefined;
        schedule(again ? 0 : deps.config.webhooks.pollIntervalMs);
      });
  }
  const off = onOutboxWritten(() => run());
  schedule(0);
  return async () => {
    stopped = true;
    off();
    clearTimeout(timer);
    await running;
  };
}

/** A delivery's row, for the API. */
export const findDelivery = (db: Knex, endpointId: number, id: number) =>
  WebhookDelivery.query(db).findOne({ id, endpoint_id: endpointId });
