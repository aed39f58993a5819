/** /api/bookings/*: a learner's seats (and the seats on a mentor's sessions); cancel and readiness. */
import type { Knex } from 'knex';
import { mutate, type ApiRoutes } from '../route.ts';
import { paginate } from '../../lib/pagination.ts';
import { currentUser, requireRole } from '../../middleware/authenticate.ts';
import { Booking } from '../../models/index.ts';
import { authorize } from '../../policies/index.ts';
import { presentBooking } from '../../presenters/booking.ts';
import { loadBookingView, loadBookingViews } from '../../views/bookings.ts';
import { bookingsVisibleTo, cancelBooking, markLearnerReady } from '../../services/bookings.ts';
import type { AppContext } from '../../types.ts';

/** The booking with its session: the policy needs the session's mentor. */
async function loadBooking(db: Knex | Knex.Transaction, id: number): Promise<Booking | undefined> {
  return Booking.query(db).findById(id).withGraphFetched('session');
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
      const booking = await loadBooking(dbRead, path.id);
      authorize(currentUser(ctx), 'read', booking, 'Booking');
      ctx.body = presentBooking(await loadBookingView(dbRead, booking));
    })
    .on('cancelBooking', async (ctx, { path }) => {
      const user = requireRole(ctx, 'learner');
      const booking = await mutate(ctx, user, {
        model: Booking,
        load: (trx) => loadBooking(trx, path.id),
        action: 'cancel',
        what: 'Booking',
        work: cancelBooking,
      });
      await respond(ctx, booking);
    })
    .on('markBookingReady', async (ctx, { path }) => {
      const user = requireRole(ctx, 'learner');
      const lead = ctx.deps.config.readyLeadMinutes;
      const booking = await mutate(ctx, user, {
        model: Booking,
        load: (trx) => loadBooking(trx, path.id),
        action: 'ready',
        what: 'Booking',
        work: (tx, mine) => markLearnerReady(tx, mine, lead),
      });
      await respond(ctx, booking);
    });
}
