/** Wiring of `mentorctl notify` (the work is in cli/actions/notify.ts). */
import { Option, type Command } from 'commander';
import { EXIT_USAGE } from '../lib/errors.ts';
import { AUDIENCES, examples, jsonOption, parseId } from '../lib/options.ts';
import type { NotifyOptions } from '../actions/notify.ts';

export function registerNotifyCommand(program: Command): void {
  program
    .command('notify')
    .description('send a notification to one user (--user) or to every active user of a role (--role)')
    .addOption(new Option('--user <id>', 'the recipient (user id)').argParser(parseId).conflicts('role'))
    .addOption(new Option('--role <role>', 'every active mentor, learner, or all users').choices(AUDIENCES))
    .option('--message <text>', 'the text (asked for on a terminal)')
    .option('--link <path>', 'where clicking it leads, an app path such as /dashboard#sessions')
    .addOption(jsonOption())
    .addHelpText(
      'after',
      examples(
        ['mentorctl notify --role mentor --message "Payouts run on Friday"'],
        ['mentorctl notify --user 7 --message "Please complete your profile" --link /dashboard#profile'],
      ),
    )
    .action(async (opts: NotifyOptions, cmd: Command) => {
      const target = opts.user !== undefined ? { user: opts.user } : opts.role !== undefined ? { role: opts.role } : undefined;
      if (!target) cmd.error('error: say who to notify: --user ID or --role mentor|learner|all', { exitCode: EXIT_USAGE, code: 'mentorctl.usage' });
      else await (await import('../actions/notify.ts')).notify(target, opts, cmd.optsWithGlobals());
    });
}
