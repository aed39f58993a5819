/**
 * A mentor's public profile (the directory and `GET /api/mentors/{id}/`). A whitelist of what
 * every signed-in user may see: no email, role flags or login times. The statistics are
 * batch-loaded by `loadMentorViews` (src/views/mentors.ts).
 */
import type { Schema } from '../contract/types.ts';
import { formatCentsOrNull } from '../lib/money.ts';
import type { User } from '../models/index.ts';
import { avatarUrl } from './user.ts';
import type { MentorView } from '../views/mentors.ts';

export function presentMentorProfile({ mentor: m, stats }: MentorView): Schema<'MentorProfile'> {
  return {
    id: m.id,
    username: m.username,
    first_name: m.first_name,
    last_name: m.last_name,
    bio: m.bio,
    expertise: m.expertise ?? [],
    timezone: m.timezone,
    hourly_rate: formatCentsOrNull(m.hourly_rate_cents),
    currency: m.currency,
    avatar: avatarUrl(m),
    average_rating: stats.averageRating,
    feedback_count: stats.feedbackCount,
    completed_sessions: stats.completedSessions,
  };
}
