/**
 * Migrations live in `migrations/` as TypeScript files; the compiled server (scripts/build-server.ts)
 * carries them as JavaScript in a `migrations` folder beside its bundle. Knex records a migration's
 * name; we name them without the extension so the same database works whether the code runs under
 * tsx or compiled (names recorded with an extension by an older setup are normalised first).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Knex } from 'knex';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** dist/server/migrations (compiled, beside the bundle) or the project's migrations/ (under tsx). */
export const MIGRATIONS_DIR = fs.existsSync(path.join(HERE, 'migrations'))
  ? path.join(HERE, 'migrations')
  : path.resolve(HERE, '../../migrations');

interface MigrationModule {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

class DirectoryMigrationSource implements Knex.MigrationSource<string> {
  constructor(private readonly dir: string) {}

  async getMigrations(): Promise<string[]> {
    return fs
      .readdirSync(this.dir)
      .filter((f) => /^\d{14}_[\w-]+\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
      .map((f) => f.replace(/\.(ts|js)$/, ''))
      .sort();
  }

  getMigrationName(name: string): string {
    return name;
  }

  async getMigration(name: string): Promise<MigrationModule> {
    const file = ['.ts', '.js'].map((ext) => path.join(this.dir, name + ext)).find((f) => fs.existsSync(f));
    if (!file) throw new Error(`migration file for ${name} not found in ${this.dir}`);
    return (await import(pathToFileURL(file).href)) as MigrationModule;
  }
}

export function migrationConfig(): Knex.MigratorConfig {
  return { migrationSource: new DirectoryMigrationSource(MIGRATIONS_DIR), tableName: 'knex_migrations' };
}

/** Arbitrary, fixed key of the PostgreSQL advisory lock that serialises migrations. */
const PG_MIGRATION_LOCK = 727_317_001;

/**
 * Applies pending migrations. Several processes may start at once (a rolling deployment), so the
 * whole run is serialised by a lock outside knex — knex's own lock table cannot protect the very
 * first run (when that table is being created) and stays locked if a process dies mid-migration:
 * - PostgreSQL: a transaction-scoped advisory lock (held by one pooled connection while the
 *   migrations run on others);
 * - SQLite (one machine by nature): an exclusive lock file beside the database, taken over when the
 *   process that created it is gone.
 * Whoever holds the outer lock is the only migrator, so a knex lock still set then is stale and is
 * released.
 */
export async function migrateLatest(knex: Knex): Promise<string[]> {
  const run = async () => {
    await releaseStaleKnexLock(knex);
    await normaliseRecordedNames(knex);
    const [, applied] = (await knex.migrate.latest(migrationConfig())) as [number, string[]];
    return applied;
  };
  if (knex.client.config.client === 'pg') {
    return knex.transaction(async (trx) => {
      await trx.raw('SELECT pg_advisory_xact_lock(?)', [PG_MIGRATION_LOCK]);
      return run();
    });
  }
  const filename = (knex.client.config.connection as { filename?: string })?.filename;
  if (!filename || filename === ':memory:') return run();
  return withLockFile(`${filename}.migrate.lock`, run);
}

/**
 * Knex's default source records `20261124000000_initial.ts` (or `.js`); ours records the bare name.
 * A database migrated with the extension would otherwise look "corrupt" (a recorded migration
 * missing from the list) and its migrations pending again.
 */
async function normaliseRecordedNames(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasTable('knex_migrations'))) return;
  const rows: Array<{ id: number; name: string }> = await knex('knex_migrations').where('name', 'like', '%.ts').orWhere('name', 'like', '%.js').select('id', 'name');
  for (const row of rows) {
    await knex('knex_migrations').where('id', row.id).update({ name: row.name.replace(/\.(ts|js)$/, '') });
  }
}

async function releaseStaleKnexLock(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasTable('knex_migrations_lock'))) return;
  const row = await knex('knex_migrations_lock').first();
  if (row && Number(row.is_locked) === 1) await knex.migrate.forceFreeMigrationsLock(migrationConfig());
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function withLockFile<T>(lockPath: string, fn: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(fs.readFileSync(lockPath, 'utf8').trim() || 0);
      if (owner && !processAlive(owner)) {
        fs.rmSync(lockPath, { force: true }); // left behind by a process that died
        continue;
      }
      if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for the migration lock ${lockPath} (held by pid ${owner})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockPath, { force: true });
  }
}

export async function rollbackAll(knex: Knex): Promise<string[]> {
  await normaliseRecordedNames(knex);
  const [, undone] = (await knex.migrate.rollback(migrationConfig(), true)) as [number, string[]];
  return undone;
}

export async function migrationStatus(knex: Knex): Promise<{ done: string[]; pending: string[] }> {
  await normaliseRecordedNames(knex);
  const [done, pending] = (await knex.migrate.list(migrationConfig())) as [Array<{ name: string }>, Array<{ file: string } | string>];
  return {
    done: done.map((d) => (typeof d === 'string' ? d : d.name)),
    pending: pending.map((p) => (typeof p === 'string' ? p : p.file)),
  };
}
