/** Notification presenter: shared by GET /api/notifications/ and the WebSocket push. */
import type { Schema } from '../contract/types.ts';
import { iso } from '../lib/time.ts';
import type { Notification } from '../models/index.ts';

export function presentNotification(n: Notification): Schema<'Notification'> {
  const data: Schema<'Notification'>['data'] = {};
  for (const key of ['session', 'booking', 'request', 'payout', 'feedback'] as const) {
    const v = n.data?.[key];
    if (typeof v === 'number') data[key] = v;
  }
  return {
    id: n.id,
    type: n.type,
    message: n.message,
    link: n.link,
    read_status: n.read_status,
    read_at: iso(n.read_at),
    timestamp: iso(n.timestamp),
    data,
  };
}
