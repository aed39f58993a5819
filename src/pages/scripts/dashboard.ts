/**
 * /dashboard: hands the widgets a token provider, keeps the access token fresh, and wires the bell
 * to the dashboard: a notification linking to `/dashboard#requests` switches the tab in place
 * instead of reloading the page. The location hash mirrors the dashboard's tab, so links and the
 * back button work.
 */
import { accessToken, guardSignedInPage, loadAuth } from './lib/auth.ts';

function toLogin(): void {
  location.assign(`/login?next=${encodeURIComponent(location.pathname + location.hash)}`);
}

if (!loadAuth()) toLogin();

await Promise.all([customElements.whenDefined('notification-bell'), customElements.whenDefined('mentor-dashboard')]);
const bell = document.querySelector('notification-bell')!;
const dashboard = document.querySelector('mentor-dashboard')!;

const showHash = () => {
  const place = decodeURIComponent(location.hash.slice(1));
  if (place && dashboard.tab !== place) dashboard.tab = place;
};
showHash();
bell.tokenProvider = accessToken;
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
guardSignedInPage(toLogin);
