/** `mentorctl sessions list`: every session on the platform, through the admin API. */
import type { Schema } from '../../src/contract/types.ts';
import { collectPages, connect, expectOk } from '../lib/api.ts';
import type { GlobalOptions } from '../lib/options.ts';
import { printJson, printLine, printTable, shortTime, statusColor } from '../lib/output.ts';

type Session = Schema<'Session'>;

export interface ListSessionsOptions {
  status?: Schema<'SessionStatus'>;
  mentor?: number;
  limit?: number;
  json?: boolean;
}

/** JSON shape: an array of `Session` (openapi.yaml), ordered by start time. */
export async function listSessions(opts: ListSessionsOptions, globals: GlobalOptions): Promise<void> {
  const { client } = connect(globals.url);
  const sessions = await collectPages(
    (page, page_size) =>
      expectOk(client.GET('/api/admin/sessions/', { params: { query: { status: opts.status, mentor: opts.mentor, page, page_size } } })),
    opts.limit,
  );
  if (opts.json) printJson(sessions);
  else if (sessions.length === 0) printLine('No sessions match.');
  else
    printTable<Session>(sessions, [
      { header: 'ID', value: (s) => String(s.id), align: 'right' },
      { header: 'START (UTC)', value: (s) => shortTime(s.start_time) },
      { header: 'MIN', value: (s) => String(s.duration), align: 'right' },
      { header: 'TITLE', value: (s) => s.title, max: 36 },
      { header: 'MENTOR', value: (s) => s.mentor_summary.username, max: 20 },
      { header: 'STATUS', value: (s) => s.status, color: statusColor },
      { header: 'PRICE', value: (s) => (s.price === null ? 'free' : `${s.price} ${s.currency}`), align: 'right' },
      { header: 'SEATS', value: (s) => `${s.participant_count}/${s.capacity}`, align: 'right' },
    ]);
}
