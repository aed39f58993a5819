/**
 * /room/{id}: the live class. Hands <session-room> the session id from the URL and a token
 * provider that keeps the access token fresh; signed-out visitors go to /login and come back.
 */
import { accessToken, clearAuth, keepFresh, loadAuth, onAuthChange, signOut } from './lib/auth.ts';

function toLogin(): void {
  location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
}

if (!loadAuth()) toLogin();

await customElements.whenDefined('session-room');
const room = document.querySelector('session-room')!;
room.sessionId = Number(/^\/room\/(\d+)$/.exec(location.pathname)?.[1]) || null;
room.tokenProvider = accessToken;

// The API refused the token (revoked, account deactivated): start over at the sign-in page.
document.addEventListener('md-unauthorized', () => {
  clearAuth();
  toLogin();
});
onAuthChange((auth) => auth || toLogin());
keepFresh(toLogin);

document.querySelector('#sign-out')?.addEventListener('click', async () => {
  await signOut();
  location.assign('/login');
});
