/**
 * The initial schema. Every rule that must never break is backed by a constraint here:
 * foreign keys, uniques (one live booking per learner and session, one feedback per learner and
 * session, one payout per mentor and idempotency key, one reminder per person and session) and
 * CHECKs (enums, ratings, money ≥ 0, participant count within capacity).
 *
 * Times are `timestamptz` on PostgreSQL and ISO-8601 text on SQLite (the models always write
 * `Date#toISOString()`, so text comparison orders them correctly).
 */
import type { Knex } from 'knex';

const inList = (column: string, values: readonly string[]) =>
  `${column} IN (${values.map((v) => `'${v}'`).join(', ')})`;

export const ROLES = ['mentor', 'learner'] as const;
export const SESSION_STATUSES = ['draft', 'scheduled', 'in_progress', 'completed', 'cancelled'] as const;
export const BOOKING_STATUSES = ['booked', 'attended', 'cancelled'] as const;
export const REQUEST_STATUSES = ['pending', 'accepted', 'declined', 'cancelled'] as const;
export const PAYOUT_STATUSES = ['pending', 'approved', 'paid', 'rejected'] as const;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    t.increments('id').primary();
    t.string('username', 150).notNullable();
    t.string('email', 254).notNullable();
    t.string('password_hash', 255).notNullable();
    t.string('role', 16).notNullable();
    t.boolean('is_admin').notNullable().defaultTo(false);
    t.boolean('is_active').notNullable().defaultTo(true);
    t.string('first_name', 150).notNullable().defaultTo('');
    t.string('last_name', 150).notNullable().defaultTo('');
    t.text('bio').notNullable().defaultTo('');
    t.text('expertise').notNullable().defaultTo('[]'); // JSON list of strings
    t.string('timezone', 64).notNullable().defaultTo('UTC');
    t.integer('hourly_rate_cents').nullable();
    t.string('currency', 3).notNullable().defaultTo('USD');
    t.string('avatar', 255).nullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.timestamp('last_login', { useTz: true }).nullable();
    t.check(inList('role', ROLES), [], 'users_role_check');
    t.check('hourly_rate_cents IS NULL OR hourly_rate_cents >= 0', [], 'users_hourly_rate_check');
  });
  // Case-insensitive uniqueness: "Alice" and "alice" are the same account.
  await knex.raw('CREATE UNIQUE INDEX users_username_lower_unique ON users (lower(username))');
  await knex.raw('CREATE UNIQUE INDEX users_email_lower_unique ON users (lower(email))');
  await knex.raw('CREATE INDEX users_role_index ON users (role, is_active)');

  await knex.schema.createTable('refresh_tokens', (t) => {
    t.string('id', 64).primary(); // the token's jti
    t.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('family_id', 64).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true }).nullable();
    t.timestamp('revoked_at', { useTz: true }).nullable();
    t.string('replaced_by', 64).nullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.index(['family_id'], 'refresh_tokens_family_index');
    t.index(['user_id'], 'refresh_tokens_user_index');
  });

  await knex.schema.createTable('sessions', (t) => {
    t.increments('id').primary();
    t.integer('mentor_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('title', 200).notNullable();
    t.text('description').notNullable().defaultTo('');
    t.timestamp('start_time', { useTz: true }).notNullable();
    t.integer('duration').notNullable();
    t.timestamp('end_time', { useTz: true }).notNullable(); // start_time + duration, kept by the model
    t.string('status', 16).notNullable().defaultTo('draft');
    t.integer('price_cents').nullable(); // null = free
    t.string('currency', 3).notNullable().defaultTo('USD');
    t.integer('capacity').notNullable().defaultTo(1);
    t.integer('booked_count').notNullable().defaultTo(0); // live bookings; guarded by the CHECK below
    t.timestamp('mentor_ready_at', { useTz: true }).nullable();
    t.timestamp('started_at', { useTz: true }).nullable();
    t.timestamp('ended_at', { useTz: true }).nullable();
    t.timestamp('cancelled_at', { useTz: true }).nullable();
    t.string('cancel_reason', 500).nullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.check(inList('status', SESSION_STATUSES), [], 'sessions_status_check');
    t.check('duration > 0 AND duration <= 1440', [], 'sessions_duration_check');
    t.check('price_cents IS NULL OR price_cents >= 0', [], 'sessions_price_check');
    t.check('capacity >= 1', [], 'sessions_capacity_check');
    t.check('booked_count >= 0 AND booked_count <= capacity', [], 'sessions_booked_count_check');
    t.check('end_time > start_time', [], 'sessions_end_after_start_check');
    t.index(['mentor_id', 'status'], 'sessions_mentor_status_index');
    t.index(['status', 'start_time'], 'sessions_status_start_index');
    t.index(['status', 'end_time'], 'sessions_status_end_index');
  });

  await knex.schema.createTable('bookings', (t) => {
    t.increments('id').primary();
    t.integer('session_id').notNullable().references('id').inTable('sessions').onDelete('CASCADE');
    t.integer('learner_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('status', 16).notNullable().defaultTo('booked');
    t.integer('payment_amount_cents').notNullable().defaultTo(0);
    t.string('currency', 3).notNullable().defaultTo('USD');
    t.timestamp('learner_ready_at', { useTz: true }).nullable();
    t.timestamp('joined_at', { useTz: true }).nullable();
    t.timestamp('cancelled_at', { useTz: true }).nullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.check(inList('status', BOOKING_STATUSES), [], 'bookings_status_check');
    t.check('payment_amount_cents >= 0', [], 'bookings_payment_check');
    t.check("(status = 'cancelled') = (cancelled_at IS NOT NULL)", [], 'bookings_cancelled_at_check');
    t.index(['learner_id', 'status'], 'bookings_learner_status_index');
    t.index(['session_id', 'status'], 'bookings_session_status_index');
  });
  // At most one live (not cancelled) booking per learner and session.
  await knex.raw(
    "CREATE UNIQUE INDEX bookings_live_unique ON bookings (session_id, learner_id) WHERE status <> 'cancelled'",
  );

  await knex.schema.createTable('requests', (t) => {
    t.increments('id').primary();
    t.integer('learner_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.integer('mentor_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('topic', 200).notNullable();
    t.text('message').notNullable().defaultTo('');
    t.text('preferred_times').notNullable().defaultTo('[]'); // JSON list of ISO times
    t.string('status', 16).notNullable().defaultTo('pending');
    t.integer('session_id').nullable().references('id').inTable('sessions').onDelete('SET NULL');
    t.string('decline_reason', 500).nullable();
    t.timestamp('responded_at', { useTz: true }).nullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.check(inList('status', REQUEST_STATUSES), [], 'requests_status_check');
    t.check('learner_id <> mentor_id', [], 'requests_distinct_people_check');
    t.check("(status = 'accepted') = (session_id IS NOT NULL)", [], 'requests_accepted_session_check');
    t.index(['mentor_id', 'status'], 'requests_mentor_status_index');
    t.index(['learner_id', 'status'], 'requests_learner_status_index');
  });

  await knex.schema.createTable('notifications', (t) => {
    t.increments('id').primary();
    t.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('type', 40).notNullable();
    t.text('message').notNullable();
    t.string('link', 500).nullable();
    t.text('data').notNullable().defaultTo('{}'); // JSON: related ids
    t.boolean('read_status').notNullable().defaultTo(false);
    t.timestamp('read_at', { useTz: true }).nullable();
    t.timestamp('timestamp', { useTz: true }).notNullable();
    // Set for notifications that must exist at most once (e.g. "reminder:session:7:user:3").
    t.string('dedupe_key', 200).nullable().unique({ indexName: 'notifications_dedupe_key_unique' });
    t.index(['user_id', 'read_status'], 'notifications_user_read_index');
    t.index(['user_id', 'id'], 'notifications_user_id_index');
  });

  await knex.schema.createTable('feedback', (t) => {
    t.increments('id').primary();
    t.integer('session_id').notNullable().references('id').inTable('sessions').onDelete('CASCADE');
    t.integer('learner_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.integer('rating').notNullable();
    t.text('comment').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.check('rating BETWEEN 1 AND 5', [], 'feedback_rating_check');
    t.unique(['session_id', 'learner_id'], { indexName: 'feedback_session_learner_unique' });
  });

  await knex.schema.createTable('payouts', (t) => {
    t.increments('id').primary();
    t.integer('mentor_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.integer('amount_cents').notNullable();
    t.string('currency', 3).notNullable().defaultTo('USD');
    t.string('status', 16).notNullable().defaultTo('pending');
    t.string('note', 500).nullable();
    t.string('admin_note', 500).nullable();
    t.string('idempotency_key', 255).nullable();
    t.string('request_hash', 64).nullable(); // what the key was first used for
    t.timestamp('requested_at', { useTz: true }).notNullable();
    t.timestamp('processed_at', { useTz: true }).nullable();
    t.integer('processed_by').nullable().references('id').inTable('users').onDelete('SET NULL');
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.check('amount_cents > 0', [], 'payouts_amount_check');
    t.check(inList('status', PAYOUT_STATUSES), [], 'payouts_status_check');
    t.unique(['mentor_id', 'idempotency_key'], { indexName: 'payouts_mentor_idempotency_unique' });
    t.index(['status'], 'payouts_status_index');
  });

  await knex.schema.createTable('chat_messages', (t) => {
    t.increments('id').primary();
    t.integer('session_id').notNullable().references('id').inTable('sessions').onDelete('CASCADE');
    t.integer('sender_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.text('body').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.index(['session_id', 'id'], 'chat_messages_session_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'chat_messages',
    'payouts',
    'feedback',
    'notifications',
    'requests',
    'bookings',
    'sessions',
    'refresh_tokens',
    'users',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
