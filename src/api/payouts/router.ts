/** /api/payouts/: a mentor's payout history and (idempotent) payout requests. */
import { transact, type ApiRoutes } from '../route.ts';
import { parseMoney } from '../../lib/money.ts';
import { paginate } from '../../lib/pagination.ts';
import { requireRole } from '../../middleware/authenticate.ts';
import { presentPayout } from '../../presenters/payout.ts';
import { payoutsQuery, requestPayout } from '../../services/payouts.ts';

export function registerPayoutsRoutes(routes: ApiRoutes): void {
  routes
    .on('listPayouts', async (ctx, { query }) => {
      const mentor = requireRole(ctx, 'mentor');
      const q = payoutsQuery(ctx.deps.db, { mentor: mentor.id, status: query.status }, 'newest');
      ctx.body = await paginate(ctx, q, query, (rows) => rows.map(presentPayout));
    })
    .on('requestPayout', async (ctx, { body, headers }) => {
      const mentor = requireRole(ctx, 'mentor');
      const input = {
        amountCents: parseMoney(body.amount, 'amount'),
        note: body.note ?? null,
        idempotencyKey: headers['Idempotency-Key'] ?? null,
      };
      const { payout, replayed } = await transact(ctx, mentor, (tx) => requestPayout(tx, input));
      if (replayed) ctx.set('Idempotent-Replayed', 'true');
      ctx.status = replayed ? 200 : 201;
      ctx.body = presentPayout(payout);
    });
}
