/** /api/sessions/*: listing, creation, editing, the lifecycle, readiness, the live class, booking. */
import { mutate, transact, type ApiRoutes, type Handler } from '../route.ts';
import { paginate } from '../../lib/pagination.ts';
import { currentUser, requireRole } from '../../middleware/authenticate.ts';
import { Session, type Booking, type User } from '../../models/index.ts';
import { authorize, type PolicyActions } from '../../policies/index.ts';
import { presentBooking } from '../../presenters/booking.ts';
import { presentSession } from '../../presenters/session.ts';
import { loadBookingView } from '../../views/bookings.ts';
import { bookSession } from '../../services/bookings.ts';
import { roomWindowSettings } from '../../views/roomWindow.ts';
import { loadSessionForUser } from '../../services/sessionAccess.ts';
import { loadSessionView, loadSessionViews } from '../../views/sessions.ts';
import { decodeNewSession, decodeSessionChanges, decodeSessionFilters } from './decode.ts';
import {
  cancelSession,
  completeSession,
  createSession,
  lockMentor,
  markMentorReady,
  publishSession,
  sessionsVisibleTo,
  startSession,
  updateSession,
  type ActorTx,
} from '../../services/sessions.ts';
import type { AppContext } from '../../types.ts';

async function respond(ctx: AppContext, session: Session, status = 200): Promise<void> {
  ctx.status = status;
  ctx.body = presentSession(await loadSessionView(ctx.deps.db, roomWindowSettings(ctx.deps.config), session, currentUser(ctx)));
}

/**
 * A change to session `id` by `user` (src/api/route.ts `mutate`): the session is loaded locked, with
 * the caller's booking on it for the policy. `lockCaller` first locks the caller's own user row (for
 * a mentor editing their session: the lock that serialises prices with currency changes, taken
 * before the session's).
 */
function changeSession<T>(
  ctx: AppContext,
  user: User,
  id: number,
  action: PolicyActions['Session'],
  work: (tx: ActorTx, session: Session) => Promise<T>,
  opts: { lockCaller?: boolean } = {},
): Promise<T> {
  return mutate(ctx, user, {
    model: Session,
    load: async (trx) => {
      if (opts.lockCaller) await lockMentor(trx, user.id);
      return loadSessionForUser(trx, user, id, { forUpdate: true });
    },
    action,
    what: 'Session',
    work,
  });
}

/** PUT and PATCH of a session are the same change: the fields sent replace the stored ones. */
const editSession: Handler<'replaceSession' | 'updateSession'> = async (ctx, { path, body }) => {
  const user = requireRole(ctx, 'mentor');
  const changes = decodeSessionChanges(body);
  const notice = ctx.deps.config.rescheduleNoticeMinutes;
  await respond(ctx, await changeSession(ctx, user, path.id, 'update', (tx, s) => updateSession(tx, s, changes, notice), { lockCaller: true }));
};

export function registerSessionsRoutes(routes: ApiRoutes): void {
  routes
    .on('listSessions', async (ctx, { query }) => {
      const user = currentUser(ctx);
      const { dbRead } = ctx.deps;
      ctx.body = await paginate(ctx, sessionsVisibleTo(dbRead, user, decodeSessionFilters(query)), query, async (rows) =>
        (await loadSessionViews(dbRead, roomWindowSettings(ctx.deps.config), rows, user)).map(presentSession),
      );
    })
    .on('createSession', async (ctx, { body }) => {
      const user = requireRole(ctx, 'mentor');
      const input = decodeNewSession(body);
      const session = await transact(ctx, user, (tx) => createSession(tx, input));
      await respond(ctx, session, 201);
    })
    .on('getSession', async (ctx, { path }) => {
      const user = currentUser(ctx);
      const { dbRead } = ctx.deps;
      const session = await loadSessionForUser(dbRead, user, path.id);
      authorize(user, 'read', session, 'Session');
      ctx.body = presentSession(await loadSessionView(dbRead, roomWindowSettings(ctx.deps.config), session, user));
    })
    .on('replaceSession', editSession)
    .on('updateSession', editSession)
    .on('publishSession', async (ctx, { path }) => {
      const user = requireRole(ctx, 'mentor');
      await respond(ctx, await changeSession(ctx, user, path.id, 'publish', publishSession));
    })
    .on('cancelSession', async (ctx, { path, body }) => {
      const user = requireRole(ctx, 'mentor');
      await respond(ctx, await changeSession(ctx, user, path.id, 'cancel', (tx, s) => cancelSession(tx, s, body?.reason)));
    })
    .on('markSessionReady', async (ctx, { path }) => {
      const user = requireRole(ctx, 'mentor');
      const lead = ctx.deps.config.readyLeadMinutes;
      await respond(ctx, await changeSession(ctx, user, path.id, 'ready', (tx, s) => markMentorReady(tx, s, lead)));
    })
    .on('startSession', async (ctx, { path }) => {
      await respond(ctx, await changeSession(ctx, currentUser(ctx), path.id, 'start', startSession));
    })
    .on('completeSession', async (ctx, { path }) => {
      const user = requireRole(ctx, 'mentor');
      await respond(ctx, await changeSession(ctx, user, path.id, 'complete', completeSession));
    })
    .on('bookSession', async (ctx, { path }) => {
      const user = requireRole(ctx, 'learner');
      const booking: Booking = await changeSession(ctx, user, path.id, 'book', bookSession);
      ctx.status = 201;
      ctx.body = presentBooking(await loadBookingView(ctx.deps.db, booking));
    });
}
