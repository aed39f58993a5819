/**
 * /room/{id}: the live class. Hands <session-room> the session id from the URL and a token
 * provider that keeps the access token fresh; signed-out visitors go to /login and come back.
 */
import { accessToken, guardSignedInPage, loadAuth } from './lib/auth.ts';

function toLogin(): void {
  location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
}

if (!loadAuth()) toLogin();

await customElements.whenDefined('session-room');
const room = document.querySelector('session-room')!;
room.sessionId = Number(/^\/room\/(\d+)$/.exec(location.pathname)?.[1]) || null;
room.tokenProvider = accessToken;

guardSignedInPage(toLogin);
