/** Operations of the notifications resource (registered by operationId; see src/api/route.ts). */
import type { ApiRoutes } from '../route.ts';

export function registerNotificationsRoutes(_routes: ApiRoutes): void {}
