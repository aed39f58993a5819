/**
 * /api/webhooks/*: endpoints, secret rotation, test messages, deliveries and retries (admins, or
 * API keys with the `webhooks` scope). Sending is the worker's: these handlers only queue.
 */
import type { ApiRoutes } from '../route.ts';
import { requireIntegrationAccess } from '../integrations.ts';
import { paginate } from '../../lib/pagination.ts';
import { WebhookEndpoint } from '../../models/index.ts';
import { presentWebhookDelivery, presentWebhookEndpoint, presentWebhookEndpointWithSecret } from '../../presenters/webhook.ts';
import {
  attemptsOf,
  createEndpoint,
  deleteEndpoint,
  deliveriesQuery,
  findEndpoint,
  queueTest,
  retryDelivery,
  rotateSecret,
  updateEndpoint,
} from '../../services/webhooks.ts';
import { notifyOutboxWritten } from '../../webhooks/outbox.ts';
import { decodeEndpointChanges, decodeNewEndpoint } from './decode.ts';

export function registerWebhooksRoutes(routes: ApiRoutes): void {
  routes
    .on('listWebhooks', async (ctx, { query }) => {
      requireIntegrationAccess(ctx, 'webhooks');
      ctx.body = await paginate(ctx, WebhookEndpoint.query(ctx.deps.dbRead).orderBy('id'), query, (rows) => rows.map(presentWebhookEndpoint));
    })
    .on('createWebhook', async (ctx, { body }) => {
      const actor = requireIntegrationAccess(ctx, 'webhooks');
      const endpoint = await createEndpoint(ctx.deps.db, actor, decodeNewEndpoint(body), ctx.deps.config.webhooks);
      ctx.status = 201;
      ctx.set('Location', `/api/webhooks/${endpoint.id}/`);
      ctx.set('Cache-Control', 'no-store');
      ctx.body = presentWebhookEndpointWithSecret(endpoint);
    })
    .on('getWebhook', async (ctx, { path }) => {
      requireIntegrationAccess(ctx, 'webhooks');
      ctx.body = presentWebhookEndpoint(await findEndpoint(ctx.deps.dbRead, path.id));
    })
    .on('updateWebhook', async (ctx, { path, body }) => {
      requireIntegrationAccess(ctx, 'webhooks');
      const endpoint = await updateEndpoint(ctx.deps.db, path.id, decodeEndpointChanges(body), ctx.deps.config.webhooks);
      if (body.enabled) notifyOutboxWritten(); // pending deliveries resume at once
      ctx.body = presentWebhookEndpoint(endpoint);
    })
    .on('deleteWebhook', async (ctx, { path }) => {
      requireIntegrationAccess(ctx, 'webhooks');
      await deleteEndpoint(ctx.deps.db, path.id);
      ctx.status = 204;
    })
    .on('rotateWebhookSecret', async (ctx, { path }) => {
      requireIntegrationAccess(ctx, 'webhooks');
      ctx.set('Cache-Control', 'no-store');
      ctx.body = presentWebhookEndpointWithSecret(await rotateSecret(ctx.deps.db, path.id));
    })
    .on('testWebhook', async (ctx, { path }) => {
      requireIntegrationAccess(ctx, 'webhooks');
      const delivery = await queueTest(ctx.deps.db, path.id);
      notifyOutboxWritten();
      ctx.status = 202;
      ctx.body = presentWebhookDelivery(delivery, []);
    })
    .on('listWebhookDeliveries', async (ctx, { path, query }) => {
      requireIntegrationAccess(ctx, 'webhooks');
      const db = ctx.deps.dbRead;
      await findEndpoint(db, path.id);
      ctx.body = await paginate(ctx, deliveriesQuery(db, path.id, query.status), query, async (rows) => {
        const attempts = await attemptsOf(db, rows);
        return rows.map((d) => presentWebhookDelivery(d, attempts.get(d.id) ?? []));
      });
    })
    .on('retryWebhookDelivery', async (ctx, { path }) => {
      requireIntegrationAccess(ctx, 'webhooks');
      const { db } = ctx.deps;
      const delivery = await retryDelivery(db, path.id, path.delivery_id);
      notifyOutboxWritten();
      ctx.status = 202;
      ctx.body = presentWebhookDelivery(delivery, (await attemptsOf(db, [delivery])).get(delivery.id) ?? []);
    });
}
