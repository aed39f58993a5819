/**
 * Knex connection factory. SQLite (the default) runs in WAL mode with foreign keys on and a busy
 * timeout on every pooled connection; PostgreSQL is used when DATABASE_URL says postgres://.
 * `createReadKnex` adds, on SQLite, a pool of read-only connections for reads outside transactions.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import knexFactory, { type Knex } from 'knex';

export type Dialect = 'sqlite' | 'postgres';

const require = createRequire(import.meta.url);
let pgTypesSet = false;

/**
 * PostgreSQL returns COUNT(*) and SUM(bigint) as strings; every such value here fits in a double.
 * The driver is loaded only for a PostgreSQL URL (a SQLite process never needs it).
 */
function setPgTypeParsers(): void {
  if (pgTypesSet) return;
  const pg = require('pg') as typeof import('pg');
  pg.types.setTypeParser(20, (v: string) => Number.parseInt(v, 10)); // int8
  pg.types.setTypeParser(1700, (v: string) => Number(v)); // numeric (SUM of integers)
  pgTypesSet = true;
}

export function dialectOf(databaseUrl: string): Dialect {
  return databaseUrl.startsWith('sqlite:') ? 'sqlite' : 'postgres';
}

/** `sqlite:///abs/file`, `sqlite://relative/file`, `sqlite::memory:` → a filename for sqlite3. */
export function sqliteFilename(databaseUrl: string): string {
  const rest = databaseUrl.replace(/^sqlite:(\/\/)?/, '');
  if (rest === ':memory:' || rest === '') return ':memory:';
  return path.resolve(rest);
}

/**
 * Makes every transaction of this (writer) knex start with `BEGIN IMMEDIATE` instead of knex's
 * deferred `BEGIN`. A deferred transaction that reads before it writes cannot wait for another
 * process's write: SQLite answers SQLITE_BUSY at once (its snapshot is stale), busy_timeout or not.
 * Taking the write lock at BEGIN makes it wait (busy_timeout) instead, so several processes on one
 * SQLite file serialise their writes as one process's single connection does. Savepoints (nested
 * transactions) are unchanged; the read-only pool never opens transactions.
 */
function beginImmediately(db: Knex): void {
  const SqliteTransaction = require('knex/lib/dialects/sqlite3/execution/sqlite-transaction.js');
  class ImmediateTransaction extends SqliteTransaction {
    begin(conn: unknown) {
      return (this as any).query(conn, 'BEGIN IMMEDIATE;');
    }
  }
  const client = db.client as { transaction: (...args: unknown[]) => unknown };
  client.transaction = function transaction(this: unknown, ...args: unknown[]) {
    return new (ImmediateTransaction as any)(this, ...args);
  };
}

/**
 * Binds every `Date` of a query as its ISO-8601 string, on both engines: the storage format of
 * times on SQLite (text, compared as text; sqlite3 would bind a Date as epoch milliseconds) and a
 * value PostgreSQL parses into timestamptz. Models and raw knex queries alike then take Dates —
 * `where('start_time', '>', now)` — with no conversion at the call site.
 */
function bindTimesAsIso(db: Knex): Knex {
  // On the client's class, not the instance: a transaction's client is made from the prototype.
  const Base = db.client.constructor as new () => { prepBindings(bindings: unknown): unknown };
  class IsoTimesClient extends Base {
    override prepBindings(bindings: unknown): unknown {
      const prepared = super.prepBindings(bindings);
      return Array.isArray(prepared) ? prepared.map((value) => (value instanceof Date ? value.toISOString() : value)) : prepared;
    }
  }
  Object.setPrototypeOf(db.client, IsoTimesClient.prototype);
  return db;
}

export function createKnex(databaseUrl: string, opts: { poolMax?: number } = {}): Knex {
  if (dialectOf(databaseUrl) === 'sqlite') {
    const filename = sqliteFilename(databaseUrl);
    if (filename !== ':memory:') fs.mkdirSync(path.dirname(filename), { recursive: true });
    const db = knexFactory({
      client: 'sqlite3',
      connection: { filename },
      useNullAsDefault: true,
      pool: {
        // One connection: SQLite has one writer anyway, and a single connection serialises
        // transactions inside the process instead of failing them with SQLITE_BUSY.
        min: 1,
        max: 1,
        afterCreate(conn: any, done: (err: Error | null, conn: any) => void) {
          conn.exec(
            'PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;',
            (err: Error | null) => done(err, conn),
          );
        },
      },
    });
    beginImmediately(db);
    return bindTimesAsIso(db);
  }
  setPgTypeParsers();
  return bindTimesAsIso(knexFactory({
    client: 'pg',
    connection: { connectionString: databaseUrl },
    pool: {
      min: 0,
      max: opts.poolMax ?? 10,
      // The planner's default random_page_cost (4, for spinning disks) makes it walk a table in
      // primary-key order past other users' rows rather than follow the caller's (user_id, id)
      // index: 40 ms instead of 0.1 ms for a page of a user with 10,000 notifications among
      // 200,000. 1.1 is the usual value for SSD storage (test/db/plans.test.ts).
      afterCreate(conn: any, done: (err: Error | null, conn: any) => void) {
        conn.query('SET random_page_cost = 1.1', (err: Error | null) => done(err, conn));
      },
    },
  }));
}

/**
 * The knex for pure reads — queries outside any transaction, such as the per-request user load and
 * the listings. On a SQLite file it is a pool of `poolSize` read-only connections (`query_only`):
 * WAL lets them read while the single writer connection writes, so reads no longer queue behind
 * each other and behind transactions on that one connection. Each statement reads the latest
 * committed state, so a write committed before a read starts is visible to it. Writes and every
 * transaction stay on `writer`, whose single connection the concurrency guarantees rely on.
 *
 * Returns `writer` itself on PostgreSQL (its pool already reads in parallel), for an in-memory
 * SQLite database (another connection would open another, empty database) and when `poolSize` is
 * 0. Open it after migrating: the schema must exist. Close it (unless it is `writer`) before the
 * writer, so that the writer's last checkpoint finds no reader in the WAL.
 */
export function createReadKnex(databaseUrl: string, writer: Knex, poolSize: number): Knex {
  if (dialectOf(databaseUrl) !== 'sqlite' || poolSize === 0) return writer;
  const filename = sqliteFilename(databaseUrl);
  if (filename === ':memory:') return writer;
  return bindTimesAsIso(knexFactory({
    client: 'sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: poolSize,
      afterCreate(conn: any, done: (err: Error | null, conn: any) => void) {
        // journal_mode is a property of the file, already set to WAL by the writer.
        conn.exec('PRAGMA query_only = ON; PRAGMA busy_timeout = 5000;', (err: Error | null) => done(err, conn));
      },
    },
  }));
}

/**
 * Keeps SQLite's planner statistics (sqlite_stat1) current, so it picks the caller-led indexes on
 * tables of any size: `PRAGMA optimize` analyses the tables whose statistics are missing or stale,
 * reading at most `analysis_limit` rows per index (cheap: milliseconds on a large database). At
 * start-up the 0x10002 mask checks every table, not only those queried on this connection.
 * Connections opened afterwards (the read pool) load the new statistics. PostgreSQL's autovacuum
 * does the same by itself: nothing to do there.
 */
export async function optimizeDatabase(db: Knex, opts: { startup?: boolean } = {}): Promise<void> {
  if (db.client.config.client !== 'sqlite3') return;
  await db.raw('PRAGMA analysis_limit = 1000');
  await db.raw(opts.startup ? 'PRAGMA optimize = 0x10002' : 'PRAGMA optimize');
}
