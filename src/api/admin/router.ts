/**
 * /api/admin/*: users, sessions, the payout queue and its decisions, broadcasts, statistics.
 * Every operation starts with the admin check (403 for anyone without `is_admin`); the listings
 * also admit API keys with `admin:read` (their scope is checked by the router).
 */
import { mutate, transact, type ApiRoutes, type Handler } from '../route.ts';
import { notFound } from '../../errors.ts';
import { paginate } from '../../lib/pagination.ts';
import { requireAdminOrKey, requireRole } from '../../middleware/authenticate.ts';
import { Payout, User } from '../../models/index.ts';
import { presentPayout } from '../../presenters/payout.ts';
import { presentSession } from '../../presenters/session.ts';
import { presentStats } from '../../presenters/stats.ts';
import { presentAdminUser } from '../../presenters/user.ts';
import { broadcast, sessionsQuery, updateUserAccess, usersQuery } from '../../services/admin.ts';
import { platformStats } from '../../views/platformStats.ts';
import { createUser } from '../../services/auth.ts';
import { decidePayout, payoutsQuery, type PayoutAction } from '../../services/payouts.ts';
import { roomWindowSettings } from '../../views/roomWindow.ts';
import { loadSessionViews } from '../../views/sessions.ts';
import { decodeBroadcast } from './decode.ts';

/** One handler for approve, reject and mark-paid: they differ only in the transition. */
function payoutDecision(action: PayoutAction): Handler<'adminApprovePayout' | 'adminRejectPayout' | 'adminMarkPayoutPaid'> {
  return async (ctx, { path, body }) => {
    const admin = requireRole(ctx, 'admin');
    const payout = await mutate(ctx, admin, {
      model: Payout,
      load: (trx) => Payout.query(trx).findById(path.id),
      action,
      what: 'Payout',
      work: (tx, found) => decidePayout(tx, found, action, body?.note ?? null),
    });
    ctx.body = presentPayout(payout);
  };
}

export function registerAdminRoutes(routes: ApiRoutes): void {
  routes
    .on('adminListUsers', async (ctx, { query }) => {
      requireAdminOrKey(ctx);
      ctx.body = await paginate(ctx, usersQuery(ctx.deps.db, query), query, (rows) => rows.map(presentAdminUser));
    })
    .on('adminCreateUser', async (ctx, { body }) => {
      requireRole(ctx, 'admin');
      const user = await createUser(ctx.deps.db, body, ctx.deps.events);
      ctx.status = 201;
      ctx.body = presentAdminUser(user);
    })
    .on('adminGetUser', async (ctx, { path }) => {
      requireAdminOrKey(ctx);
      const user = await User.query(ctx.deps.db).findById(path.id);
      if (!user) throw notFound('User');
      ctx.body = presentAdminUser(user);
    })
    .on('adminUpdateUser', async (ctx, { path, body }) => {
      const admin = requireRole(ctx, 'admin');
      // No policy: the admin check above is the whole rule.
      const user = await transact(ctx, admin, async (tx) => {
        const target = await User.query(tx.trx).findById(path.id).forUpdate();
        if (!target) throw notFound('User');
        return updateUserAccess(tx, target, body);
      });
      ctx.body = presentAdminUser(user);
    })
    .on('adminListSessions', async (ctx, { query }) => {
      requireAdminOrKey(ctx);
      const { db } = ctx.deps;
      ctx.body = await paginate(ctx, sessionsQuery(db, query), query, async (rows) => (await loadSessionViews(db, roomWindowSettings(ctx.deps.config), rows)).map(presentSession));
    })
    .on('adminListPayouts', async (ctx, { query }) => {
      requireAdminOrKey(ctx);
      ctx.body = await paginate(ctx, payoutsQuery(ctx.deps.db, query, 'oldest'), query, (rows) => rows.map(presentPayout));
    })
    .on('adminApprovePayout', payoutDecision('approve'))
    .on('adminRejectPayout', payoutDecision('reject'))
    .on('adminMarkPayoutPaid', payoutDecision('mark_paid'))
    .on('adminBroadcastNotification', async (ctx, { body }) => {
      const admin = requireRole(ctx, 'admin');
      const sent = await transact(ctx, admin, (tx) => broadcast(tx, decodeBroadcast(body)));
      ctx.status = 201;
      ctx.body = { sent };
    })
    .on('adminGetStats', async (ctx) => {
      requireAdminOrKey(ctx);
      ctx.body = presentStats(await platformStats(ctx.deps.db, new Date()));
    });
}
