/**
 * The widgets' API client: openapi-fetch typed by the `paths` that openapi-typescript generates
 * from openapi.yaml, so every path, parameter, body and response is checked against the contract
 * at compile time. No request or response type is written by hand.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { paths, Schema } from '../../../src/api/types.ts';
import { corsAwareFetch } from './cors.ts';

export type { Schema };
export type Api = Client<paths>;

type Problem = Schema<'Problem'>;

/** A non-2xx answer, carrying the RFC 9457 problem document the API sent. */
export class ApiProblem extends Error {
  override name = 'ApiProblem';
  readonly status: number;
  readonly problem: Partial<Problem>;

  constructor(status: number, problem: Partial<Problem>) {
    super(problem.detail ?? problem.title ?? `The server answered ${status}.`);
    this.status = status;
    this.problem = problem;
  }

  /** Body field errors by field path (`title`, `preferred_times.0`), for showing beside inputs. */
  fieldErrors(): Map<string, string> {
    const fields = new Map<string, string>();
    for (const e of this.problem.errors ?? []) {
      if (e.in === 'body' && !fields.has(e.path)) fields.set(e.path, e.message);
    }
    return fields;
  }
}

/**
 * Bodies of GET answers that carried an ETag, by URL and bearer token (two people signed in on
 * one page never share an entry), at most `limit` of them, least recently used first out. The
 * client sends `If-None-Match` for a cached URL and turns the server's `304` (no body) back into
 * the cached `200`, so an unchanged list is not downloaded again (e.g. on every reconnect).
 */
export class ConditionalCache {
  readonly #entries = new Map<string, { etag: string; body: string; headers: [string, string][] }>();

  constructor(readonly limit = 50) {}

  static key(request: Request): string {
    return `${request.headers.get('Authorization') ?? ''} ${request.url}`;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Adds If-None-Match to a GET whose answer is cached. */
  prepare(request: Request): Request {
    if (request.method !== 'GET') return request;
    const entry = this.#entries.get(ConditionalCache.key(request));
    if (entry) request.headers.set('If-None-Match', entry.etag);
    return request;
  }

  /** The answer to hand on: a 304 becomes the cached 200; a 200 with an ETag is remembered. */
  async settle(request: Request, response: Response): Promise<Response> {
    if (request.method !== 'GET') return response;
    const key = ConditionalCache.key(request);
    const entry = this.#entries.get(key);
    if (response.status === 304 && entry) {
      // Finish the (empty) answer: an unread one counts as cancelled when the widget aborts later.
      await response.arrayBuffer().catch(() => undefined);
      this.#entries.delete(key);
      this.#entries.set(key, entry); // most recently used
      return new Response(entry.body, { status: 200, statusText: 'OK', headers: entry.headers });
    }
    const etag = response.headers.get('ETag');
    if (response.status !== 200 || !etag) {
      this.#entries.delete(key);
      return response;
    }
    const body = await response.clone().text();
    this.#entries.delete(key);
    this.#entries.set(key, { etag, body, headers: [...response.headers].filter(([name]) => !/^content-(encoding|length)$/i.test(name)) });
    while (this.#entries.size > this.limit) this.#entries.delete(this.#entries.keys().next().value!);
    return response;
  }
}

const sharedCache = new ConditionalCache();

export interface ApiOptions {
  /** API origin (and optional path prefix); '' means the page's own origin. */
  baseUrl: string;
  /** The bearer token for the next request (may refresh it first), or null. */
  credential: () => Promise<string | null>;
  /** Aborts every request in flight when the element disconnects. */
  signal: AbortSignal;
  /** Called on every 401 answer, with the problem's detail. */
  onUnauthorized: (message: string) => void;
  /** The conditional-GET cache (default: one shared by every widget on the page). */
  cache?: ConditionalCache;
  /** The fetch to use (default: the global one). */
  fetch?: (input: Request) => Promise<Response>;
}

export function createApi(options: ApiOptions): Api {
  const cache = options.cache ?? sharedCache;
  // A CORS refusal reads "This page's origin is not allowed…", not "Could not reach the server".
  const client = createClient<paths>({ baseUrl: options.baseUrl, signal: options.signal, fetch: options.fetch ?? corsAwareFetch });
  client.use({
    async onRequest({ request }) {
      const token = await options.credential();
      if (token) request.headers.set('Authorization', `Bearer ${token}`);
      return cache.prepare(request);
    },
    async onResponse({ request, response }) {
      if (response.status !== 401) return cache.settle(request, response);
      const problem = (await response.clone().json().catch(() => ({}))) as Partial<Problem>;
      options.onUnauthorized(problem.detail ?? 'Your session has expired. Please sign in again.');
      return undefined;
    },
  });
  return client;
}

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of a successful call; throws an `ApiProblem` for any other answer. */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) return data as T;
  throw new ApiProblem(response.status, typeof error === 'object' && error !== null ? (error as Partial<Problem>) : {});
}
