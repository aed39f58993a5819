/**
 * Indexes led by the caller's key, so that what a person's pages cost follows their own rows, not
 * the size of the tables (test/db/plans.test.ts checks the plans of the hot queries):
 *
 * - a mentor's sessions by status and start (listings, upcoming, earnings by month), and by start
 *   alone (analytics ranges); `(mentor_id, status)` becomes a prefix of the first and goes;
 * - notifications by user, read flag and id: the unread count is a range of one user's index
 *   entries, and the unread listing walks them in id order; `(user_id, read_status)` goes;
 * - requests by mentor or learner, status and creation time (listings newest first, analytics);
 *   the two `(…, status)` indexes go;
 * - payouts by mentor and request time (a mentor's listing);
 * - the mentor directory in its order (`lower(username)`, id) after role and active flag, so a page
 *   reads its rows in order instead of sorting every mentor; `(role, is_active)` goes;
 * - feedback by session with the rating (covering the rating aggregates).
 */
import type { Knex } from 'knex';

interface IndexChange {
  table: string;
  create: { name: string; columns: string };
  /** The index it makes redundant (dropped), with its definition (restored by `down`). */
  replaces?: { name: string; columns: string };
}

const CHANGES: IndexChange[] = [
  {
    table: 'sessions',
    create: { name: 'sessions_mentor_status_start_index', columns: 'mentor_id, status, start_time' },
    replaces: { name: 'sessions_mentor_status_index', columns: 'mentor_id, status' },
  },
  { table: 'sessions', create: { name: 'sessions_mentor_start_index', columns: 'mentor_id, start_time' } },
  {
    table: 'notifications',
    create: { name: 'notifications_user_read_id_index', columns: 'user_id, read_status, id' },
    replaces: { name: 'notifications_user_read_index', columns: 'user_id, read_status' },
  },
  {
    table: 'requests',
    create: { name: 'requests_mentor_status_created_index', columns: 'mentor_id, status, created_at' },
    replaces: { name: 'requests_mentor_status_index', columns: 'mentor_id, status' },
  },
  {
    table: 'requests',
    create: { name: 'requests_learner_status_created_index', columns: 'learner_id, status, created_at' },
    replaces: { name: 'requests_learner_status_index', columns: 'learner_id, status' },
  },
  { table: 'payouts', create: { name: 'payouts_mentor_requested_index', columns: 'mentor_id, requested_at' } },
  {
    table: 'users',
    create: { name: 'users_directory_index', columns: 'role, is_active, lower(username), id' },
    replaces: { name: 'users_role_index', columns: 'role, is_active' },
  },
  { table: 'feedback', create: { name: 'feedback_session_rating_index', columns: 'session_id, rating' } },
];

export async function up(knex: Knex): Promise<void> {
  for (const { table, create, replaces } of CHANGES) {
    await knex.raw(`CREATE INDEX ${create.name} ON ${table} (${create.columns})`);
    if (replaces) await knex.raw(`DROP INDEX ${replaces.name}`);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const { table, create, replaces } of [...CHANGES].reverse()) {
    if (replaces) await knex.raw(`CREATE INDEX ${replaces.name} ON ${table} (${replaces.columns})`);
    await knex.raw(`DROP INDEX ${create.name}`);
  }
}
