/** Operations of the profile resource (registered by operationId; see src/api/route.ts). */
import type { ApiRoutes } from '../route.ts';

export function registerProfileRoutes(_routes: ApiRoutes): void {}
