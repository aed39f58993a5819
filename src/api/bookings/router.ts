/** /api/bookings/*: a learner's seats (and the seats on a mentor's sessions); cancel and readiness. */
import type { Knex } from 'knex';
import type { ApiRoutes } from '../route.ts';
import { inTransaction } from '../../events.ts';
import { paginate } from '../../lib/pagination.ts';
import { currentUser, requireRole } from '../../middleware/authenticate.ts';
import { Booking, type User } from '../../models/index.ts';
import { authorize } from '../../policies/index.ts';
import { presentBooking } from '../../presenters/booking.ts';
import { loadBookingView, loadBookingViews } from '../../views/bookings.ts';
import { bookingsVisibleTo, cancelBooking, markLearnerReady } from '../../services/bookings.ts';
import type { AppContext } from '../../types.ts';

type Action = 'read' | 'cancel' | 'ready';

/** The booking with its session (the policy needs the mentor), checked against the caller. */
async function loadBookingFor(db: Knex | Knex.Transaction, user: User, id: number, action: Action): Promise<Booking> {
  const booking = await Booking.query(db).findById(id).withGraphFetched('session');
  authorize(user, action, booking, 'Booking');
  return booking;
}

async function respond(ctx: AppContext, booking: Booking): Promise<void> {
  ctx.body = presentBooking(await loadBookingView(ctx.deps.db, booking));
}

export function registerBookingsRoutes(routes: ApiRoutes): void {
  routes
    .on('listBookings', async (ctx, { query }) => {
      const { dbRead } = ctx.deps;
      ctx.body = await paginate(ctx, bookingsVisibleTo(dbRead, currentUser(ctx), query), query, async (rows) =>
        (await loadBookingViews(dbRead, rows)).map(presentBooking),
      );
    })
    .on('getBooking', async (ctx, { path }) => {
      const { dbRead } = ctx.deps;
      const booking = await loadBookingFor(dbRead, currentUser(ctx), path.id, 'read');
      ctx.body = presentBooking(await loadBookingView(dbRead, booking));
    })
    .on('cancelBooking', async (ctx, { path }) => {
      const user = requireRole(ctx, 'learner');
      const { db, events } = ctx.deps;
      const booking = await inTransaction(db, events, async (tx) => {
        const mine = await loadBookingFor(tx.trx, user, path.id, 'cancel');
        return cancelBooking({ actor: user, ...tx }, mine);
      });
      await respond(ctx, booking);
    })
    .on('markBookingReady', async (ctx, { path }) => {
      const user = requireRole(ctx, 'learner');
      const { db, events, config } = ctx.deps;
      const booking = await inTransaction(db, events, async (tx) => {
        const mine = await loadBookingFor(tx.trx, user, path.id, 'ready');
        return markLearnerReady({ actor: user, ...tx }, mine, config.readyLeadMinutes);
      });
      await respond(ctx, booking);
    });
}
