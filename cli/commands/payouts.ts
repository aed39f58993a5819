/** Wiring of `mentorctl payouts …` (the work is in cli/actions/payouts.ts). */
import { Option, type Command } from 'commander';
import { examples, jsonOption, limitOption, mentorOption, parseId, PAYOUT_STATUSES, yesOption } from '../lib/options.ts';
import type { DecisionOptions, ListPayoutsOptions } from '../actions/payouts.ts';

const actions = () => import('../actions/payouts.ts');
const noteOption = () => new Option('--note <text>', 'a note for the mentor (stored as admin_note, up to 500 characters)');

export function registerPayoutsCommands(program: Command): void {
  const payouts = program
    .command('payouts')
    .description("process mentors' payout requests (admin API)")
    .addHelpText('after', examples(['mentorctl payouts list --status pending'], ['mentorctl payouts approve 12']));

  payouts
    .command('list')
    .description('list payouts, oldest first, every page (or --limit)')
    .addOption(new Option('--status <status>', 'only this status').choices(PAYOUT_STATUSES))
    .addOption(mentorOption())
    .addOption(limitOption())
    .addOption(jsonOption())
    .addHelpText(
      'after',
      examples(
        ['mentorctl payouts list --status pending', 'the queue to process'],
        ['mentorctl payouts list --mentor 3 --json', 'an array of Payout'],
      ),
    )
    .action(async (opts: ListPayoutsOptions, cmd: Command) => (await actions()).listPayouts(opts, cmd.optsWithGlobals()));

  payouts
    .command('approve')
    .description('approve a pending payout (the mentor is notified)')
    .argument('<id>', 'payout id', parseId)
    .addOption(noteOption())
    .addOption(jsonOption())
    .addHelpText('after', examples(['mentorctl payouts approve 12'], ['mentorctl payouts approve 12 --note "Paid with the March run"']))
    .action(async (id: number, opts: DecisionOptions, cmd: Command) => (await actions()).decide('approve', id, opts, cmd.optsWithGlobals()));

  payouts
    .command('reject')
    .description('reject a pending or approved payout; the amount returns to the balance (the mentor is notified)')
    .argument('<id>', 'payout id', parseId)
    .addOption(noteOption())
    .addOption(yesOption())
    .addOption(jsonOption())
    .addHelpText('after', examples(['mentorctl payouts reject 12 --note "Bank details missing"', 'asks for confirmation on a terminal']))
    .action(async (id: number, opts: DecisionOptions, cmd: Command) => (await actions()).decide('reject', id, opts, cmd.optsWithGlobals()));

  payouts
    .command('mark-paid')
    .description('mark a pending or approved payout as paid (the mentor is notified)')
    .argument('<id>', 'payout id', parseId)
    .addOption(noteOption())
    .addOption(yesOption())
    .addOption(jsonOption())
    .addHelpText('after', examples(['mentorctl payouts mark-paid 12 --yes']))
    .action(async (id: number, opts: DecisionOptions, cmd: Command) => (await actions()).decide('mark-paid', id, opts, cmd.optsWithGlobals()));
}
