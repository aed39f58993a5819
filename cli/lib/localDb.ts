/**
 * The local bootstrap commands (db, seed, admin create) talk to the configured database directly,
 * like Django's manage.py: the same environment variables as the server (DATA_DIR, DATABASE_URL,
 * …, read by src/config.ts), the same knex setup and the same migrations.
 */
import type { Knex } from 'knex';
import { ConfigError, loadConfig, type Config } from '../../src/config.ts';
import { createKnex } from '../../src/db/knex.ts';
import { migrationStatus } from '../../src/db/migrate.ts';
import { CliError } from './errors.ts';

/** The database URL with any password masked, for messages. */
export function describeDatabase(databaseUrl: string): string {
  return databaseUrl.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(`configuration: ${err.message}`);
    throw err;
  }
}

/** Runs `work` with a connection to the configured database, closed afterwards whatever happens. */
export async function withDatabase<T>(work: (db: Knex, config: Config) => Promise<T>): Promise<T> {
  const config = readConfig();
  const db = createKnex(config.databaseUrl, { poolMax: 2 });
  try {
    return await work(db, config);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'SQLITE_CANTOPEN' || code === '3D000') {
      throw new CliError(`cannot open the database ${describeDatabase(config.databaseUrl)} (${(err as Error).message})`);
    }
    throw err;
  } finally {
    await db.destroy();
  }
}

/** Refuses to work on a database whose schema is behind the code. */
export async function requireMigrated(db: Knex): Promise<void> {
  const { pending } = await migrationStatus(db);
  if (pending.length) {
    throw new CliError(`the database has ${pending.length} pending migration(s); run "mentorctl db migrate" first`);
  }
}
