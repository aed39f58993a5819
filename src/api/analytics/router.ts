/** GET /api/analytics/: the mentor's metrics over a date range. */
import type { ApiRoutes } from '../route.ts';
import { requireRole } from '../../middleware/authenticate.ts';
import { presentAnalytics } from '../../presenters/analytics.ts';
import { analyticsRange, getAnalytics } from '../../views/analytics.ts';
import { roomWindowSettings } from '../../views/roomWindow.ts';
import { decodeAnalyticsBounds } from './decode.ts';

export function registerAnalyticsRoutes(routes: ApiRoutes): void {
  routes.on('getAnalytics', async (ctx, { query }) => {
    const mentor = requireRole(ctx, 'mentor');
    const now = new Date();
    const range = analyticsRange(decodeAnalyticsBounds(query), now);
    ctx.body = presentAnalytics(await getAnalytics(ctx.deps.dbRead, mentor, range, now, roomWindowSettings(ctx.deps.config)));
  });
}
