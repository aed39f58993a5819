/** What the mentor profile presenter needs: each mentor with their rating and completed sessions. */
import type { Knex } from 'knex';
import type { User } from '../models/index.ts';

export interface MentorStats {
  /** Mean rating of all feedback on the mentor's sessions, or null without feedback. */
  averageRating: number | null;
  feedbackCount: number;
  completedSessions: number;
}

export interface MentorView {
  mentor: User;
  stats: MentorStats;
}

/** Ratings and completed sessions for any number of mentors, in two queries. */
export async function loadMentorViews(db: Knex, mentors: User[]): Promise<MentorView[]> {
  if (mentors.length === 0) return [];
  const ids = mentors.map((m) => m.id);
  const [ratings, completed] = await Promise.all([
    db('feedback')
      .join('sessions', 'sessions.id', 'feedback.session_id')
      .whereIn('sessions.mentor_id', ids)
      .groupBy('sessions.mentor_id')
      .select('sessions.mentor_id as mentor_id')
      .avg({ average: 'feedback.rating' })
      .count({ n: '*' }),
    db('sessions').whereIn('mentor_id', ids).where('status', 'completed').groupBy('mentor_id').select('mentor_id').count({ n: '*' }),
  ]);
  const ratingBy = new Map(
    (ratings as Array<{ mentor_id: number; average: number | string; n: number | string }>).map((r) => [
      Number(r.mentor_id),
      { average: Number(r.average), count: Number(r.n) },
    ]),
  );
  const completedBy = new Map((completed as Array<{ mentor_id: number; n: number | string }>).map((r) => [Number(r.mentor_id), Number(r.n)]));
  return mentors.map((mentor) => {
    const rating = ratingBy.get(mentor.id);
    const stats: MentorStats = {
      averageRating: rating ? Math.round(rating.average * 100) / 100 : null,
      feedbackCount: rating?.count ?? 0,
      completedSessions: completedBy.get(mentor.id) ?? 0,
    };
    return { mentor, stats };
  });
}
