/** Operations of the chat resource (registered by operationId; see src/api/route.ts). */
import type { ApiRoutes } from '../route.ts';

export function registerChatRoutes(_routes: ApiRoutes): void {}
