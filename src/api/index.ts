/**
 * Every resource router, mounted in one explicit list (after Outline's routes/api/index.ts).
 * A resource registers its operations by operationId; `buildApiRouter` turns the whole spec into
 * routes and answers 501 for any operation nobody registered.
 */
import { ApiRoutes } from './route.ts';
import { registerOpsRoutes } from './ops/router.ts';
import { registerAuthRoutes } from './auth/router.ts';
import { registerSessionsRoutes } from './sessions/router.ts';
import { registerBookingsRoutes } from './bookings/router.ts';
import { registerRequestsRoutes } from './requests/router.ts';
import { registerFeedbackRoutes } from './feedback/router.ts';
import { registerChatRoutes } from './chat/router.ts';
import { registerAttendanceRoutes } from './attendance/router.ts';
import { registerEarningsRoutes } from './earnings/router.ts';
import { registerPayoutsRoutes } from './payouts/router.ts';
import { registerAnalyticsRoutes } from './analytics/router.ts';
import { registerProfileRoutes } from './profile/router.ts';
import { registerMentorsRoutes } from './mentors/router.ts';
import { registerNotificationsRoutes } from './notifications/router.ts';
import { registerRtcRoutes } from './rtc/router.ts';
import { registerAdminRoutes } from './admin/router.ts';
import { registerPlatformRoutes } from './platform/router.ts';
import { registerEventsRoutes } from './events/router.ts';
import { registerWebhooksRoutes } from './webhooks/router.ts';
import { registerRealtimeRoutes } from './realtime/router.ts';
import '../policies/index.ts';

export function collectRoutes(): ApiRoutes {
  const routes = new ApiRoutes();
  for (const register of [
    registerOpsRoutes,
    registerAuthRoutes,
    registerSessionsRoutes,
    registerBookingsRoutes,
    registerRequestsRoutes,
    registerFeedbackRoutes,
    registerChatRoutes,
    registerAttendanceRoutes,
    registerEarningsRoutes,
    registerPayoutsRoutes,
    registerAnalyticsRoutes,
    registerProfileRoutes,
    registerMentorsRoutes,
    registerNotificationsRoutes,
    registerRtcRoutes,
    registerAdminRoutes,
    registerPlatformRoutes,
    registerEventsRoutes,
    registerWebhooksRoutes,
    registerRealtimeRoutes,
  ]) {
    register(routes);
  }
  return routes;
}
