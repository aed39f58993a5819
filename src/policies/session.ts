/**
 * Who may do what to a session. Rules need the caller's booking on the session: load the session
 * with `loadSessionForUser` (src/services/sessionAccess.ts), which attaches it as `viewerBooking`.
 */
import { isLiveBooking, Session, type User } from '../models/index.ts';
import { allow, isAdmin, isLearner } from './policy.ts';

const isOwner = (user: { id: number }, s: Session) => s.mentor_id === user.id;
/** The caller holds a live (not cancelled) booking on the session. */
export const hasLiveBooking = (s: Session) => Boolean(s.viewerBooking && isLiveBooking(s.viewerBooking));

// Read: the owner, admins, learners with any booking on it, and any learner while it is open.
const canRead = (user: User, s: Session) =>
  isOwner(user, s) || isAdmin(user) || Boolean(s.viewerBooking) || (isLearner(user) && s.status === 'scheduled');
allow(Session, 'read', canRead);
// Only the owning mentor changes a session and drives its lifecycle.
allow(Session, ['update', 'publish', 'cancel', 'ready', 'complete'], (user, s) => isOwner(user, s));
// Starting (and joining) the class: the owner or a learner with a live booking.
allow(Session, 'start', (user, s) => isOwner(user, s) || hasLiveBooking(s));
// Booking: learners who can see it (so a draft's existence does not leak through a 409); the
// service checks that it is open, future and has room.
allow(Session, 'book', (user, s) => isLearner(user) && canRead(user, s));
// The live room and its chat: the owner and learners with a live booking; admins may read chat.
allow(Session, 'join_room', (user, s) => isOwner(user, s) || hasLiveBooking(s));
allow(Session, 'read_chat', (user, s) => isOwner(user, s) || hasLiveBooking(s) || isAdmin(user));
// Feedback: a learner with a non-cancelled booking may give it (the service checks completion and
// uniqueness). Who sees whose feedback: src/policies/feedback.ts.
allow(Session, 'give_feedback', (user, s) => isLearner(user) && hasLiveBooking(s));
