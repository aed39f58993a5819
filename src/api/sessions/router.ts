/** /api/sessions/*: listing, creation, editing, the lifecycle, readiness, the live class, booking. */
import type { ApiRoutes } from '../route.ts';
import { inTransaction } from '../../events.ts';
import { paginate } from '../../lib/pagination.ts';
import { currentUser, requireRole } from '../../middleware/authenticate.ts';
import type { Booking, Session } from '../../models/index.ts';
import { authorize } from '../../policies/index.ts';
import { presentBooking } from '../../presenters/booking.ts';
import { presentSession } from '../../presenters/session.ts';
import { loadBookingView } from '../../views/bookings.ts';
import { bookSession } from '../../services/bookings.ts';
import { roomWindowSettings } from '../../views/roomWindow.ts';
import { loadSessionForUser } from '../../services/sessionAccess.ts';
import { loadSessionView, loadSessionViews } from '../../views/sessions.ts';
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

type Action = 'update' | 'publish' | 'cancel' | 'ready' | 'start' | 'complete' | 'book';

async function respond(ctx: AppContext, session: Session, status = 200): Promise<void> {
  ctx.status = status;
  ctx.body = presentSession(await loadSessionView(ctx.deps.db, roomWindowSettings(ctx.deps.config), session, currentUser(ctx)));
}

/**
 * Runs `work` in a transaction on the session locked for it, after checking the caller may
 * perform `action` on it (404 when they may not even see it, 403 when they may not act).
 * `lockCaller` first locks the caller's own user row (for a mentor editing their session: the
 * lock that serialises prices with currency changes, taken before the session's).
 */
async function withLockedSession<T>(
  ctx: AppContext,
  id: number,
  action: Action,
  work: (tx: ActorTx, session: Session) => Promise<T>,
  opts: { lockCaller?: boolean } = {},
): Promise<T> {
  const user = currentUser(ctx);
  const { db, events } = ctx.deps;
  return inTransaction(db, events, async (tx) => {
    if (opts.lockCaller) await lockMentor(tx.trx, user.id);
    const session = await loadSessionForUser(tx.trx, user, id, { forUpdate: true });
    authorize(user, action, session, 'Session');
    return work({ actor: user, ...tx }, session);
  });
}

export function registerSessionsRoutes(routes: ApiRoutes): void {
  routes
    .on('listSessions', async (ctx, { query }) => {
      const user = currentUser(ctx);
      const { dbRead } = ctx.deps;
      ctx.body = await paginate(ctx, sessionsVisibleTo(dbRead, user, query), query, async (rows) =>
        (await loadSessionViews(dbRead, roomWindowSettings(ctx.deps.config), rows, user)).map(presentSession),
      );
    })
    .on('createSession', async (ctx, { body }) => {
      const user = requireRole(ctx, 'mentor');
      const { db, events } = ctx.deps;
      const session = await inTransaction(db, events, (tx) => createSession({ actor: user, ...tx }, body));
      await respond(ctx, session, 201);
    })
    .on('getSession', async (ctx, { path }) => {
      const user = currentUser(ctx);
      const { dbRead } = ctx.deps;
      const session = await loadSessionForUser(dbRead, user, path.id);
      authorize(user, 'read', session, 'Session');
      ctx.body = presentSession(await loadSessionView(dbRead, roomWindowSettings(ctx.deps.config), session, user));
    })
    .on('replaceSession', async (ctx, { path, body }) => {
      requireRole(ctx, 'mentor');
      const notice = ctx.deps.config.rescheduleNoticeMinutes;
      await respond(ctx, await withLockedSession(ctx, path.id, 'update', (tx, s) => updateSession(tx, s, body, notice), { lockCaller: true }));
    })
    .on('updateSession', async (ctx, { path, body }) => {
      requireRole(ctx, 'mentor');
      const notice = ctx.deps.config.rescheduleNoticeMinutes;
      await respond(ctx, await withLockedSession(ctx, path.id, 'update', (tx, s) => updateSession(tx, s, body, notice), { lockCaller: true }));
    })
    .on('publishSession', async (ctx, { path }) => {
      requireRole(ctx, 'mentor');
      await respond(ctx, await withLockedSession(ctx, path.id, 'publish', publishSession));
    })
    .on('cancelSession', async (ctx, { path, body }) => {
      requireRole(ctx, 'mentor');
      await respond(ctx, await withLockedSession(ctx, path.id, 'cancel', (tx, s) => cancelSession(tx, s, body?.reason)));
    })
    .on('markSessionReady', async (ctx, { path }) => {
      requireRole(ctx, 'mentor');
      const lead = ctx.deps.config.readyLeadMinutes;
      await respond(ctx, await withLockedSession(ctx, path.id, 'ready', (tx, s) => markMentorReady(tx, s, lead)));
    })
    .on('startSession', async (ctx, { path }) => {
      await respond(ctx, await withLockedSession(ctx, path.id, 'start', startSession));
    })
    .on('completeSession', async (ctx, { path }) => {
      requireRole(ctx, 'mentor');
      await respond(ctx, await withLockedSession(ctx, path.id, 'complete', completeSession));
    })
    .on('bookSession', async (ctx, { path }) => {
      requireRole(ctx, 'learner');
      const booking: Booking = await withLockedSession(ctx, path.id, 'book', bookSession);
      ctx.status = 201;
      ctx.body = presentBooking(await loadBookingView(ctx.deps.db, booking));
    });
}
