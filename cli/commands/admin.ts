/** Wiring of `mentorctl admin …` (the work is in cli/actions/admin.ts). */
import { Option, type Command } from 'commander';
import { examples, ROLES } from '../lib/options.ts';
import type { AdminCreateOptions } from '../actions/admin.ts';

export function registerAdminCommands(program: Command): void {
  const admin = program
    .command('admin')
    .description('bootstrap admin accounts in the local database')
    .addHelpText('after', examples(['mentorctl admin create', 'the first admin of a new installation']));

  admin
    .command('create')
    .description('create an admin account (asks for missing values on a terminal; the password twice, hidden)')
    .option('--username <name>', 'login name (3–150 letters, digits, _ . -)')
    .option('--email <address>', 'e-mail address')
    .option('--password <password>', 'at least 8 characters (prefer the hidden prompt: flags end up in shell history)')
    .addOption(new Option('--role <role>', 'the account role besides admin').choices(ROLES).default('learner'))
    .addHelpText(
      'after',
      examples(
        ['mentorctl admin create', 'asks for each value'],
        ['mentorctl admin create --username root --email root@example.org --password "$PW"', 'in a script'],
      ),
    )
    .action(async (opts: AdminCreateOptions) => (await import('../actions/admin.ts')).createAdmin(opts));
}
