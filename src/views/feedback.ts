/** What the feedback presenter needs: each entry with its learner. */
import type { Knex } from 'knex';
import { User, type Feedback } from '../models/index.ts';

export interface FeedbackView {
  feedback: Feedback;
  learner: User;
}

/** What the feedback presenter needs, for any number of entries in one query. */
export async function loadFeedbackViews(db: Knex | Knex.Transaction, entries: Feedback[]): Promise<FeedbackView[]> {
  if (entries.length === 0) return [];
  const learners = new Map((await User.query(db).findByIds([...new Set(entries.map((f) => f.learner_id))])).map((u) => [u.id, u]));
  return entries.map((feedback) => ({ feedback, learner: learners.get(feedback.learner_id)! }));
}
