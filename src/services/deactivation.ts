/**
 * Deactivating an account, and everything that must stop with it, in the caller's transaction:
 * the account can no longer sign in (refresh tokens revoked; access tokens stop at once because
 * every request reloads the user), and a mentor's sessions that have not started are cancelled
 * exactly as the mentor's own cancel does it — bookings cancelled, learners notified — so nothing
 * of theirs stays bookable and no earnings accrue from a class nobody can run. Completed and
 * in-progress sessions are left as they are (earnings already earned stay earned).
 *
 * Every path that deactivates a user calls `deactivateUser`. Locks follow the order of the
 * session workflows (src/services/sessions.ts): the user row, then each session, then bookings.
 */
import type { Tx } from '../events.ts';
import { Session, User } from '../models/index.ts';
import { revokeAllTokens } from './auth.ts';
import { cancelSession } from './sessions.ts';

export const DEACTIVATION_REASON = "The mentor's account was deactivated.";

/**
 * Deactivates user `userId` (locking their row) and cancels their sessions that have not started.
 * Returns the updated user, or undefined when there is no such user. Deactivating an inactive
 * account changes nothing and emits nothing.
 */
export async function deactivateUser(tx: Tx, userId: number, now = new Date()): Promise<User | undefined> {
  const user = await User.query(tx.trx).findById(userId).forUpdate();
  if (!user) return undefined;
  if (!user.is_active) return user;
  const deactivated = await user.$query(tx.trx).patchAndFetch({ is_active: false });
  await revokeAllTokens(tx.trx, user.id);

  const open = await Session.query(tx.trx).where('mentor_id', user.id).whereIn('status', ['draft', 'scheduled']).orderBy('id').forUpdate();
  for (const session of open) await cancelSession({ actor: deactivated, ...tx }, session, DEACTIVATION_REASON, now);

  tx.emit({ type: 'user.deactivated', userId: user.id });
  return deactivated;
}
