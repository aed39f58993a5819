/**
 * Per-mentor counters for the mentor directory: completed sessions, and the sum and count of the
 * ratings of the feedback on the mentor's sessions. A directory page then reads one row per listed
 * mentor (by primary key) instead of aggregating their sessions and feedback, so its cost does not
 * grow with how many sessions the listed mentors have.
 *
 * Database triggers keep the counters in the transaction of every write to `sessions` (insert,
 * status or mentor change, delete) and `feedback` (insert, rating or session change, delete), so no
 * workflow needs to know about them; `up` fills them from the existing rows. A deleted session takes
 * its feedback's ratings off its mentor before the delete cascades (the cascaded feedback deletes
 * then find no session and change nothing). A mentor without a row has no completed sessions and no
 * ratings. A later migration that rebuilds `sessions` or `feedback` on SQLite must recreate these
 * triggers (SQLite drops a table's triggers with it).
 *
 * The average is `rating_sum / rating_count`, the same value as `AVG(rating)` (src/services/profile.ts).
 */
import type { Knex } from 'knex';

const COUNTERS = ['completed_sessions', 'rating_sum', 'rating_count'] as const;
type Deltas = readonly [completed: string, sum: string, count: string];

// SQLite --------------------------------------------------------------------------------------

/** Adds to `mentor`'s counters, creating its row first (`mentor` is an expression, never NULL here). */
const sqliteAdd = (mentor: string, d: Deltas) =>
  `INSERT OR IGNORE INTO mentor_stats (mentor_id) SELECT ${mentor} WHERE ${mentor} IS NOT NULL;
   UPDATE mentor_stats SET ${COUNTERS.map((c, i) => `${c} = ${c} + (${d[i]})`).join(', ')} WHERE mentor_id = ${mentor};`;
/** Takes off `mentor`'s counters; only an UPDATE: the mentor may be being deleted. */
const sqliteSub = (mentor: string, d: Deltas) =>
  `UPDATE mentor_stats SET ${COUNTERS.map((c, i) => `${c} = ${c} - (${d[i]})`).join(', ')} WHERE mentor_id = ${mentor};`;

const sessionRatings = (session: string): [string, string] => [
  `(SELECT COALESCE(SUM(rating), 0) FROM feedback WHERE session_id = ${session})`,
  `(SELECT COUNT(*) FROM feedback WHERE session_id = ${session})`,
];
const mentorOf = (session: string) => `(SELECT mentor_id FROM sessions WHERE id = ${session})`;

const SQLITE_TRIGGERS: Array<[name: string, sql: string]> = [
  [
    'sessions_mentor_stats_insert',
    `AFTER INSERT ON sessions WHEN NEW.status = 'completed'
     BEGIN ${sqliteAdd('NEW.mentor_id', ['1', '0', '0'])} END`,
  ],
  [
    'sessions_mentor_stats_update',
    `AFTER UPDATE OF status, mentor_id ON sessions
     WHEN (OLD.status = 'completed') <> (NEW.status = 'completed') OR OLD.mentor_id <> NEW.mentor_id
     BEGIN
       ${sqliteSub('OLD.mentor_id', [`OLD.status = 'completed'`, ...sessionRatings('OLD.id')])}
       ${sqliteAdd('NEW.mentor_id', [`NEW.status = 'completed'`, ...sessionRatings('NEW.id')])}
     END`,
  ],
  [
    'sessions_mentor_stats_delete',
    `BEFORE DELETE ON sessions
     BEGIN ${sqliteSub('OLD.mentor_id', [`OLD.status = 'completed'`, ...sessionRatings('OLD.id')])} END`,
  ],
  [
    'feedback_mentor_stats_insert',
    `AFTER INSERT ON feedback
     BEGIN ${sqliteAdd(mentorOf('NEW.session_id'), ['0', 'NEW.rating', '1'])} END`,
  ],
  [
    'feedback_mentor_stats_update',
    `AFTER UPDATE OF rating, session_id ON feedback
     BEGIN
       ${sqliteSub(mentorOf('OLD.session_id'), ['0', 'OLD.rating', '1'])}
       ${sqliteAdd(mentorOf('NEW.session_id'), ['0', 'NEW.rating', '1'])}
     END`,
  ],
  [
    'feedback_mentor_stats_delete',
    `AFTER DELETE ON feedback
     BEGIN ${sqliteSub(mentorOf('OLD.session_id'), ['0', 'OLD.rating', '1'])} END`,
  ],
];

// PostgreSQL ----------------------------------------------------------------------------------

const PG_UP = [
  `CREATE FUNCTION mentor_stats_add(p_mentor integer, p_completed integer, p_sum integer, p_count integer)
   RETURNS void LANGUAGE sql AS $$
     INSERT INTO mentor_stats (mentor_id, completed_sessions, rating_sum, rating_count)
     SELECT p_mentor, p_completed, p_sum, p_count WHERE p_mentor IS NOT NULL
     ON CONFLICT (mentor_id) DO UPDATE SET
       completed_sessions = mentor_stats.completed_sessions + EXCLUDED.completed_sessions,
       rating_sum = mentor_stats.rating_sum + EXCLUDED.rating_sum,
       rating_count = mentor_stats.rating_count + EXCLUDED.rating_count
   $$`,
  `CREATE FUNCTION mentor_stats_sub(p_mentor integer, p_completed integer, p_sum integer, p_count integer)
   RETURNS void LANGUAGE sql AS $$
     UPDATE mentor_stats SET
       completed_sessions = completed_sessions - p_completed,
       rating_sum = rating_sum - p_sum,
       rating_count = rating_count - p_count
     -- Not while the mentor is being deleted: the row goes with them (and PostgreSQL would check
     -- the foreign key of a row this transaction already changed).
     WHERE mentor_id = p_mentor AND EXISTS (SELECT 1 FROM users WHERE id = p_mentor)
   $$`,
  `CREATE FUNCTION sessions_mentor_stats() RETURNS trigger LANGUAGE plpgsql AS $$
   DECLARE ratings integer := 0; rated integer := 0;
   BEGIN
     IF TG_OP <> 'INSERT' THEN
       SELECT COALESCE(SUM(rating), 0), COUNT(*) INTO ratings, rated FROM feedback WHERE session_id = OLD.id;
       PERFORM mentor_stats_sub(OLD.mentor_id, (OLD.status = 'completed')::integer, ratings, rated);
     END IF;
     IF TG_OP <> 'DELETE' THEN
       PERFORM mentor_stats_add(NEW.mentor_id, (NEW.status = 'completed')::integer, ratings, rated);
       RETURN NEW;
     END IF;
     RETURN OLD;
   END $$`,
  `CREATE TRIGGER sessions_mentor_stats_insert AFTER INSERT ON sessions
   FOR EACH ROW WHEN (NEW.status = 'completed') EXECUTE FUNCTION sessions_mentor_stats()`,
  `CREATE TRIGGER sessions_mentor_stats_update AFTER UPDATE OF status, mentor_id ON sessions
   FOR EACH ROW WHEN ((OLD.status = 'completed') <> (NEW.status = 'completed') OR OLD.mentor_id <> NEW.mentor_id)
   EXECUTE FUNCTION sessions_mentor_stats()`,
  // BEFORE: the feedback is still there to be taken off (the cascade deletes it afterwards).
  `CREATE TRIGGER sessions_mentor_stats_delete BEFORE DELETE ON sessions
   FOR EACH ROW EXECUTE FUNCTION sessions_mentor_stats()`,
  `CREATE FUNCTION feedback_mentor_stats() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_OP <> 'INSERT' THEN
       PERFORM mentor_stats_sub((SELECT mentor_id FROM sessions WHERE id = OLD.session_id), 0, OLD.rating, 1);
     END IF;
     IF TG_OP <> 'DELETE' THEN
       PERFORM mentor_stats_add((SELECT mentor_id FROM sessions WHERE id = NEW.session_id), 0, NEW.rating, 1);
     END IF;
     RETURN NULL;
   END $$`,
  `CREATE TRIGGER feedback_mentor_stats AFTER INSERT OR UPDATE OF rating, session_id OR DELETE ON feedback
   FOR EACH ROW EXECUTE FUNCTION feedback_mentor_stats()`,
];

const PG_DOWN = [
  'DROP TRIGGER IF EXISTS feedback_mentor_stats ON feedback',
  'DROP TRIGGER IF EXISTS sessions_mentor_stats_delete ON sessions',
  'DROP TRIGGER IF EXISTS sessions_mentor_stats_update ON sessions',
  'DROP TRIGGER IF EXISTS sessions_mentor_stats_insert ON sessions',
  'DROP FUNCTION IF EXISTS feedback_mentor_stats()',
  'DROP FUNCTION IF EXISTS sessions_mentor_stats()',
  'DROP FUNCTION IF EXISTS mentor_stats_sub(integer, integer, integer, integer)',
  'DROP FUNCTION IF EXISTS mentor_stats_add(integer, integer, integer, integer)',
];

/** Every mentor with sessions, counted from the rows (portable SQL). */
const BACKFILL = `INSERT INTO mentor_stats (mentor_id, completed_sessions, rating_sum, rating_count)
  SELECT u.id,
    (SELECT COUNT(*) FROM sessions s WHERE s.mentor_id = u.id AND s.status = 'completed'),
    (SELECT COALESCE(SUM(f.rating), 0) FROM feedback f JOIN sessions s ON s.id = f.session_id WHERE s.mentor_id = u.id),
    (SELECT COUNT(*) FROM feedback f JOIN sessions s ON s.id = f.session_id WHERE s.mentor_id = u.id)
  FROM users u WHERE EXISTS (SELECT 1 FROM sessions s WHERE s.mentor_id = u.id)`;

const isSqlite = (knex: Knex) => knex.client.config.client === 'sqlite3';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('mentor_stats', (t) => {
    t.integer('mentor_id').primary().references('id').inTable('users').onDelete('CASCADE');
    for (const counter of COUNTERS) t.integer(counter).notNullable().defaultTo(0);
  });
  // No write may fall between the backfill and the triggers (SQLite: the migration holds the write lock).
  if (!isSqlite(knex)) await knex.raw('LOCK TABLE sessions, feedback IN SHARE ROW EXCLUSIVE MODE');
  await knex.raw(BACKFILL);
  if (isSqlite(knex)) {
    for (const [name, body] of SQLITE_TRIGGERS) await knex.raw(`CREATE TRIGGER ${name} ${body}`);
  } else {
    for (const sql of PG_UP) await knex.raw(sql);
  }
}

export async function down(knex: Knex): Promise<void> {
  if (isSqlite(knex)) {
    for (const [name] of SQLITE_TRIGGERS) await knex.raw(`DROP TRIGGER IF EXISTS ${name}`);
  } else {
    for (const sql of PG_DOWN) await knex.raw(sql);
  }
  await knex.schema.dropTableIfExists('mentor_stats');
}
