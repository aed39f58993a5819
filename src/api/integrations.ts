/**
 * Who may use the integration endpoints (the event feed and webhook management): admins. The one
 * place that decides it, so other kinds of credentials (such as API keys holding the scope the
 * operation declares in openapi.yaml) can be admitted here without touching the routers.
 */
import { requireRole } from '../middleware/authenticate.ts';
import type { User } from '../models/index.ts';
import type { AppContext } from '../types.ts';

export type IntegrationScope = 'events' | 'webhooks';

export function requireIntegrationAccess(ctx: AppContext, _scope: IntegrationScope): User {
  return requireRole(ctx, 'admin');
}
