/**
 * Tells "this page's origin is not allowed" apart from "the server cannot be reached". A browser
 * hides why a cross-origin request failed (both are a TypeError), but a `no-cors` request to the
 * same server still gets through when only CORS refused the page: then the origin is the problem.
 */

export const ORIGIN_NOT_ALLOWED = "This page's origin is not allowed by the server (CORS_ORIGINS).";

export class OriginNotAllowed extends Error {
  override name = 'OriginNotAllowed';

  constructor() {
    super(ORIGIN_NOT_ALLOWED);
  }
}

/** `fetch` for a client of another origin: a CORS refusal rejects with `OriginNotAllowed`. */
export async function corsAwareFetch(request: Request): Promise<Response> {
  try {
    return await fetch(request);
  } catch (error) {
    const target = new URL(request.url);
    if (!(error instanceof TypeError) || request.signal.aborted || target.origin === location.origin) throw error;
    const reachable = await fetch(`${target.origin}/healthz`, { mode: 'no-cors', cache: 'no-store' }).then(
      () => true,
      () => false,
    );
    throw reachable ? new OriginNotAllowed() : error;
  }
}
