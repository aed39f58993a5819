/**
 * Rights that end while a socket holds a channel. A subscription is authorised when it is made
 * (channels.ts); these functions check it again:
 *
 * - once the subscriber is registered where an eviction would find it (`reauthorize`), so a
 *   booking cancelled or an account deactivated while the subscribe was being checked is seen
 *   either by this second read or by the eviction that follows its commit;
 * - when a domain event says a right may have ended (`stillReaders`): the hub then unsubscribes
 *   those who lost it, on every process (a `recheck` envelope on the channel).
 */
import type { Knex } from 'knex';
import { Booking, isLiveBooking, Session, User } from '../models/index.ts';
import { can } from '../policies/index.ts';
import { loadSessionForUser } from '../services/sessionAccess.ts';
import { authorizeChannel, isRoomOpen, type Channel } from './channels.ts';
import { WsError } from './protocol.ts';

/**
 * Checks `channel` again for user `userId`, reloading the account, the session and the user's
 * booking. Throws the WsError to answer with when the right is gone; returns the fresh session.
 */
export async function reauthorize(db: Knex | Knex.Transaction, userId: number, channel: Channel): Promise<Session | undefined> {
  const user = await User.query(db).findById(userId);
  if (!user?.is_active) throw new WsError('forbidden', 'This account is not available.', { channel: channel.name });
  return authorizeChannel(db, user, channel);
}

/**
 * Of `userIds`, those who may still read session `sessionId` (receive `session_{id}`): active,
 * and allowed by the session policy with their own booking. Three queries, however many users.
 */
export async function stillReaders(db: Knex, sessionId: number, userIds: number[]): Promise<Set<number>> {
  const readers = new Set<number>();
  if (userIds.length === 0) return readers;
  const [session, users, bookings] = await Promise.all([
    Session.query(db).findById(sessionId),
    User.query(db).findByIds(userIds),
    Booking.query(db).where('session_id', sessionId).whereIn('learner_id', userIds).orderBy('id', 'desc'),
  ]);
  if (!session) return readers;
  for (const user of users) {
    if (!user.is_active) continue;
    const own = bookings.filter((b) => b.learner_id === user.id);
    // The same choice as loadSessionForUser: a live booking if any, else the latest cancelled one.
    session.viewerBooking = own.find(isLiveBooking) ?? own[0];
    if (can(user, 'read', session)) readers.add(user.id);
  }
  return readers;
}

/**
 * Inside the transaction storing a chat message: the sender may still be in the room. The session
 * row is locked as a booking cancellation locks it, so a message is stored either before a
 * cancellation commits or not at all.
 */
export async function assertMayChat(trx: Knex.Transaction, user: User, channel: Channel): Promise<void> {
  const session = await loadSessionForUser(trx, user, channel.id, { forUpdate: true });
  if (!session || !can(user, 'join_room', session) || !isRoomOpen(session)) {
    throw new WsError('forbidden', 'You are no longer a member of this room; nothing was stored.', { channel: channel.name });
  }
}
