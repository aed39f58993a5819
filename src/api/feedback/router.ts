/** Operations of the feedback resource (registered by operationId; see src/api/route.ts). */
import type { ApiRoutes } from '../route.ts';

export function registerFeedbackRoutes(_routes: ApiRoutes): void {}
