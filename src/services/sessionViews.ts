/**
 * Batch loading of what the session presenter needs: mentors, ready-learner counts and the viewer's
 * own live booking, for any number of sessions in three queries.
 */
import type { Knex } from 'knex';
import { Session, User } from '../models/index.ts';
import type { SessionView } from '../presenters/session.ts';

export async function loadSessionViews(
  db: Knex | Knex.Transaction,
  sessions: Session[],
  viewerId?: number,
): Promise<SessionView[]> {
  if (sessions.length === 0) return [];
  const ids = sessions.map((s) => s.id);
  const mentorIds = [...new Set(sessions.map((s) => s.mentor_id))];
  const [mentors, ready, mine] = await Promise.all([
    User.query(db).findByIds(mentorIds),
    db('bookings')
      .whereIn('session_id', ids)
      .whereNot('status', 'cancelled')
      .whereNotNull('learner_ready_at')
      .groupBy('session_id')
      .select('session_id')
      .count({ n: '*' }),
    viewerId
      ? db('bookings').whereIn('session_id', ids).where('learner_id', viewerId).whereNot('status', 'cancelled').select('id', 'session_id')
      : Promise.resolve([]),
  ]);
  const mentorById = new Map(mentors.map((m) => [m.id, m]));
  const readyBySession = new Map((ready as Array<{ session_id: number; n: number | string }>).map((r) => [Number(r.session_id), Number(r.n)]));
  const mineBySession = new Map((mine as Array<{ id: number; session_id: number }>).map((b) => [Number(b.session_id), Number(b.id)]));
  return sessions.map((session) => ({
    session,
    mentor: mentorById.get(session.mentor_id)!,
    readyLearnerCount: readyBySession.get(session.id) ?? 0,
    myBooking: mineBySession.get(session.id) ?? null,
  }));
}

export async function loadSessionView(db: Knex | Knex.Transaction, session: Session, viewerId?: number): Promise<SessionView> {
  const [view] = await loadSessionViews(db, [session], viewerId);
  return view!;
}
