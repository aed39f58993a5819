/** /api/requests/*: learners ask mentors for a session; mentors accept or decline, learners withdraw. */
import type { Knex } from 'knex';
import type { ApiRoutes } from '../route.ts';
import { inTransaction } from '../../events.ts';
import { paginate } from '../../lib/pagination.ts';
import { currentUser, requireRole } from '../../middleware/authenticate.ts';
import { MentorRequest, type User } from '../../models/index.ts';
import { authorize } from '../../policies/index.ts';
import { presentRequest } from '../../presenters/request.ts';
import { acceptRequest, cancelRequest, countRequestAttempt, createRequest, declineRequest, requestsVisibleTo } from '../../services/requests.ts';
import { loadRequestView, loadRequestViews } from '../../views/requests.ts';
import type { AppContext } from '../../types.ts';

type Action = 'read' | 'accept' | 'decline' | 'cancel';

/** The request, checked against the caller (404 when they may not see it, 403 when they may not act). */
async function loadRequestFor(trx: Knex | Knex.Transaction, user: User, id: number, action: Action): Promise<MentorRequest> {
  const request = await MentorRequest.query(trx).findById(id);
  authorize(user, action, request, 'Request');
  return request;
}

async function respond(ctx: AppContext, request: MentorRequest, status = 200): Promise<void> {
  ctx.status = status;
  ctx.body = presentRequest(await loadRequestView(ctx.deps.db, request));
}

export function registerRequestsRoutes(routes: ApiRoutes): void {
  routes
    .on('listRequests', async (ctx, { query }) => {
      const user = currentUser(ctx);
      const { db } = ctx.deps;
      ctx.body = await paginate(ctx, requestsVisibleTo(db, user, query.status), query, async (rows) =>
        (await loadRequestViews(db, rows)).map(presentRequest),
      );
    })
    .on('createRequest', async (ctx, { body }) => {
      const user = requireRole(ctx, 'learner');
      const { db, events, rateLimiter, config } = ctx.deps;
      await countRequestAttempt(rateLimiter, user.id, config.requestLimits);
      const request = await inTransaction(db, events, (tx) => createRequest({ actor: user, ...tx }, body, config.requestLimits));
      await respond(ctx, request, 201);
    })
    .on('getRequest', async (ctx, { path }) => {
      const request = await loadRequestFor(ctx.deps.db, currentUser(ctx), path.id, 'read');
      await respond(ctx, request);
    })
    .on('acceptRequest', async (ctx, { path, body }) => {
      const user = requireRole(ctx, 'mentor');
      const { db, events } = ctx.deps;
      const { request } = await inTransaction(db, events, async (tx) => {
        const pending = await loadRequestFor(tx.trx, user, path.id, 'accept');
        return acceptRequest({ actor: user, ...tx }, pending, body);
      });
      await respond(ctx, request);
    })
    .on('declineRequest', async (ctx, { path, body }) => {
      const user = requireRole(ctx, 'mentor');
      const { db, events } = ctx.deps;
      const request = await inTransaction(db, events, async (tx) => {
        const pending = await loadRequestFor(tx.trx, user, path.id, 'decline');
        return declineRequest({ actor: user, ...tx }, pending, body?.reason);
      });
      await respond(ctx, request);
    })
    .on('cancelRequest', async (ctx, { path }) => {
      const user = requireRole(ctx, 'learner');
      const { db, events } = ctx.deps;
      const request = await inTransaction(db, events, async (tx) => {
        const pending = await loadRequestFor(tx.trx, user, path.id, 'cancel');
        return cancelRequest({ actor: user, ...tx }, pending);
      });
      await respond(ctx, request);
    });
}
