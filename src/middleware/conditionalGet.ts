/**
 * ETag and 304 for GET (and HEAD) answers with a body in memory — JSON, problem+json aside (errors
 * get no validator), pages, the contract. The tag is weak (`W/"<length>-<sha1>"`): the same for
 * the plain and the compressed body. A request whose If-None-Match lists it (or `*`) gets 304 with
 * no body.
 *
 * Written here rather than taken from koa-conditional-get + koa-etag: those follow `fresh`, which
 * ignores If-None-Match when the request says `Cache-Control: no-cache` — and browsers add exactly
 * that to every fetch() that sets If-None-Match itself, as the widgets' client does. The origin
 * server may always answer a conditional request (RFC 9110 §13.2.1). File bodies (streams) keep
 * Last-Modified revalidation (src/pages/router.ts).
 */
import crypto from 'node:crypto';
import type { Context, Next } from 'koa';

export function weakEtag(body: string | Buffer): string {
  const hash = crypto.createHash('sha1').update(body).digest('base64').slice(0, 27);
  return `W/"${Buffer.byteLength(body).toString(16)}-${hash}"`;
}

/** Weak comparison (RFC 9110 §8.8.3.2) against an If-None-Match list. */
export function matches(ifNoneMatch: string, etag: string): boolean {
  if (ifNoneMatch.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => opaque(tag) === opaque(etag));
}

export function conditionalGet() {
  return async function conditionalGet(ctx: Context, next: Next): Promise<void> {
    await next();
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || ctx.status !== 200) return;
    let body: unknown = ctx.body;
    if (body === null || body === undefined || typeof (body as { pipe?: unknown }).pipe === 'function') return;
    if (typeof body !== 'string' && !Buffer.isBuffer(body)) {
      // Serialised once here (Koa would do it when responding anyway); the content type stays.
      body = JSON.stringify(body);
      ctx.body = body;
    }
    const etag = ctx.response.get('ETag') || weakEtag(body as string | Buffer);
    ctx.set('ETag', etag);
    const ifNoneMatch = ctx.get('If-None-Match');
    if (ifNoneMatch && matches(ifNoneMatch, etag)) {
      ctx.status = 304;
      ctx.body = null;
    }
  };
}
