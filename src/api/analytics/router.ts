/** Operations of the analytics resource (registered by operationId; see src/api/route.ts). */
import type { ApiRoutes } from '../route.ts';

export function registerAnalyticsRoutes(_routes: ApiRoutes): void {}
