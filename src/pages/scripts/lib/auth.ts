/**
 * The host pages' sign-in state: the token pair from `POST /api/auth/token/`, kept in
 * localStorage, and a token provider for the widgets that refreshes the access token shortly
 * before it expires.
 *
 * Why localStorage: the API is a bearer-token API meant to be called from other origins too, so
 * the pages use it the way any third party would. The trade-off is that a script injected into
 * the page could read the tokens (an HttpOnly cookie would hide them from scripts but needs
 * cookie auth and CSRF protection on the API). It is mitigated by a strict CSP (`script-src
 * 'self'`, no inline scripts), by never rendering user text as HTML, by 15-minute access
 * tokens, and by refresh-token rotation with reuse detection: a stolen refresh token that is
 * used after ours revokes the whole family.
 *
 * Refresh tokens rotate (each is spent once), so two tabs must not refresh with the same one:
 * the refresh runs under a Web Lock shared by the tabs, and a tab that gets the lock after another
 * one refreshed simply uses the new pair.
 */
import createClient from 'openapi-fetch';
import type { paths, Schema } from '../../../api/types.ts';

const STORAGE_KEY = 'mentor-dashboard.auth';

export interface StoredAuth {
  access: string;
  refresh: string;
  /** Epoch milliseconds. */
  accessExpiresAt: number;
  refreshExpiresAt: number;
  accessLifetimeMs: number;
}

/** Refresh when less than a minute (or a quarter of a short token lifetime) is left. */
const refreshMargin = (auth: StoredAuth) => Math.min(60_000, auth.accessLifetimeMs / 4);
const needsRefresh = (auth: StoredAuth) => auth.accessExpiresAt - Date.now() <= refreshMargin(auth);

export const api = createClient<paths>({ baseUrl: '' });

export function loadAuth(): StoredAuth | null {
  try {
    const stored = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as StoredAuth | null;
    return stored && typeof stored.access === 'string' && stored.accessLifetimeMs > 0 && stored.refreshExpiresAt > Date.now() ? stored : null;
  } catch {
    return null;
  }
}

export function saveAuth(pair: Schema<'TokenPair'>, now = Date.now()): StoredAuth {
  const auth: StoredAuth = {
    access: pair.access,
    refresh: pair.refresh,
    accessExpiresAt: now + pair.expires_in * 1000,
    refreshExpiresAt: now + pair.refresh_expires_in * 1000,
    accessLifetimeMs: pair.expires_in * 1000,
  };
  localStorage.setItem(STORAGE_KEY, JSON.stringify(auth));
  return auth;
}

export function clearAuth(): void {
  localStorage.removeItem(STORAGE_KEY);
}

/** Called when another tab signs in or out. */
export function onAuthChange(listener: (auth: StoredAuth | null) => void): void {
  window.addEventListener('storage', (event) => {
    if (event.key === STORAGE_KEY) listener(loadAuth());
  });
}

/** Runs `task` while holding the cross-tab refresh lock (Web Locks where available). */
async function withRefreshLock<T>(task: () => Promise<T>): Promise<T> {
  if (!navigator.locks) return task();
  return (await navigator.locks.request('mentor-dashboard.refresh', task)) as T;
}

let inFlight: Promise<string | null> | null = null;

async function refresh(): Promise<string | null> {
  return withRefreshLock(async () => {
    const current = loadAuth();
    if (!current) return null;
    // Another tab may have refreshed while we waited for the lock.
    if (!needsRefresh(current)) return current.access;
    const { data, response } = await api.POST('/api/auth/token/refresh/', { body: { refresh: current.refresh } });
    if (data) return saveAuth(data).access;
    if (response.status === 400 || response.status === 401) clearAuth();
    return null;
  });
}

/**
 * The widgets' `tokenProvider`: the stored access token, refreshed first when it is about to
 * expire (one refresh at a time). Null when signed out.
 */
export async function accessToken(): Promise<string | null> {
  const auth = loadAuth();
  if (!auth) return null;
  if (!needsRefresh(auth)) return auth.access;
  inFlight ??= refresh().finally(() => (inFlight = null));
  return inFlight;
}

/** Keeps the access token fresh while the page is open, so sockets can renew theirs in time. */
export function keepFresh(onSignedOut: () => void): void {
  const schedule = () => {
    const auth = loadAuth();
    if (!auth) return onSignedOut();
    const delay = Math.max(1000, auth.accessExpiresAt - Date.now() - refreshMargin(auth));
    setTimeout(async () => {
      if ((await accessToken()) === null) onSignedOut();
      else schedule();
    }, delay);
  };
  schedule();
}

export async function signOut(): Promise<void> {
  const auth = loadAuth();
  clearAuth();
  if (auth) await api.POST('/api/auth/logout/', { body: { refresh: auth.refresh } }).catch(() => undefined);
}

/**
 * A same-origin path to return to after signing in (never another site). The value is resolved the
 * way the browser would resolve it (`new URL(next, origin)`, which drops tabs and newlines and
 * reads a backslash as `/`, so that `/<TAB>/evil` and `/<backslash>evil` mean `//evil`); only a
 * result on our own origin is kept, and it is returned as a path. Control characters and
 * backslashes are refused outright, as is anything not starting with `/` (`https:`, `javascript:`).
 */
export function safeNext(value: string | null, fallback = '/dashboard', origin = location.origin): string {
  if (!value || !value.startsWith('/') || /[\u0000-\u001f\u007f\\]/.test(value)) return fallback;
  let url: URL;
  try {
    url = new URL(value, origin);
  } catch {
    return fallback;
  }
  if (url.origin !== origin) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  return path.startsWith('//') ? fallback : path;
}

/**
 * What every signed-in page does: back to the sign-in page when the API refuses the token
 * (revoked, account deactivated) or another tab signs out, tokens refreshed before they expire,
 * and the "Sign out" button wired.
 */
export function guardSignedInPage(toLogin: () => void): void {
  // Signing out makes the server close this login's sockets, and the widgets report that as
  // md-unauthorized, often before the logout's answer: the sign-out's own way to /login wins.
  let signingOut = false;
  const leave = () => signingOut || toLogin();
  document.addEventListener('md-unauthorized', () => {
    clearAuth();
    leave();
  });
  onAuthChange((auth) => auth || leave());
  keepFresh(leave);
  document.querySelector('#sign-out')?.addEventListener('click', async () => {
    signingOut = true;
    await signOut();
    location.assign('/login');
  });
}
