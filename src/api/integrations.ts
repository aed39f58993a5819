/**
 * Who may use the integration endpoints (the event feed and webhook management): admins with their
 * own token, or API keys holding the scope the operation declares in openapi.yaml (`events`,
 * `webhooks`). The router has already checked the declared scopes; this is the one place that
 * decides the rest, and names who acts: the admin, or the admin who created the key.
 */
import { insufficientScope } from '../auth/principal.ts';
import { requireRole } from '../middleware/authenticate.ts';
import type { AppContext } from '../types.ts';

export type IntegrationScope = 'events' | 'webhooks';

export function requireIntegrationAccess(ctx: AppContext, scope: IntegrationScope): { actorId: number | null } {
  const principal = ctx.state.principal;
  if (principal?.kind === 'api_key') {
    if (!principal.key.scopes.includes(scope)) throw insufficientScope([[], [scope]]);
    return { actorId: principal.key.created_by ?? null };
  }
  return { actorId: requireRole(ctx, 'admin').id };
}
