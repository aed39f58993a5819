/** /api/notifications/: the caller's notifications, the unread count, marking read. */
import { mutate, transact, type ApiRoutes } from '../route.ts';
import { paginate } from '../../lib/pagination.ts';
import { currentUser } from '../../middleware/authenticate.ts';
import { Notification } from '../../models/index.ts';
import { authorize } from '../../policies/index.ts';
import { presentNotification } from '../../presenters/notification.ts';
import { markAllRead, markNotification, notificationsQuery, unreadCount } from '../../services/notifications.ts';

export function registerNotificationsRoutes(routes: ApiRoutes): void {
  routes
    .on('listNotifications', async (ctx, { query }) => {
      const user = currentUser(ctx);
      const { dbRead } = ctx.deps;
      const [page, unread] = await Promise.all([
        paginate(ctx, notificationsQuery(dbRead, user.id, query), query, (rows) => rows.map(presentNotification)),
        unreadCount(dbRead, user.id),
      ]);
      ctx.body = { ...page, unread_count: unread };
    })
    .on('getNotification', async (ctx, { path }) => {
      const user = currentUser(ctx);
      const notification = await Notification.query(ctx.deps.dbRead).findById(path.id);
      authorize(user, 'read', notification, 'Notification');
      ctx.body = presentNotification(notification);
    })
    .on('markNotificationRead', async (ctx, { path, body }) => {
      const user = currentUser(ctx);
      const updated = await mutate(ctx, user, {
        model: Notification,
        load: (trx) => Notification.query(trx).findById(path.id).forUpdate(),
        action: 'update',
        what: 'Notification',
        work: (tx, notification) => markNotification(tx, notification, body.read_status),
      });
      ctx.body = presentNotification(updated);
    })
    .on('markAllNotificationsRead', async (ctx) => {
      const user = currentUser(ctx);
      ctx.body = await transact(ctx, user, async (tx) => ({
        updated: await markAllRead(tx, user.id),
        unread_count: await unreadCount(tx.trx, user.id),
      }));
    });
}
