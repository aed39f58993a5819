/** Operations of the rtc resource (registered by operationId; see src/api/route.ts). */
import type { ApiRoutes } from '../route.ts';

export function registerRtcRoutes(_routes: ApiRoutes): void {}
