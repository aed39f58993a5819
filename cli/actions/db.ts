/** `mentorctl db migrate|status|rollback`: the schema of the configured database. */
import type { Knex } from 'knex';
import { migrateLatest, migrationConfig, migrationStatus } from '../../src/db/migrate.ts';
import { describeDatabase, withDatabase } from '../lib/localDb.ts';
import { note, printJson, printLine, printTable, statusColor, success } from '../lib/output.ts';
import { withProgress } from '../lib/progress.ts';
import { confirmOrAbort } from '../lib/prompts.ts';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export async function migrate(): Promise<void> {
  await withDatabase(async (db, config) => {
    const target = describeDatabase(config.databaseUrl);
    const applied = await withProgress(`Applying migrations to ${target}`, () => migrateLatest(db));
    if (applied.length === 0) {
      success(`${target} is up to date.`);
      return;
    }
    success(`Applied ${plural(applied.length, 'migration')} to ${target}:`);
    for (const name of applied) printLine(`  ${name}`);
  });
}

export interface StatusOptions {
  json?: boolean;
}

/** JSON shape: `{ "database": string, "applied": string[], "pending": string[] }`. */
export async function status(opts: StatusOptions): Promise<void> {
  await withDatabase(async (db, config) => {
    const { done, pending } = await migrationStatus(db);
    const database = describeDatabase(config.databaseUrl);
    if (opts.json) {
      printJson({ database, applied: done, pending });
      return;
    }
    const rows = [...done.map((name) => ({ name, state: 'applied' })), ...pending.map((name) => ({ name, state: 'pending' }))];
    printTable(rows, [
      { header: 'MIGRATION', value: (r) => r.name },
      { header: 'STATE', value: (r) => r.state, color: statusColor },
    ]);
    const summary = pending.length ? `${plural(pending.length, 'migration')} pending: run "mentorctl db migrate"` : 'up to date';
    note(`${database}: ${summary}`);
  });
}

/** The migrations a rollback would undo: the last batch, or every applied one with `all`. */
async function toUndo(db: Knex, all: boolean): Promise<string[]> {
  const table = migrationConfig().tableName!;
  if (!(await db.schema.hasTable(table))) return [];
  const rows: Array<{ name: string; batch: number }> = await db(table).select('name', 'batch').orderBy('id', 'desc');
  if (all) return rows.map((r) => r.name);
  const last = rows[0]?.batch;
  return rows.filter((r) => r.batch === last).map((r) => r.name);
}

export interface RollbackOptions {
  all?: boolean;
  yes?: boolean;
}

export async function rollback(opts: RollbackOptions): Promise<void> {
  await withDatabase(async (db, config) => {
    const target = describeDatabase(config.databaseUrl);
    const names = await toUndo(db, Boolean(opts.all));
    if (names.length === 0) {
      success(`Nothing to roll back on ${target}.`);
      return;
    }
    await confirmOrAbort({
      yes: opts.yes,
      message: `Roll back ${plural(names.length, 'migration')} (${names.join(', ')}) on ${target}? Their tables and data are dropped.`,
    });
    const [, undone] = (await withProgress(`Rolling back ${target}`, () =>
      db.migrate.rollback(migrationConfig(), Boolean(opts.all)),
    )) as [number, string[]];
    success(`Rolled back ${plural(undone.length, 'migration')} on ${target}:`);
    for (const name of undone) printLine(`  ${name}`);
  });
}
