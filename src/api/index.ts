/**
 * Every resource router, mounted in one explicit list (after Outline's routes/api/index.ts).
 * A resource registers its operations by operationId; `buildApiRouter` turns the whole spec into
 * routes and answers 501 for any operation nobody registered.
 */
import { ApiRoutes } from './route.ts';
import { registerAuthRoutes } from './auth/router.ts';
import { registerOpsRoutes } from './ops/router.ts';

export function collectRoutes(): ApiRoutes {
  const routes = new ApiRoutes();
  registerOpsRoutes(routes);
  registerAuthRoutes(routes);
  return routes;
}
