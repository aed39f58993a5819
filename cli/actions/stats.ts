/** `mentorctl stats`: platform statistics, through the admin API. */
import { connect, expectOk } from '../lib/api.ts';
import type { GlobalOptions } from '../lib/options.ts';
import { printFields, printJson, printLine } from '../lib/output.ts';

export interface StatsOptions {
  json?: boolean;
}

/** "a 1 · b 2" for a record of counts or amounts. */
const inline = (values: Record<string, number | string>) =>
  Object.entries(values)
    .map(([key, value]) => `${key.replace('_', ' ')} ${value}`)
    .join(' · ');

/** JSON shape: `PlatformStats` (openapi.yaml). */
export async function stats(opts: StatsOptions, globals: GlobalOptions): Promise<void> {
  const { client } = connect(globals.url);
  const s = await expectOk(client.GET('/api/admin/stats/'));
  if (opts.json) {
    printJson(s);
    return;
  }
  printFields([
    ['Users', `${s.users.total} (${inline({ mentors: s.users.mentors, learners: s.users.learners, admins: s.users.admins, active: s.users.active })})`],
    ['Sessions', inline({ ...s.sessions })],
    ['Bookings', inline({ ...s.bookings })],
    ['Requests', inline({ ...s.requests })],
    ['Gross revenue', `${s.gross_revenue} ${s.currency}`],
    ['Payouts', inline({ ...s.payouts })],
  ]);
  printLine(`as of ${s.generated_at} · amounts in ${s.currency}`, 'dim');
}
