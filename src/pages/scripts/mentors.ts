/**
 * /mentors and /mentors/{id}: <mentor-booking> showing the directory, or the mentor named in the
 * URL (their card, bookable sessions and "Request a session"). Signed-out visitors go to /login
 * and come back.
 */
import { accessToken, guardSignedInPage, loadAuth } from './lib/auth.ts';

function toLogin(): void {
  location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
}

if (!loadAuth()) toLogin();

await Promise.all([customElements.whenDefined('notification-bell'), customElements.whenDefined('mentor-booking')]);
const bell = document.querySelector('notification-bell')!;
const booking = document.querySelector('mentor-booking')!;
const mentorId = Number(/^\/mentors\/(\d+)$/.exec(location.pathname)?.[1]) || null;
booking.mentorId = mentorId;
if (mentorId) document.title = `Mentor · Mentor Dashboard`;
bell.tokenProvider = accessToken;
booking.tokenProvider = accessToken;

guardSignedInPage(toLogin);
