/**
 * /embed-example: what a third-party page does to embed the widgets. It is loaded from the API's
 * origin (so it knows where the API is) and signs in with its own small form; a real host would
 * hand the widgets a token provider backed by its own session instead. Tokens stay in memory.
 */
import createClient from 'openapi-fetch';
import type { paths } from '../../api/types.ts';
import { corsAwareFetch } from '../../../widgets/src/shared/cors.ts';

const apiOrigin = new URL(import.meta.url).origin;
const api = createClient<paths>({ baseUrl: apiOrigin, fetch: corsAwareFetch });

const form = document.querySelector<HTMLFormElement>('#embed-login')!;
const status = document.querySelector<HTMLElement>('#embed-status')!;
let access: string | null = null;

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const data = new FormData(form);
  const { data: pair, error } = await api
    .POST('/api/auth/token/', { body: { username: String(data.get('username') ?? ''), password: String(data.get('password') ?? '') } })
    .catch((failure: unknown) => ({ data: undefined, error: { detail: failure instanceof Error ? failure.message : String(failure) } }));
  if (!pair) {
    // The API's words ("Invalid username or password.", or that this origin is not allowed).
    status.textContent = `Sign-in failed: ${(error as { detail?: string } | undefined)?.detail ?? 'the server did not answer.'}`;
    return;
  }
  access = pair.access;
  status.textContent = 'Signed in: the widgets below are live.';
  form.hidden = true;
  for (const widget of document.querySelectorAll<HTMLElement & { tokenProvider: (() => string | null) | null }>('notification-bell, mentor-dashboard')) {
    widget.tokenProvider = () => access;
  }
});

// A "Copy" button on every snippet.
for (const snippet of document.querySelectorAll<HTMLElement>('.snippet')) {
  const code = snippet.querySelector('code')!;
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'copy';
  button.textContent = 'Copy';
  button.addEventListener('click', async () => {
    await navigator.clipboard.writeText(code.textContent ?? '');
    button.textContent = 'Copied';
  });
  snippet.append(button);
}

// Links inside the dashboard switch its tab here; other links open the app on the API's origin.
document.addEventListener('md-navigate', (event) => {
  const url = new URL(event.detail.href, apiOrigin);
  const dashboard = document.querySelector('mentor-dashboard');
  event.preventDefault();
  if (dashboard && url.pathname === '/dashboard') dashboard.tab = url.hash.slice(1) || 'sessions';
  else window.open(url.href, '_blank', 'noopener');
});
