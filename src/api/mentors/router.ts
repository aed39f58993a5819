/** Operations of the mentors resource (registered by operationId; see src/api/route.ts). */
import type { ApiRoutes } from '../route.ts';

export function registerMentorsRoutes(_routes: ApiRoutes): void {}
