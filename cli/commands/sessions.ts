/** Wiring of `mentorctl sessions …` (the work is in cli/actions/sessions.ts). */
import { Option, type Command } from 'commander';
import { examples, jsonOption, limitOption, mentorOption, SESSION_STATUSES } from '../lib/options.ts';
import type { ListSessionsOptions } from '../actions/sessions.ts';

export function registerSessionsCommands(program: Command): void {
  const sessions = program
    .command('sessions')
    .description('look at every session on the platform (admin API)')
    .addHelpText('after', examples(['mentorctl sessions list --status in_progress', 'classes running now']));

  sessions
    .command('list')
    .description('list sessions by start time, every page (or --limit)')
    .addOption(new Option('--status <status>', 'only this status').choices(SESSION_STATUSES))
    .addOption(mentorOption())
    .addOption(limitOption())
    .addOption(jsonOption())
    .addHelpText(
      'after',
      examples(
        ['mentorctl sessions list --status scheduled', "what's coming up"],
        ['mentorctl sessions list --mentor 3 --json', 'an array of Session'],
      ),
    )
    .action(async (opts: ListSessionsOptions, cmd: Command) =>
      (await import('../actions/sessions.ts')).listSessions(opts, cmd.optsWithGlobals()),
    );
}
