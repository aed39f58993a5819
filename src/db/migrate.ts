/**
 * Migrations live in `migrations/` as TypeScript files. Knex records a migration's name; we name
 * them without the extension so the same database works whether the code runs under tsx or compiled.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Knex } from 'knex';

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

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

export async function migrateLatest(knex: Knex): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest(migrationConfig())) as [number, string[]];
  return applied;
}

export async function rollbackAll(knex: Knex): Promise<string[]> {
  const [, undone] = (await knex.migrate.rollback(migrationConfig(), true)) as [number, string[]];
  return undone;
}

export async function migrationStatus(knex: Knex): Promise<{ done: string[]; pending: string[] }> {
  const [done, pending] = (await knex.migrate.list(migrationConfig())) as [Array<{ name: string }>, Array<{ file: string } | string>];
  return {
    done: done.map((d) => (typeof d === 'string' ? d : d.name)),
    pending: pending.map((p) => (typeof p === 'string' ? p : p.file)),
  };
}
