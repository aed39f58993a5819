/** `mentorctl notify`: a broadcast notification to one user or to a role, through the admin API. */
import type { Schema } from '../../src/contract/types.ts';
import { connect, expectOk } from '../lib/api.ts';
import type { GlobalOptions } from '../lib/options.ts';
import { printJson, success } from '../lib/output.ts';
import { askText } from '../lib/prompts.ts';

type Audience = Schema<'BroadcastToRole'>['role'];

export interface NotifyOptions {
  user?: number;
  role?: Audience;
  message?: string;
  link?: string;
  json?: boolean;
}

export type Target = { user: number } | { role: Audience };

/** JSON shape: `BroadcastResult`, i.e. `{ "sent": number }`. */
export async function notify(target: Target, opts: NotifyOptions, globals: GlobalOptions): Promise<void> {
  const { client } = connect(globals.url);
  const message = await askText({ value: opts.message, flag: '--message', message: 'Message:' });
  const body: Schema<'Broadcast'> = { ...target, message, link: opts.link };
  const result = await expectOk(client.POST('/api/admin/notifications/', { body }), {
    user: '--user',
    role: '--role',
    message: '--message',
    link: '--link',
  });
  if (opts.json) {
    printJson(result);
    return;
  }
  const audience = 'user' in target ? `user ${target.user}` : target.role === 'all' ? 'every active user' : `every active ${target.role}`;
  success(`Sent ${result.sent} notification${result.sent === 1 ? '' : 's'} to ${audience}.`);
}
