/** Wiring of `mentorctl login|logout|whoami` (the work is in cli/actions/auth.ts). */
import { Option, type Command } from 'commander';
import { examples, jsonOption } from '../lib/options.ts';
import type { LoginOptions, WhoamiOptions } from '../actions/auth.ts';

const actions = () => import('../actions/auth.ts');

export function registerAuthCommands(program: Command): void {
  program
    .command('login')
    .description('log in to the API and store the tokens (0600) in $XDG_CONFIG_HOME/mentorctl/credentials.json')
    .option('--username <name>', 'your username (asked for on a terminal)')
    .addOption(new Option('--password <password>', 'your password (asked for, hidden, on a terminal)').env('MENTORCTL_PASSWORD'))
    .addHelpText(
      'after',
      examples(
        ['mentorctl login --url https://mentors.example.com', 'asks for username and password'],
        ['MENTORCTL_PASSWORD=… mentorctl login --username root', 'in a script'],
      ),
    )
    .action(async (opts: LoginOptions, cmd: Command) => (await actions()).login(opts, cmd.optsWithGlobals()));

  program
    .command('logout')
    .description('revoke the stored login on the server and delete the credentials file')
    .addHelpText('after', examples(['mentorctl logout']))
    .action(async () => (await actions()).logout());

  program
    .command('whoami')
    .description('show the account and server the CLI is using')
    .addOption(jsonOption())
    .addHelpText('after', examples(['mentorctl whoami'], ['MENTORCTL_TOKEN=eyJ… mentorctl whoami --json', 'with a token instead of a login']))
    .action(async (opts: WhoamiOptions, cmd: Command) => (await actions()).whoami(opts, cmd.optsWithGlobals()));
}
