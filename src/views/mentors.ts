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

/**
 * Ratings and completed sessions for any number of mentors, in one primary-key read of their
 * counters (table `mentor_stats`, kept by database triggers: migration 20261203010000_mentor_stats),
 * so a directory page costs the same however many sessions its mentors have.
 */
export async function loadMentorViews(db: Knex, mentors: User[]): Promise<MentorView[]> {
  if (mentors.length === 0) return [];
  const rows = (await db('mentor_stats')
    .whereIn('mentor_id', mentors.map((m) => m.id))
    .select('mentor_id', 'completed_sessions', 'rating_sum', 'rating_count')) as Array<Record<string, number | string>>;
  const statsBy = new Map(rows.map((r) => [Number(r.mentor_id), r]));
  return mentors.map((mentor) => {
    const row = statsBy.get(mentor.id);
    const count = Number(row?.rating_count ?? 0);
    const stats: MentorStats = {
      // The same double as AVG(rating): the exact quotient, rounded once.
      averageRating: count > 0 ? Math.round((Number(row!.rating_sum) / count) * 100) / 100 : null,
      feedbackCount: count,
      completedSessions: Number(row?.completed_sessions ?? 0),
    };
    return { mentor, stats };
  });
}
