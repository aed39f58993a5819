/**
 * Who may do what to a booking. The rules need the booking's session (its mentor may read it):
 * load it with `withGraphFetched('session')` so the rules stay synchronous.
 */
import { Booking, type Session } from '../models/index.ts';
import { allow, isAdmin } from './policy.ts';

function sessionOf(b: Booking): Session {
  if (!b.session) throw new Error(`booking ${b.id} was loaded without its session; use withGraphFetched('session')`);
  return b.session;
}

const isItsLearner = (user: { id: number }, b: Booking) => b.learner_id === user.id;

// Read: the learner, the session's mentor and admins; everyone else gets 404.
allow(Booking, 'read', (user, b) => isItsLearner(user, b) || sessionOf(b).mentor_id === user.id || isAdmin(user));
// Cancelling the seat and confirming readiness are the learner's alone.
allow(Booking, ['cancel', 'ready'], (user, b) => isItsLearner(user, b));
