import { badRequest } from '../errors.ts';
import type { AppMiddleware } from '../types.ts';

/**
 * A request with more than one Host header names two targets; RFC 9112 (section 3.2) says to answer
 * 400. Node keeps the first one and drops the others silently, so count them in the raw headers.
 */
export const singleHostHeader: AppMiddleware = async function singleHostHeader(ctx, next) {
  const raw = ctx.req.rawHeaders;
  let hosts = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() === 'host') hosts++;
  if (hosts > 1) throw badRequest('The request carries more than one Host header.', 'duplicate_host');
  await next();
};
