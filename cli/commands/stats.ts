/** Wiring of `mentorctl stats` (the work is in cli/actions/stats.ts). */
import type { Command } from 'commander';
import { examples, jsonOption } from '../lib/options.ts';
import type { StatsOptions } from '../actions/stats.ts';

export function registerStatsCommand(program: Command): void {
  program
    .command('stats')
    .description('platform statistics: users, sessions, bookings, requests, revenue, payouts (admin API)')
    .addOption(jsonOption())
    .addHelpText('after', examples(['mentorctl stats'], ['mentorctl stats --json', 'PlatformStats']))
    .action(async (opts: StatsOptions, cmd: Command) => (await import('../actions/stats.ts')).stats(opts, cmd.optsWithGlobals()));
}
