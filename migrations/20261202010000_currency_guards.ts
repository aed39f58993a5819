/**
 * Money never changes unit. Amounts are integer cents in the currency of the row that holds them;
 * these triggers make the database refuse every write that would put an amount in another unit:
 *
 * - a priced session (price > 0) is in its mentor's currency, and a session whose bookings hold
 *   money keeps its currency;
 * - a booking is in its session's currency;
 * - a payout is requested in its mentor's currency and is never relabelled;
 * - a mentor's currency cannot change once a priced session, a paid booking or a payout exists.
 *
 * On PostgreSQL the session and payout guards read the mentor's row `FOR SHARE`, which waits for a
 * concurrent, uncommitted currency change and then reads the committed value; the user guard runs
 * after the row lock of its UPDATE is taken and reads with a fresh snapshot. So two transactions
 * racing under READ COMMITTED cannot both pass. SQLite runs one writer at a time.
 *
 * The services check the same rules first and answer with a clear 409; these are the backstop.
 * Violations surface as CHECK violations (SQLSTATE 23514 / "CHECK constraint failed"). Rows written
 * before this migration are not re-checked.
 */
import type { Knex } from 'knex';

const fail = (name: string) => `SELECT RAISE(ABORT, 'CHECK constraint failed: ${name}')`;

const SQLITE_UP = [
  `CREATE TRIGGER sessions_currency_insert BEFORE INSERT ON sessions
   WHEN NEW.price_cents > 0 AND EXISTS (SELECT 1 FROM users WHERE id = NEW.mentor_id AND currency <> NEW.currency)
   BEGIN ${fail('sessions_currency_check')}; END`,
  `CREATE TRIGGER sessions_currency_update BEFORE UPDATE OF price_cents, currency, mentor_id ON sessions
   WHEN (NEW.price_cents > 0 AND EXISTS (SELECT 1 FROM users WHERE id = NEW.mentor_id AND currency <> NEW.currency))
     OR (NEW.currency <> OLD.currency AND EXISTS (SELECT 1 FROM bookings WHERE session_id = OLD.id AND payment_amount_cents > 0))
   BEGIN ${fail('sessions_currency_check')}; END`,
  `CREATE TRIGGER bookings_currency_insert BEFORE INSERT ON bookings
   WHEN EXISTS (SELECT 1 FROM sessions WHERE id = NEW.session_id AND currency <> NEW.currency)
   BEGIN ${fail('bookings_currency_check')}; END`,
  `CREATE TRIGGER bookings_currency_update BEFORE UPDATE OF currency, session_id ON bookings
   WHEN EXISTS (SELECT 1 FROM sessions WHERE id = NEW.session_id AND currency <> NEW.currency)
   BEGIN ${fail('bookings_currency_check')}; END`,
  `CREATE TRIGGER payouts_currency_insert BEFORE INSERT ON payouts
   WHEN EXISTS (SELECT 1 FROM users WHERE id = NEW.mentor_id AND currency <> NEW.currency)
   BEGIN ${fail('payouts_currency_check')}; END`,
  `CREATE TRIGGER payouts_currency_update BEFORE UPDATE OF currency, mentor_id ON payouts
   WHEN NEW.currency <> OLD.currency OR NEW.mentor_id <> OLD.mentor_id
   BEGIN ${fail('payouts_currency_check')}; END`,
  `CREATE TRIGGER users_currency_update BEFORE UPDATE OF currency ON users
   WHEN NEW.currency <> OLD.currency AND (
     EXISTS (SELECT 1 FROM sessions WHERE mentor_id = OLD.id AND price_cents > 0)
     OR EXISTS (SELECT 1 FROM bookings b JOIN sessions s ON s.id = b.session_id WHERE s.mentor_id = OLD.id AND b.payment_amount_cents > 0)
     OR EXISTS (SELECT 1 FROM payouts WHERE mentor_id = OLD.id))
   BEGIN ${fail('users_currency_locked')}; END`,
];

const SQLITE_TRIGGERS = [
  'sessions_currency_insert',
  'sessions_currency_update',
  'bookings_currency_insert',
  'bookings_currency_update',
  'payouts_currency_insert',
  'payouts_currency_update',
  'users_currency_update',
];

const raise = (constraint: string, message: string) =>
  `RAISE EXCEPTION ${message} USING ERRCODE = 'check_violation', CONSTRAINT = '${constraint}'`;

const PG_UP = [
  `CREATE FUNCTION sessions_currency_guard() RETURNS trigger LANGUAGE plpgsql AS $$
   DECLARE mentor_currency text;
   BEGIN
     IF NEW.price_cents > 0 THEN
       SELECT currency INTO mentor_currency FROM users WHERE id = NEW.mentor_id FOR SHARE;
       IF FOUND AND mentor_currency <> NEW.currency THEN
         ${raise('sessions_currency_check', `'a priced session must be in its mentor''s currency %, not %', mentor_currency, NEW.currency`)};
       END IF;
     END IF;
     IF TG_OP = 'UPDATE' AND NEW.currency <> OLD.currency
        AND EXISTS (SELECT 1 FROM bookings WHERE session_id = OLD.id AND payment_amount_cents > 0) THEN
       ${raise('sessions_currency_check', `'session % has paid bookings in %', OLD.id, OLD.currency`)};
     END IF;
     RETURN NEW;
   END $$`,
  `CREATE TRIGGER sessions_currency_guard BEFORE INSERT OR UPDATE OF price_cents, currency, mentor_id ON sessions
   FOR EACH ROW EXECUTE FUNCTION sessions_currency_guard()`,
  `CREATE FUNCTION bookings_currency_guard() RETURNS trigger LANGUAGE plpgsql AS $$
   DECLARE session_currency text;
   BEGIN
     SELECT currency INTO session_currency FROM sessions WHERE id = NEW.session_id FOR SHARE;
     IF FOUND AND session_currency <> NEW.currency THEN
       ${raise('bookings_currency_check', `'a booking must be in its session''s currency %, not %', session_currency, NEW.currency`)};
     END IF;
     RETURN NEW;
   END $$`,
  `CREATE TRIGGER bookings_currency_guard BEFORE INSERT OR UPDATE OF currency, session_id ON bookings
   FOR EACH ROW EXECUTE FUNCTION bookings_currency_guard()`,
  `CREATE FUNCTION payouts_currency_guard() RETURNS trigger LANGUAGE plpgsql AS $$
   DECLARE mentor_currency text;
   BEGIN
     IF TG_OP = 'UPDATE' THEN
       IF NEW.currency <> OLD.currency OR NEW.mentor_id <> OLD.mentor_id THEN
         ${raise('payouts_currency_check', `'payout % cannot be relabelled', OLD.id`)};
       END IF;
       RETURN NEW;
     END IF;
     SELECT currency INTO mentor_currency FROM users WHERE id = NEW.mentor_id FOR SHARE;
     IF FOUND AND mentor_currency <> NEW.currency THEN
       ${raise('payouts_currency_check', `'a payout must be in its mentor''s currency %, not %', mentor_currency, NEW.currency`)};
     END IF;
     RETURN NEW;
   END $$`,
  `CREATE TRIGGER payouts_currency_guard BEFORE INSERT OR UPDATE OF currency, mentor_id ON payouts
   FOR EACH ROW EXECUTE FUNCTION payouts_currency_guard()`,
  `CREATE FUNCTION users_currency_guard() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF NEW.currency <> OLD.currency AND (
       EXISTS (SELECT 1 FROM sessions WHERE mentor_id = OLD.id AND price_cents > 0)
       OR EXISTS (SELECT 1 FROM bookings b JOIN sessions s ON s.id = b.session_id WHERE s.mentor_id = OLD.id AND b.payment_amount_cents > 0)
       OR EXISTS (SELECT 1 FROM payouts WHERE mentor_id = OLD.id)) THEN
       ${raise('users_currency_locked', `'user % has money recorded in %', OLD.id, OLD.currency`)};
     END IF;
     RETURN NEW;
   END $$`,
  `CREATE TRIGGER users_currency_guard BEFORE UPDATE OF currency ON users
   FOR EACH ROW EXECUTE FUNCTION users_currency_guard()`,
];

const PG_GUARDS: Array<[table: string, name: string]> = [
  ['sessions', 'sessions_currency_guard'],
  ['bookings', 'bookings_currency_guard'],
  ['payouts', 'payouts_currency_guard'],
  ['users', 'users_currency_guard'],
];

const isSqlite = (knex: Knex) => knex.client.config.client === 'sqlite3';

export async function up(knex: Knex): Promise<void> {
  for (const sql of isSqlite(knex) ? SQLITE_UP : PG_UP) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  if (isSqlite(knex)) {
    for (const name of SQLITE_TRIGGERS) await knex.raw(`DROP TRIGGER IF EXISTS ${name}`);
    return;
  }
  for (const [table, name] of PG_GUARDS) {
    await knex.raw(`DROP TRIGGER IF EXISTS ${name} ON ${table}`);
    await knex.raw(`DROP FUNCTION IF EXISTS ${name}()`);
  }
}
