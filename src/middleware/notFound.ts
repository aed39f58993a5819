/**
 * The end of the chain: nothing answered. A path of the contract reached with another method is 405
 * with `Allow` (and OPTIONS on it 204 with `Allow`); anything else is 404 — both problem+json.
 * The methods come from the spec rather than the router's allowedMethods(): OPTIONS is answered 204
 * and `Allow` lists exactly the contract's methods.
 */
import { ApiError } from '../errors.ts';
import type { LoadedSpec } from '../openapi/spec.ts';
import type { AppMiddleware } from '../types.ts';

export function notFoundOrMethod(spec: LoadedSpec): AppMiddleware {
  return async function notFoundOrMethod(ctx) {
    const allowed = [...spec.operations.values()]
      .filter((op) => op.pathRegex.test(ctx.path))
      .map((op) => op.method.toUpperCase());
    if (allowed.length && ctx.method === 'OPTIONS') {
      ctx.status = 204;
      ctx.set('Allow', [...allowed, 'OPTIONS'].join(', '));
      return;
    }
    if (allowed.length) {
      ctx.set('Allow', [...allowed, 'OPTIONS'].join(', '));
      throw new ApiError(405, 'method_not_allowed', 'Method not allowed', `${ctx.method} is not allowed here; use ${allowed.join(', ')}.`);
    }
    throw new ApiError(404, 'not_found', 'Not found', `Nothing is served at ${ctx.path}.`);
  };
}
