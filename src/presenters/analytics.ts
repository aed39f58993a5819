/** Analytics presenter: the computed metrics in the contract's shape. */
import type { Schema } from '../contract/types.ts';
import { iso } from '../lib/time.ts';
import type { MentorAnalytics } from '../views/analytics.ts';
import { presentMonthly } from './earnings.ts';
import { presentSession } from './session.ts';

export function presentAnalytics(a: MentorAnalytics): Schema<'Analytics'> {
  return {
    from: iso(a.from),
    to: iso(a.to),
    students: a.students,
    sessions_by_status: a.sessionsByStatus,
    total_sessions: a.totalSessions,
    average_rating: a.averageRating,
    rating_distribution: a.ratingDistribution,
    feedback_count: a.feedbackCount,
    attendance_rate: a.attendanceRate,
    cancellation_rate: a.cancellationRate,
    request_acceptance_rate: a.requestAcceptanceRate,
    median_response_time_seconds: a.medianResponseTimeSeconds,
    repeat_learners: a.repeatLearners,
    earnings_by_month: presentMonthly(a.earningsByMonth),
    upcoming_sessions: a.upcomingSessions.map(presentSession),
    upcoming_count: a.upcomingCount,
  };
}
