/** /api/events/: the event feed (admins, or API keys with the `events` scope). */
import type { ApiRoutes } from '../route.ts';
import { requireIntegrationAccess } from '../integrations.ts';
import { presentEvent } from '../../presenters/webhook.ts';
import { readFeed } from '../../services/webhooks.ts';

export function registerEventsRoutes(routes: ApiRoutes): void {
  routes.on('listEvents', async (ctx, { query }) => {
    requireIntegrationAccess(ctx, 'events');
    const { events, next, hasMore } = await readFeed(ctx.deps.dbRead, query);
    ctx.body = { results: events.map(presentEvent), next, has_more: hasMore };
  });
}
