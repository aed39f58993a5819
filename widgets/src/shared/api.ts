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

export interface ApiOptions {
  /** API origin (and optional path prefix); '' means the page's own origin. */
  baseUrl: string;
  /** The bearer token for the next request (may refresh it first), or null. */
  credential: () => Promise<string | null>;
  /** Aborts every request in flight when the element disconnects. */
  signal: AbortSignal;
  /** Called on every 401 answer, with the problem's detail. */
  onUnauthorized: (message: string) => void;
}

export function createApi(options: ApiOptions): Api {
  // A CORS refusal reads "This page's origin is not allowed…", not "Could not reach the server".
  const client = createClient<paths>({ baseUrl: options.baseUrl, signal: options.signal, fetch: corsAwareFetch });
  client.use({
    async onRequest({ request }) {
      const token = await options.credential();
      if (token) request.headers.set('Authorization', `Bearer ${token}`);
      return request;
    },
    async onResponse({ response }) {
      if (response.status !== 401) return undefined;
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
