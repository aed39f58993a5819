/** Feedback presenter; the learner is batch-loaded by `loadFeedbackViews` (src/views/feedback.ts). */
import type { Schema } from '../contract/types.ts';
import { iso } from '../lib/time.ts';
import type { Feedback, User } from '../models/index.ts';
import { presentUserSummary } from './user.ts';
import type { FeedbackView } from '../views/feedback.ts';

export function presentFeedback({ feedback: f, learner }: FeedbackView): Schema<'Feedback'> {
  return {
    id: f.id,
    session: f.session_id,
    learner: f.learner_id,
    learner_summary: presentUserSummary(learner),
    rating: f.rating,
    comment: f.comment,
    created_at: iso(f.created_at),
  };
}
