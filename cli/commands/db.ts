/** Wiring of `mentorctl db …` (the work is in cli/actions/db.ts). */
import type { Command } from 'commander';
import { examples, jsonOption, yesOption } from '../lib/options.ts';
import type { RollbackOptions, StatusOptions } from '../actions/db.ts';

const actions = () => import('../actions/db.ts');

export function registerDbCommands(program: Command): void {
  const db = program
    .command('db')
    .description('manage the schema of the local database (DATA_DIR / DATABASE_URL, as the server)')
    .addHelpText(
      'after',
      examples(
        ['mentorctl db migrate', 'create or update the tables'],
        ['DATABASE_URL=postgres://app@db:5432/mentors mentorctl db status', 'on PostgreSQL'],
      ),
    );

  db.command('migrate')
    .description('apply every pending migration')
    .addHelpText('after', examples(['mentorctl db migrate', 'before the first start, and after each upgrade']))
    .action(async () => (await actions()).migrate());

  db.command('status')
    .description('list applied and pending migrations')
    .addOption(jsonOption())
    .addHelpText(
      'after',
      examples(['mentorctl db status', 'a table'], ['mentorctl db status --json', '{ "database", "applied": [...], "pending": [...] }']),
    )
    .action(async (opts: StatusOptions) => (await actions()).status(opts));

  db.command('rollback')
    .description('undo the last batch of migrations, dropping their tables and data')
    .option('--all', 'undo every migration (an empty database)')
    .addOption(yesOption())
    .addHelpText(
      'after',
      examples(['mentorctl db rollback', 'asks for confirmation on a terminal'], ['mentorctl db rollback --all --yes', 'in a script']),
    )
    .action(async (opts: RollbackOptions) => (await actions()).rollback(opts));
}
