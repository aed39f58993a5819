/**
 * Request presenter. Pure: both people's summaries are batch-loaded first by `loadRequestViews`
 * (src/views/requests.ts), so a page of requests costs one extra query.
 */
import type { Schema } from '../contract/types.ts';
import { iso } from '../lib/time.ts';
import type { MentorRequest, User } from '../models/index.ts';
import { presentUserSummary } from './user.ts';
import type { RequestView } from '../views/requests.ts';

export function presentRequest({ request: r, learner, mentor }: RequestView): Schema<'Request'> {
  return {
    id: r.id,
    learner: r.learner_id,
    learner_summary: presentUserSummary(learner),
    mentor: r.mentor_id,
    mentor_summary: presentUserSummary(mentor),
    topic: r.topic,
    message: r.message,
    preferred_times: r.preferred_times ?? [],
    status: r.status,
    session: r.session_id,
    decline_reason: r.decline_reason,
    responded_at: iso(r.responded_at),
    created_at: iso(r.created_at),
  };
}
