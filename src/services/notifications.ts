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

/** The table row for a new notification. */
function notificationRow(item: NewNotification, now: Date) {
  return {
    user_id: item.userId,
    type: item.type,
    message: item.message,
    link: item.link ?? null,
    data: JSON.stringify(item.data ?? {}),
    read_status: false,
    timestamp: now.toISOString(),
    dedupe_key: item.dedupeKey ?? null,
  };
}

/**
 * Inserts notifications in the caller's transaction and records one `notification.created` event
 * for each row actually written (deduplicated ones are skipped). Returns the written rows.
 */
export async function notify(tx: Tx, items: NewNotification | NewNotification[]): Promise<Notification[]> {
  const list = Array.isArray(items) ? items : [items];
  const written: Notification[] = [];
  for (const item of list) {
    const insert = tx.trx('notifications').insert(notificationRow(item, new Date()));
    // A deduplicated notification that already exists is skipped: no row comes back.
    const rows: Record<string, unknown>[] = await (item.dedupeKey ? insert.onConflict('dedupe_key').ignore() : insert).returning('*');
    if (!rows[0]) continue;
    const saved = Notification.fromDatabaseJson(rows[0]);
    written.push(saved);
    tx.emit({ type: 'notification.created', notification: saved });
  }
  return written;
}

export async function unreadCount(db: Knex | Knex.Transaction, userId: number): Promise<number> {
  const row = await db('notifications').where({ user_id: userId, read_status: false }).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/** `unreadCount` for many users in one grouped query per 500 ids (the realtime push of a broadcast). */
export async function unreadCounts(db: Knex | Knex.Transaction, userIds: number[]): Promise<Map<number, number>> {
  const counts = new Map<number, number>(userIds.map((id) => [id, 0]));
  const ids = [...counts.keys()];
  for (let i = 0; i < ids.length; i += 500) {
    const rows: Array<{ user_id: number | string; n: number | string }> = await db('notifications')
      .whereIn('user_id', ids.slice(i, i + 500))
      .where('read_status', false)
      .groupBy('user_id')
      .select('user_id')
      .count({ n: '*' });
    for (const row of rows) counts.set(Number(row.user_id), Number(row.n));
  }
  return counts;
}

/** Rows per multi-row INSERT: 8 values each stays far below SQLite's and PostgreSQL's parameter limits. */
const FAN_OUT_CHUNK = 500;

/**
 * `notify` for many recipients at once (broadcasts): multi-row INSERT … RETURNING in chunks, in the
 * caller's transaction, then one `notification.created` event per row. Both PostgreSQL and SQLite
 * (≥ 3.35) return every inserted row, in no promised order, so the rows are sorted by id.
 * Deduplication keys are not supported here.
 */
export async function notifyMany(tx: Tx, items: Array<Omit<NewNotification, 'dedupeKey'>>): Promise<Notification[]> {
  const now = new Date();
  const written: Notification[] = [];
  for (let i = 0; i < items.length; i += FAN_OUT_CHUNK) {
    const rows = items.slice(i, i + FAN_OUT_CHUNK).map((item) => notificationRow(item, now));
    const inserted: Record<string, unknown>[] = await tx.trx('notifications').insert(rows).returning('*');
    written.push(...inserted.map((row) => Notification.fromDatabaseJson(row)));
  }
  written.sort((a, b) => a.id - b.id);
  for (const notification of written) tx.emit({ type: 'notification.created', notification });
  return written;
}

export interface NotificationFilters {
  /** true: only unread; false: only read. */
  unread?: boolean;
  /** Only ids greater than this, oldest first: the catch-up cursor after a WebSocket reconnect. */
  after?: number;
}

/** A user's notifications, newest first, or ascending from the `after` cursor. */
export function notificationsQuery(db: Knex | Knex.Transaction, userId: number, filters: NotificationFilters) {
  const q = Notification.query(db).where('user_id', userId);
  if (filters.unread !== undefined) q.where('read_status', !filters.unread);
  if (filters.after !== undefined) return q.where('id', '>', filters.after).orderBy('id', 'asc');
  return q.orderBy('id', 'desc');
}

/**
 * Marks one notification read (setting read_at) or unread (clearing it). A change records
 * `notifications.read` so the hub pushes the new unread count to the user's other clients.
 */
export async function markNotification(tx: Tx, notification: Notification, read: boolean): Promise<Notification> {
  if (notification.read_status === read) return notification;
  const updated = await notification
    .$query(tx.trx)
    .patchAndFetch({ read_status: read, read_at: read ? new Date() : null });
  tx.emit({ type: 'notifications.read', userId: notification.user_id });
  return updated;
}

/** Marks every unread notification of the user read; returns how many changed. */
export async function markAllRead(tx: Tx, userId: number): Promise<number> {
  const updated = await tx
    .trx('notifications')
    .where({ user_id: userId, read_status: false })
    .update({ read_status: true, read_at: new Date().toISOString() });
  if (updated > 0) tx.emit({ type: 'notifications.read', userId });
  return updated;
}
