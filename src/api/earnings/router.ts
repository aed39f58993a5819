/** Operations of the earnings resource (registered by operationId; see src/api/route.ts). */
import type { ApiRoutes } from '../route.ts';

export function registerEarningsRoutes(_routes: ApiRoutes): void {}
