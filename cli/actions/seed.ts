/** `mentorctl seed --demo`: the demo data set (src/seed/demo.ts) in the local database. */
import { DEMO_TABLES, seedDemo } from '../../src/seed/demo.ts';
import { CliError } from '../lib/errors.ts';
import { describeDatabase, requireMigrated, withDatabase } from '../lib/localDb.ts';
import { printLine, printTable, success } from '../lib/output.ts';
import { withProgress } from '../lib/progress.ts';

export async function seed(): Promise<void> {
  await withDatabase(async (db, config) => {
    if (config.env === 'production') {
      throw new CliError('refusing to seed demo accounts with a published password into a production database (NODE_ENV=production)');
    }
    await requireMigrated(db);
    const { created, credentials } = await withProgress('Seeding the demo data', (progress) =>
      seedDemo(db, { onStep: (step) => progress.update(`Seeding the demo data: ${step}`) }),
    );
    const target = describeDatabase(config.databaseUrl);
    const added = DEMO_TABLES.filter((table) => created[table] > 0).map((table) => `${created[table]} ${table.replace('_', ' ')}`);
    if (added.length === 0) success(`The demo data is already in ${target}; nothing was added.`);
    else success(`Added the demo data to ${target}: ${added.join(', ')}.`);
    printLine();
    printLine('Demo accounts:');
    printTable(credentials, [
      { header: 'USERNAME', value: (c) => c.username },
      { header: 'ROLE', value: (c) => c.role },
      { header: 'PASSWORD', value: (c) => c.password },
    ]);
    printLine();
    printLine('Admins are not part of the demo: create one with "mentorctl admin create".');
  });
}
