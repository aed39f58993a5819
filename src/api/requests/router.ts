/** Operations of the requests resource (registered by operationId; see src/api/route.ts). */
import type { ApiRoutes } from '../route.ts';

export function registerRequestsRoutes(_routes: ApiRoutes): void {}
