/** Operations of the bookings resource (registered by operationId; see src/api/route.ts). */
import type { ApiRoutes } from '../route.ts';

export function registerBookingsRoutes(_routes: ApiRoutes): void {}
