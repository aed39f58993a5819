/** GET /api/earnings/: the mentor's balance and monthly series. */
import type { ApiRoutes } from '../route.ts';
import { requireRole } from '../../middleware/authenticate.ts';
import { presentEarnings } from '../../presenters/earnings.ts';
import { getEarnings } from '../../views/earnings.ts';

export function registerEarningsRoutes(routes: ApiRoutes): void {
  routes.on('getEarnings', async (ctx) => {
    const mentor = requireRole(ctx, 'mentor');
    ctx.body = presentEarnings(await getEarnings(ctx.deps.dbRead, mentor, new Date()));
  });
}
