/** Wiring of `mentorctl users …` (the work is in cli/actions/users.ts). */
import { Argument, Option, type Command } from 'commander';
import { examples, jsonOption, limitOption, parseId, ROLES, yesOption } from '../lib/options.ts';
import type { CreateUserOptions, DeactivateOptions, ListUsersOptions, RecordOptions } from '../actions/users.ts';
import type { Schema } from '../../src/contract/types.ts';

const actions = () => import('../actions/users.ts');

export function registerUsersCommands(program: Command): void {
  const users = program
    .command('users')
    .description('list and manage accounts (admin API)')
    .addHelpText('after', examples(['mentorctl users list --role mentor'], ['mentorctl users deactivate 42']));

  users
    .command('list')
    .description('list accounts, every page (or --limit)')
    .addOption(new Option('--role <role>', 'only this role').choices(ROLES))
    .addOption(new Option('--active', 'only active accounts').conflicts('inactive'))
    .addOption(new Option('--inactive', 'only deactivated accounts'))
    .option('--search <text>', 'username, e-mail or name contains this (case-insensitive)')
    .addOption(limitOption())
    .addOption(jsonOption())
    .addHelpText(
      'after',
      examples(
        ['mentorctl users list', 'a table of every account'],
        ['mentorctl users list --role mentor --inactive', 'deactivated mentors'],
        ["mentorctl users list --search okafor --json | jq '.[].id'", 'an array of AdminUser'],
      ),
    )
    .action(async (opts: ListUsersOptions, cmd: Command) => (await actions()).listUsers(opts, cmd.optsWithGlobals()));

  users
    .command('show')
    .description('show one account')
    .argument('<id>', 'user id', parseId)
    .addOption(jsonOption())
    .addHelpText('after', examples(['mentorctl users show 7'], ['mentorctl users show 7 --json', 'one AdminUser']))
    .action(async (id: number, opts: RecordOptions, cmd: Command) => (await actions()).showUser(id, opts, cmd.optsWithGlobals()));

  users
    .command('create')
    .description('create an account (asks for missing values on a terminal)')
    .option('--username <name>', 'login name (3–150 letters, digits, _ . -)')
    .option('--email <address>', 'e-mail address')
    .option('--password <password>', 'at least 8 characters (asked for, hidden, on a terminal)')
    .addOption(new Option('--role <role>', 'mentor or learner').choices(ROLES))
    .option('--admin', 'give admin rights too')
    .option('--first-name <name>', 'first name')
    .option('--last-name <name>', 'last name')
    .addOption(jsonOption())
    .addHelpText(
      'after',
      examples(
        ['mentorctl users create', 'asks for each value'],
        ['mentorctl users create --username jane --email jane@example.org --password "$PW" --role mentor'],
      ),
    )
    .action(async (opts: CreateUserOptions, cmd: Command) => (await actions()).createUser(opts, cmd.optsWithGlobals()));

  users
    .command('set-role')
    .description("change an account's role")
    .argument('<id>', 'user id', parseId)
    .addArgument(new Argument('<role>', 'mentor or learner').choices(ROLES))
    .addOption(jsonOption())
    .addHelpText('after', examples(['mentorctl users set-role 7 mentor']))
    .action(async (id: number, role: Schema<'Role'>, opts: RecordOptions, cmd: Command) =>
      (await actions()).setRole(id, role, opts, cmd.optsWithGlobals()),
    );

  users
    .command('deactivate')
    .description('deactivate an account: it is signed out everywhere at once and cannot log in')
    .argument('<id>', 'user id', parseId)
    .addOption(yesOption())
    .addOption(jsonOption())
    .addHelpText('after', examples(['mentorctl users deactivate 7', 'asks for confirmation on a terminal'], ['mentorctl users deactivate 7 --yes']))
    .action(async (id: number, opts: DeactivateOptions, cmd: Command) => (await actions()).deactivate(id, opts, cmd.optsWithGlobals()));

  users
    .command('activate')
    .description('re-activate a deactivated account')
    .argument('<id>', 'user id', parseId)
    .addOption(jsonOption())
    .addHelpText('after', examples(['mentorctl users activate 7']))
    .action(async (id: number, opts: RecordOptions, cmd: Command) => (await actions()).activate(id, opts, cmd.optsWithGlobals()));
}
