/**
 * Notifications are written inside the transaction of the event that causes them (so a rolled-back
 * booking never leaves a "booking made" notification behind) and pushed after COMMIT through the
 * `notification.created` domain event.
 *
 * Links are app-relative places the widgets understand:
 *   /dashboard#sessions, /dashboard#requests, /dashboard#earnings, /dashboard#notifications,
 *   /dashboard#sessions/{id}, /room/{id}
 */
import type { Knex } from 'knex';
import type { Tx } from '../events.ts';
import { Notification, type NotificationData, type NotificationType } from '../models/index.ts';

export interface NewNotification {
  userId: number;
  type: NotificationType;
  message: string;
  link?: string | null;
  data?: NotificationData;
  /** Makes the notification idempotent: a second insert with the same key is ignored. */
  dedupeKey?: string;
}

export const links = {
  sessions: '/dashboard#sessions',
  session: (id: number) => `/dashboard#sessions/${id}`,
  requests: '/dashboard#requests',
  earnings: '/dashboard#earnings',
  notifications: '/dashboard#notifications',
  room: (id: number) => `/room/${id}`,
};

/**
 * Inserts notifications in the caller's transaction and records one `notification.created` event
 * for each row actually written (deduplicated ones are skipped). Returns the written rows.
 */
export async function notify(tx: Tx, items: NewNotification | NewNotification[]): Promise<Notification[]> {
  const list = Array.isArray(items) ? items : [items];
  const written: Notification[] = [];
  for (const item of list) {
    const row = {
      user_id: item.userId,
      type: item.type,
      message: item.message,
      link: item.link ?? null,
      data: JSON.stringify(item.data ?? {}),
      read_status: false,
      timestamp: new Date().toISOString(),
      dedupe_key: item.dedupeKey ?? null,
    };
    let ids: Array<number | { id: number }>;
    if (item.dedupeKey) {
      ids = await tx.trx('notifications').insert(row).onConflict('dedupe_key').ignore().returning('id');
    } else {
      ids = await tx.trx('notifications').insert(row).returning('id');
    }
    const first = ids[0];
    if (first === undefined) continue;
    const id = typeof first === 'object' ? first.id : first;
    const saved = await Notification.query(tx.trx).findById(id);
    if (!saved) continue;
    written.push(saved);
    tx.emit({ type: 'notification.created', notification: saved });
  }
  return written;
}

export async function unreadCount(db: Knex | Knex.Transaction, userId: number): Promise<number> {
  const row = await db('notifications').where({ user_id: userId, read_status: false }).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}
