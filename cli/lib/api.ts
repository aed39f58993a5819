/**
 * The API client, typed from `openapi.yaml` (openapi-fetch over the generated `paths`): requests
 * and responses are checked by the compiler against the contract, never written by hand.
 *
 * Credentials: `MENTORCTL_TOKEN` (an access token, used as is) wins over the stored login. With the
 * stored login, a 401 is answered by spending the refresh token once (refresh tokens rotate), saving
 * the new pair and retrying the request; only when that fails does the user have to log in again.
 * The stored tokens are only ever sent to the server they came from.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from '../../src/contract/types.ts';
import { CliError, isProblemLike, problemError, UsageError } from './errors.ts';
import { readCredentials, writeCredentials, type Credentials } from './credentials.ts';

export type ApiClient = Client<paths>;

export const DEFAULT_URL = 'http://127.0.0.1:8000';

/** `--url` (or MENTORCTL_URL) checked and without a trailing slash. */
export function normaliseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--url: "${raw}" is not a URL such as ${DEFAULT_URL}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--url: "${raw}" must start with http:// or https://`);
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/** Turns a network failure into one line naming the server. */
function unreachable(url: string, err: unknown): CliError {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const reason = cause?.code ?? cause?.message ?? (err as Error).message;
  return new CliError(`cannot reach the API at ${url} (${reason})`, 1, [
    'is the server running? Set the address with --url or MENTORCTL_URL.',
  ]);
}

function sendTo(url: string) {
  return async (request: Request): Promise<Response> => {
    try {
      return await fetch(request);
    } catch (err) {
      throw unreachable(url, err);
    }
  };
}

/** A client without credentials, for the auth endpoints. */
export function anonymousClient(url: string): ApiClient {
  return createClient<paths>({ baseUrl: url, fetch: sendTo(url) });
}

export interface Connection {
  url: string;
  client: ApiClient;
  /** Where the credential came from (shown by `whoami`). */
  source: 'MENTORCTL_TOKEN' | 'credentials';
}

/** Exchanges the stored refresh token for a new pair and saves it; the old one is spent either way. */
async function refreshStored(credentials: Credentials): Promise<Credentials> {
  const { data, response } = await anonymousClient(credentials.url).POST('/api/auth/token/refresh/', {
    body: { refresh: credentials.refresh },
  });
  if (!response.ok || !data) {
    throw new CliError(`your login to ${credentials.url} has expired; run "mentorctl login" again`);
  }
  const next = { ...credentials, access: data.access, refresh: data.refresh };
  writeCredentials(next);
  return next;
}

function withBearer(request: Request, token: string): Request {
  request.headers.set('Authorization', `Bearer ${token}`);
  return request;
}

/**
 * A client signed in as the stored login (or MENTORCTL_TOKEN). `urlOption` is `--url` or
 * MENTORCTL_URL; without it the stored login's server is used, then the default.
 */
export function connect(urlOption: string | undefined, env: NodeJS.ProcessEnv = process.env): Connection {
  const wanted = urlOption === undefined ? undefined : normaliseUrl(urlOption);
  const token = env.MENTORCTL_TOKEN;
  if (token) {
    const url = wanted ?? DEFAULT_URL;
    const send = sendTo(url);
    const tokenFetch = async (request: Request) => {
      const response = await send(withBearer(request, token));
      if (response.status === 401) throw new CliError(`${url} refused MENTORCTL_TOKEN (401): it is invalid or expired`);
      return response;
    };
    return { url, client: createClient<paths>({ baseUrl: url, fetch: tokenFetch }), source: 'MENTORCTL_TOKEN' };
  }
  let credentials = readCredentials();
  if (!credentials) throw new CliError('not logged in; run "mentorctl login" (or set MENTORCTL_TOKEN)');
  if (wanted && wanted !== credentials.url) {
    throw new CliError(`logged in to ${credentials.url}, not ${wanted}; run "mentorctl login --url ${wanted}"`);
  }
  const url = credentials.url;
  const send = sendTo(url);
  let refreshing: Promise<Credentials> | undefined;
  const authFetch = async (request: Request): Promise<Response> => {
    const retry = request.clone();
    const used = credentials!.access;
    const response = await send(withBearer(request, used));
    if (response.status !== 401) return response;
    // One refresh however many requests hit the expiry together; a pair rotated meanwhile is reused.
    if (credentials!.access === used) {
      refreshing ??= refreshStored(credentials!).finally(() => (refreshing = undefined));
      credentials = await refreshing;
    }
    return send(withBearer(retry, credentials!.access));
  };
  return { url, client: createClient<paths>({ baseUrl: url, fetch: authFetch }), source: 'credentials' };
}

type Outcome<T> = { data?: T; error?: unknown; response: Response };

/**
 * The body of a successful answer, or a CliError showing the problem+json title, detail and field
 * errors (`flags` renames body fields to the flags that set them).
 */
export async function expectOk<T>(request: Promise<Outcome<T>>, flags: Readonly<Record<string, string>> = {}): Promise<T> {
  const { data, error, response } = await request;
  if (response.ok) return data as T;
  if (isProblemLike(error)) throw problemError({ status: response.status, ...error }, flags);
  throw new CliError(`the API answered ${response.status} ${response.statusText}`.trim());
}

export interface Page<T> {
  results: T[];
  next: string | null;
}

/** The server's largest page. */
const MAX_PAGE_SIZE = 100;

/** Every item of a paginated listing (or the first `limit`), fetching page after page. */
export async function collectPages<T>(
  fetchPage: (page: number, pageSize: number) => Promise<Page<T>>,
  limit?: number,
): Promise<T[]> {
  const pageSize = Math.min(limit ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
  const items: T[] = [];
  for (let page = 1; ; page++) {
    const { results, next } = await fetchPage(page, pageSize);
    items.push(...results);
    if (!next || results.length === 0 || (limit !== undefined && items.length >= limit)) break;
  }
  return limit === undefined ? items : items.slice(0, limit);
}
