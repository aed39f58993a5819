/**
 * Knex connection factory. SQLite (the default) runs in WAL mode with foreign keys on and a busy
 * timeout on every pooled connection; PostgreSQL is used when DATABASE_URL says postgres://.
 */
import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';

export type Dialect = 'sqlite' | 'postgres';

// PostgreSQL returns COUNT(*) and SUM(bigint) as strings; every such value here fits in a double.
pg.types.setTypeParser(20, (v: string) => Number.parseInt(v, 10)); // int8
pg.types.setTypeParser(1700, (v: string) => Number(v)); // numeric (SUM of integers)

export function dialectOf(databaseUrl: string): Dialect {
  return databaseUrl.startsWith('sqlite:') ? 'sqlite' : 'postgres';
}

/** `sqlite:///abs/file`, `sqlite://relative/file`, `sqlite::memory:` → a filename for sqlite3. */
export function sqliteFilename(databaseUrl: string): string {
  const rest = databaseUrl.replace(/^sqlite:(\/\/)?/, '');
  if (rest === ':memory:' || rest === '') return ':memory:';
  return path.resolve(rest);
}

export function createKnex(databaseUrl: string, opts: { poolMax?: number } = {}): Knex {
  if (dialectOf(databaseUrl) === 'sqlite') {
    const filename = sqliteFilename(databaseUrl);
    if (filename !== ':memory:') fs.mkdirSync(path.dirname(filename), { recursive: true });
    return knexFactory({
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
  }
  return knexFactory({
    client: 'pg',
    connection: { connectionString: databaseUrl },
    pool: { min: 0, max: opts.poolMax ?? 10 },
  });
}
