/** /login: exchanges username and password for a token pair, then returns to `?next=` (default /dashboard). */
import { api, loadAuth, safeNext, saveAuth } from './lib/auth.ts';

const next = safeNext(new URLSearchParams(location.search).get('next'));
if (loadAuth()) location.replace(next);

const form = document.querySelector<HTMLFormElement>('#login-form')!;
const error = document.querySelector<HTMLElement>('#login-error')!;
const submit = form.querySelector<HTMLButtonElement>('button[type=submit]')!;

function showError(message: string): void {
  error.textContent = message;
  error.hidden = false;
  error.focus();
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.hidden = true;
  const data = new FormData(form);
  submit.disabled = true;
  try {
    const { data: pair, response } = await api.POST('/api/auth/token/', {
      body: { username: String(data.get('username') ?? '').trim(), password: String(data.get('password') ?? '') },
    });
    if (pair) {
      saveAuth(pair);
      location.assign(next);
      return;
    }
    if (response.status === 429) {
      showError(`Too many attempts. Try again in ${response.headers.get('Retry-After') ?? 'a few'} seconds.`);
    } else if (response.status === 400 || response.status === 401) {
      showError('That username and password do not match an active account.');
    } else {
      showError('Signing in failed. Please try again.');
    }
  } catch {
    showError('Could not reach the server. Check your connection and try again.');
  } finally {
    submit.disabled = false;
  }
});
