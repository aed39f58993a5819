/** Operations of the payouts resource (registered by operationId; see src/api/route.ts). */
import type { ApiRoutes } from '../route.ts';

export function registerPayoutsRoutes(_routes: ApiRoutes): void {}
