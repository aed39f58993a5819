/** Operations of the admin resource (registered by operationId; see src/api/route.ts). */
import type { ApiRoutes } from '../route.ts';

export function registerAdminRoutes(_routes: ApiRoutes): void {}
