/**
 * Platform administration: users (find, change role, activity and admin rights), sessions,
 * broadcast notifications and platform statistics. Routes check `is_admin` before calling these.
 */
import type { Knex } from 'knex';
import type { Tx } from '../events.ts';
import { conflict, invalidField } from '../errors.ts';
import { whereContainsInsensitive } from '../db/dialect.ts';
import { Session, User, type Role, type SessionStatus } from '../models/index.ts';
import { deactivateUser } from './deactivation.ts';
import { notifyMany } from './notifications.ts';

type Db = Knex | Knex.Transaction;
type ServiceContext = Tx & { actor: User };

export interface UserFilters {
  role?: Role;
  is_active?: boolean;
  is_admin?: boolean;
  search?: string;
}

/** What an admin may change on an account; absent fields stay as they are. */
export interface AccessChanges {
  role?: Role;
  is_active?: boolean;
  is_admin?: boolean;
}

/** Who a broadcast reaches: one user by id, or every active user of a role (`all`: everyone). */
export type Audience = { user: number } | { role: Role | 'all' };

export interface BroadcastInput {
  to: Audience;
  message: string;
  link: string | null;
}

/**
 * Users matching the filters, ordered by id. The search is a case-insensitive substring match on
 * username, email, first and last name (src/db/dialect.ts).
 */
export function usersQuery(db: Db, filters: UserFilters) {
  const q = User.query(db).orderBy('id');
  if (filters.role !== undefined) q.where('role', filters.role);
  if (filters.is_active !== undefined) q.where('is_active', filters.is_active);
  if (filters.is_admin !== undefined) q.where('is_admin', filters.is_admin);
  if (filters.search !== undefined) whereContainsInsensitive(q, ['username', 'email', 'first_name', 'last_name'], filters.search);
  return q;
}

/** Sessions of every mentor, ordered by start time then id. */
export function sessionsQuery(db: Db, filters: { status?: SessionStatus; mentor?: number }) {
  const q = Session.query(db).orderBy([{ column: 'start_time' }, { column: 'id' }]);
  if (filters.status !== undefined) q.where('status', filters.status);
  if (filters.mentor !== undefined) q.where('mentor_id', filters.mentor);
  return q;
}

/**
 * A mentor's unfinished work: sessions not yet completed or cancelled, and requests waiting for
 * their answer. A learner can neither run the one nor answer the other.
 */
async function openMentorWork(trx: Db, mentorId: number): Promise<{ sessions: number; requests: number }> {
  const [sessions, requests] = await Promise.all([
    trx('sessions').where('mentor_id', mentorId).whereIn('status', ['draft', 'scheduled', 'in_progress']).count({ n: '*' }).first(),
    trx('requests').where({ mentor_id: mentorId, status: 'pending' }).count({ n: '*' }).first(),
  ]);
  return { sessions: Number(sessions?.n ?? 0), requests: Number(requests?.n ?? 0) };
}

/**
 * Changes a user's role, activity or admin rights. Refused (409):
 * - an admin deactivating themselves or removing their own admin rights (nobody could undo it
 *   if they were the last admin);
 * - making a mentor a learner while they have open sessions or pending requests: those would be
 *   stranded with nobody allowed to run or answer them. Completed and cancelled sessions stay as
 *   history (earnings, payouts and analytics still count them).
 * Deactivation is `deactivateUser` (src/services/deactivation.ts): refresh tokens revoked (access
 * tokens stop working at once because each request reloads the user) and a mentor's sessions that
 * have not started cancelled. `target` must have been loaded FOR UPDATE in this transaction.
 */
export async function updateUserAccess(
  { actor, trx, emit }: ServiceContext,
  target: User,
  changes: AccessChanges,
): Promise<User> {
  if (target.id === actor.id && changes.is_active === false) {
    throw conflict('You cannot deactivate your own account; ask another admin.', 'self_lockout');
  }
  if (target.id === actor.id && changes.is_admin === false) {
    throw conflict('You cannot remove your own admin rights; ask another admin.', 'self_lockout');
  }
  if (changes.role === 'learner' && target.role === 'mentor') {
    const open = await openMentorWork(trx, target.id);
    if (open.sessions > 0 || open.requests > 0) {
      throw conflict(
        `This mentor still has ${open.sessions} open session(s) (draft, scheduled or in progress) and ${open.requests} pending request(s); ` +
          'cancel or complete the sessions and answer the requests before making the account a learner.',
        'mentor_has_open_work',
      );
    }
  }
  const { is_active, ...rest } = changes;
  const updated = await target.$query(trx).patchAndFetch({ ...rest, ...(is_active === true ? { is_active } : {}) });
  if (is_active === false) return (await deactivateUser({ trx, emit }, target.id))!;
  return updated;
}

/** The recipients of a broadcast: one active user (400 naming `user` otherwise) or every active user of a role. */
async function broadcastRecipients(trx: Db, to: Audience): Promise<number[]> {
  if ('user' in to) {
    const user = await User.query(trx).findById(to.user);
    if (!user || !user.is_active) throw invalidField('user', 'must be the id of an active user');
    return [user.id];
  }
  const q = trx('users').where('is_active', true).orderBy('id').pluck('id');
  if (to.role !== 'all') q.where('role', to.role);
  return (await q).map(Number);
}

/** Writes one `broadcast` notification per recipient in the caller's transaction; returns how many. */
export async function broadcast(tx: Tx, input: BroadcastInput): Promise<number> {
  const recipients = await broadcastRecipients(tx.trx, input.to);
  const written = await notifyMany(
    tx,
    recipients.map((userId) => ({ userId, type: 'broadcast' as const, message: input.message, link: input.link })),
  );
  return written.length;
}
