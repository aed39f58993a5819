/** Operations of the sessions resource (registered by operationId; see src/api/route.ts). */
import type { ApiRoutes } from '../route.ts';

export function registerSessionsRoutes(_routes: ApiRoutes): void {}
