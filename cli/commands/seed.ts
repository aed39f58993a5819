/** Wiring of `mentorctl seed` (the work is in cli/actions/seed.ts and src/seed/demo.ts). */
import type { Command } from 'commander';
import { examples } from '../lib/options.ts';

export function registerSeedCommand(program: Command): void {
  program
    .command('seed')
    .description('fill the local database with demo data (idempotent) and print the demo logins')
    .requiredOption('--demo', 'the demo data set: mentors, learners and a year of sessions, requests, feedback and payouts')
    .addHelpText(
      'after',
      examples(['mentorctl db migrate && mentorctl seed --demo', 'a demo platform; running it again adds nothing']),
    )
    .action(async () => (await import('../actions/seed.ts')).seed());
}
