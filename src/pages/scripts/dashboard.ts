/**
 * /dashboard: hands the widgets a token provider, keeps the access token fresh, and chooses the
 * widget by the signed-in user's role: mentors get <mentor-dashboard>, learners
 * <mentor-booking view="mine"> (their bookings and requests).
 *
 * For mentors the bell is wired to the dashboard: a notification linking to `/dashboard#requests`
 * switches the tab in place instead of reloading the page. The location hash mirrors the
 * dashboard's tab, so links and the back button work.
 */
import { accessToken, api, guardSignedInPage, loadAuth } from './lib/auth.ts';

function toLogin(): void {
  location.assign(`/login?next=${encodeURIComponent(location.pathname + location.hash)}`);
}

if (!loadAuth()) toLogin();

/** The signed-in user's role, or null when the token is refused (md-unauthorized follows from the widgets). */
async function role(): Promise<string | null> {
  const token = await accessToken();
  if (!token) return null;
  const { data } = await api.GET('/api/profile/', { headers: { Authorization: `Bearer ${token}` } });
  return data?.role ?? null;
}

await Promise.all([customElements.whenDefined('notification-bell'), customElements.whenDefined('mentor-dashboard'), customElements.whenDefined('mentor-booking')]);
const bell = document.querySelector('notification-bell')!;
const dashboard = document.querySelector('mentor-dashboard')!;
bell.tokenProvider = accessToken;

if ((await role()) === 'learner') {
  const mine = document.createElement('mentor-booking');
  mine.view = 'mine';
  mine.headingLevel = 1;
  dashboard.replaceWith(mine);
  document.title = 'My bookings · Mentor Dashboard';
  mine.tokenProvider = accessToken;
  // Links to this page (`/dashboard#requests`) show what is already here.
  bell.addEventListener('md-navigate', (event) => {
    const url = new URL(event.detail.href, location.href);
    if (url.origin === location.origin && url.pathname === location.pathname) event.preventDefault();
  });
} else {
  const showHash = () => {
    const place = decodeURIComponent(location.hash.slice(1));
    if (place && dashboard.tab !== place) dashboard.tab = place;
  };
  showHash();
  dashboard.tokenProvider = accessToken;

  window.addEventListener('hashchange', showHash);
  dashboard.addEventListener('md-tab-change', (event) => {
    if (location.hash.slice(1) === event.detail.tab) return;
    if (event.detail.replace) history.replaceState(null, '', `#${event.detail.tab}`);
    else history.pushState(null, '', `#${event.detail.tab}`);
  });
  bell.addEventListener('md-navigate', (event) => {
    const url = new URL(event.detail.href, location.href);
    if (url.origin === location.origin && url.pathname === location.pathname) {
      event.preventDefault();
      if (url.hash !== location.hash) history.pushState(null, '', url.hash);
      showHash();
    }
  });
}
guardSignedInPage(toLogin);
