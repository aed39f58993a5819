/**
 * Attendance: who was actually in a session's room, and the `no_show` booking status.
 *
 * - `room_presence`: one row per socket and stay in `room_{session_id}` (joined_at, left_at), written
 *   by whichever server process holds the socket, on the server's clock. A row still open when the
 *   session completes (its process died) is closed at the completion time.
 * - `bookings.status` gains `no_show`: a live booking of a completed session whose learner never
 *   entered the room. Bookings of sessions completed before this migration that were never marked
 *   `attended` become `no_show` (they are exactly the ones nobody saw in the class).
 *
 * SQLite cannot alter a CHECK constraint: the bookings table is rebuilt from its own stored
 * definition with the new list (same columns, rows, ids and indexes); nothing references bookings,
 * so the rebuild needs no change to foreign-key enforcement.
 */
import type { Knex } from 'knex';

const inList = (column: string, values: readonly string[]) =>
  `${column} IN (${values.map((v) => `'${v}'`).join(', ')})`;

const BEFORE = ['booked', 'attended', 'cancelled'] as const;
export const BOOKING_STATUSES = ['booked', 'attended', 'no_show', 'cancelled'] as const;

const isSqlite = (knex: Knex) => knex.client.config.client === 'sqlite3';

/** Replaces the bookings status CHECK with one allowing `statuses`. */
async function setBookingStatuses(knex: Knex, statuses: readonly string[]): Promise<void> {
  const check = inList('status', statuses);
  if (!isSqlite(knex)) {
    await knex.raw('ALTER TABLE bookings DROP CONSTRAINT bookings_status_check');
    await knex.raw(`ALTER TABLE bookings ADD CONSTRAINT bookings_status_check CHECK (${check})`);
    return;
  }
  const objects: Array<{ type: string; sql: string | null }> = await knex('sqlite_master')
    .where({ tbl_name: 'bookings' })
    .whereIn('type', ['table', 'index'])
    .select('type', 'sql');
  const table = objects.find((o) => o.type === 'table')?.sql;
  if (!table) throw new Error('bookings table not found');
  const pattern = /(constraint\s+[`"]?bookings_status_check[`"]?\s+check\s*)\(\s*status IN \([^)]*\)\s*\)/i;
  if (!pattern.test(table)) throw new Error('bookings_status_check not found in the bookings table definition');
  const rebuilt = table
    .replace(pattern, (_all, head: string) => `${head}(${check})`)
    .replace(/^CREATE TABLE\s+[`"]?bookings[`"]?/i, 'CREATE TABLE `bookings_rebuild`');
  // Triggers that name bookings (on it, or on another table reading it) would make the rename
  // fail while the old table is gone, and those on it go with it: drop them all, recreate after.
  const triggers: Array<{ name: string; sql: string }> = await knex('sqlite_master')
    .where({ type: 'trigger' })
    .where('sql', 'like', '%bookings%')
    .select('name', 'sql');
  for (const { name } of triggers) await knex.raw(`DROP TRIGGER \`${name}\``);
  await knex.raw(rebuilt);
  await knex.raw('INSERT INTO `bookings_rebuild` SELECT * FROM `bookings`');
  await knex.raw('DROP TABLE `bookings`');
  await knex.raw('ALTER TABLE `bookings_rebuild` RENAME TO `bookings`');
  // Indexes went with the old table (autoindexes have no SQL and are recreated by the table).
  for (const { sql } of objects.filter((o) => o.type === 'index' && o.sql)) await knex.raw(sql!);
  for (const { sql } of triggers) await knex.raw(sql);
}

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('room_presence', (t) => {
    t.increments('id').primary();
    t.integer('session_id').notNullable().references('id').inTable('sessions').onDelete('CASCADE');
    t.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('connection_id', 64).notNullable(); // the socket's peer id
    t.timestamp('joined_at', { useTz: true }).notNullable();
    t.timestamp('left_at', { useTz: true }).nullable();
    t.check('left_at IS NULL OR left_at >= joined_at', [], 'room_presence_interval_check');
    t.index(['session_id', 'user_id'], 'room_presence_session_user_index');
    t.index(['connection_id'], 'room_presence_connection_index');
  });

  await setBookingStatuses(knex, BOOKING_STATUSES);
  await knex('bookings')
    .where('status', 'booked')
    .whereIn('session_id', knex('sessions').where('status', 'completed').select('id'))
    .update({ status: 'no_show' });
}

export async function down(knex: Knex): Promise<void> {
  await knex('bookings').where('status', 'no_show').update({ status: 'booked' });
  await setBookingStatuses(knex, BEFORE);
  await knex.schema.dropTableIfExists('room_presence');
}
