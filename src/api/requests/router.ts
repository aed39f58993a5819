/** /api/requests/*: learners ask mentors for a session; mentors accept or decline, learners withdraw. */
import type { Knex } from 'knex';
import { mutate, transact, type ApiRoutes } from '../route.ts';
import { paginate } from '../../lib/pagination.ts';
import { currentUser, requireRole } from '../../middleware/authenticate.ts';
import { MentorRequest } from '../../models/index.ts';
import { authorize } from '../../policies/index.ts';
import { presentRequest } from '../../presenters/request.ts';
import { acceptRequest, cancelRequest, countRequestAttempt, createRequest, declineRequest, requestsVisibleTo } from '../../services/requests.ts';
import { loadRequestView, loadRequestViews } from '../../views/requests.ts';
import type { AppContext } from '../../types.ts';
import { decodeAccept, decodeNewRequest } from './decode.ts';

async function loadRequest(db: Knex | Knex.Transaction, id: number): Promise<MentorRequest | undefined> {
  return MentorRequest.query(db).findById(id);
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
      const { rateLimiter, config } = ctx.deps;
      await countRequestAttempt(rateLimiter, user.id, config.requestLimits);
      const input = decodeNewRequest(body);
      const request = await transact(ctx, user, (tx) => createRequest(tx, input, config.requestLimits));
      await respond(ctx, request, 201);
    })
    .on('getRequest', async (ctx, { path }) => {
      const request = await loadRequest(ctx.deps.db, path.id);
      authorize(currentUser(ctx), 'read', request, 'Request');
      await respond(ctx, request);
    })
    .on('acceptRequest', async (ctx, { path, body }) => {
      const user = requireRole(ctx, 'mentor');
      const input = decodeAccept(body);
      const { request } = await mutate(ctx, user, {
        model: MentorRequest,
        load: (trx) => loadRequest(trx, path.id),
        action: 'accept',
        what: 'Request',
        work: (tx, pending) => acceptRequest(tx, pending, input),
      });
      await respond(ctx, request);
    })
    .on('declineRequest', async (ctx, { path, body }) => {
      const user = requireRole(ctx, 'mentor');
      const request = await mutate(ctx, user, {
        model: MentorRequest,
        load: (trx) => loadRequest(trx, path.id),
        action: 'decline',
        what: 'Request',
        work: (tx, pending) => declineRequest(tx, pending, body?.reason),
      });
      await respond(ctx, request);
    })
    .on('cancelRequest', async (ctx, { path }) => {
      const user = requireRole(ctx, 'learner');
      const request = await mutate(ctx, user, {
        model: MentorRequest,
        load: (trx) => loadRequest(trx, path.id),
        action: 'cancel',
        what: 'Request',
        work: cancelRequest,
      });
      await respond(ctx, request);
    });
}
