/**
 * The command tree. Settings made here before the commands are added (exit override, output,
 * error hint) are inherited by every subcommand.
 */
import fs from 'node:fs';
import { Command, Option } from 'commander';
import { registerAdminCommands } from './commands/admin.ts';
import { registerApiKeysCommands } from './commands/apiKeys.ts';
import { registerAuthCommands } from './commands/auth.ts';
import { registerDbCommands } from './commands/db.ts';
import { registerNotifyCommand } from './commands/notify.ts';
import { registerPayoutsCommands } from './commands/payouts.ts';
import { registerSeedCommand } from './commands/seed.ts';
import { registerSessionsCommands } from './commands/sessions.ts';
import { registerStatsCommand } from './commands/stats.ts';
import { registerUsersCommands } from './commands/users.ts';
import { registerWebhooksCommands } from './commands/webhooks.ts';
import { DEFAULT_URL } from './lib/api.ts';
import { examples } from './lib/options.ts';
import { paint } from './lib/output.ts';

const { version } = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const ENVIRONMENT = `
Environment:
  MENTORCTL_URL     API base URL (same as --url)
  MENTORCTL_TOKEN   an access token to use instead of the stored login
  NO_COLOR          no colours (colours are only used on a terminal anyway)
  DATA_DIR, DATABASE_URL, …   the database of the local commands (db, seed, admin), as for the server

Exit codes: 0 success, 1 failure (the API or the database refused), 2 usage error, 130 interrupted.`;

export function createProgram(): Command {
  const program = new Command('mentorctl')
    .description(
      'Administer a Mentor Dashboard: bootstrap the local database (db, seed, admin), then manage users, sessions, payouts and notifications through the API.',
    )
    .version(version, '-V, --version')
    .addOption(
      new Option('--url <url>', `API base URL (default: the server you logged in to, else ${DEFAULT_URL})`).env('MENTORCTL_URL'),
    )
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .showSuggestionAfterError()
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({ outputError: (text, write) => write(paint(process.stderr, 'red', text)) })
    .addHelpText(
      'after',
      `${examples(
        ['mentorctl db migrate && mentorctl admin create', 'bootstrap a new installation'],
        ['mentorctl login --url https://mentors.example.com'],
        ['mentorctl payouts list --status pending'],
        ['mentorctl users list --role mentor --json', 'machine-readable output'],
      )}\n${ENVIRONMENT}`,
    );

  registerDbCommands(program);
  registerSeedCommand(program);
  registerAdminCommands(program);
  registerAuthCommands(program);
  registerUsersCommands(program);
  registerSessionsCommands(program);
  registerPayoutsCommands(program);
  registerNotifyCommand(program);
  registerStatsCommand(program);
  registerApiKeysCommands(program);
  registerWebhooksCommands(program);
  return program;
}
