/**
 * Events and webhooks:
 * - `events`: the transactional outbox and the pull feed. A row per domain event a third party may
 *   care about, written in the transaction of its cause; the integer id is the feed's cursor.
 * - `webhook_endpoints`: where events are pushed, with the signing secret (and the previous one
 *   while a rotation is in its grace period).
 * - `webhook_deliveries`: one message to one endpoint, written in the same transaction as its
 *   event; the worker of some process claims it with a lease and sends it until it succeeds or
 *   its attempts run out.
 * - `webhook_attempts`: the log of every attempt (time, HTTP status, duration, response, error).
 */
import type { Knex } from 'knex';

const inList = (column: string, values: readonly string[]) =>
  `${column} IN (${values.map((v) => `'${v}'`).join(', ')})`;

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('events', (t) => {
    t.increments('id').primary();
    t.string('type', 64).notNullable();
    t.text('data').notNullable(); // JSON: the resource as its REST presenter shows it
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.index(['created_at'], 'events_created_at_index');
  });

  await knex.schema.createTable('webhook_endpoints', (t) => {
    t.increments('id').primary();
    t.string('url', 2000).notNullable();
    t.string('description', 500).notNullable().defaultTo('');
    t.text('events').notNullable().defaultTo('["*"]'); // JSON list of event types, or ["*"]
    t.boolean('enabled').notNullable().defaultTo(true);
    t.string('secret', 100).notNullable();
    t.string('previous_secret', 100).nullable();
    t.timestamp('previous_secret_expires_at', { useTz: true }).nullable();
    // The first failed attempt since the last success (null while the endpoint is healthy).
    t.timestamp('failing_since', { useTz: true }).nullable();
    t.string('disabled_reason', 200).nullable();
    t.integer('created_by').nullable().references('id').inTable('users').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
  });

  await knex.schema.createTable('webhook_deliveries', (t) => {
    t.increments('id').primary();
    t.integer('endpoint_id').notNullable().references('id').inTable('webhook_endpoints').onDelete('CASCADE');
    // No foreign key: events are pruned after their retention period, their deliveries with them.
    t.integer('event_id').nullable();
    t.string('message_id', 64).notNullable(); // the `webhook-id` header, the same on every attempt
    t.string('event_type', 64).notNullable();
    t.text('payload').notNullable(); // the exact body sent: {type, timestamp, data}
    t.string('status', 16).notNullable().defaultTo('pending');
    t.integer('attempt_count').notNullable().defaultTo(0);
    // A retry asked for by hand: one attempt, then back to failed if it fails.
    t.boolean('final_attempt').notNullable().defaultTo(false);
    t.timestamp('next_attempt_at', { useTz: true }).nullable();
    t.string('lease_token', 64).nullable();
    t.timestamp('lease_until', { useTz: true }).nullable();
    t.timestamp('last_attempt_at', { useTz: true }).nullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.check(inList('status', DELIVERY_STATUSES), [], 'webhook_deliveries_status_check');
    t.check('attempt_count >= 0', [], 'webhook_deliveries_attempt_count_check');
    t.unique(['endpoint_id', 'message_id'], { indexName: 'webhook_deliveries_endpoint_message_unique' });
    t.index(['status', 'next_attempt_at'], 'webhook_deliveries_due_index');
    t.index(['endpoint_id', 'status', 'id'], 'webhook_deliveries_endpoint_index');
    t.index(['event_id'], 'webhook_deliveries_event_index');
  });

  await knex.schema.createTable('webhook_attempts', (t) => {
    t.increments('id').primary();
    t.integer('delivery_id').notNullable().references('id').inTable('webhook_deliveries').onDelete('CASCADE');
    t.timestamp('attempted_at', { useTz: true }).notNullable();
    t.integer('status_code').nullable();
    t.integer('duration_ms').notNullable();
    t.text('response_body').nullable(); // at most the first 1 KB
    t.string('error', 500).nullable();
    t.boolean('succeeded').notNullable();
    t.index(['delivery_id', 'id'], 'webhook_attempts_delivery_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['webhook_attempts', 'webhook_deliveries', 'webhook_endpoints', 'events']) {
    await knex.schema.dropTableIfExists(table);
  }
}
