// A host platform embedding the Mentor Dashboard widgets for its own users (see README.md).
// Plain Node, no dependencies: `MENTOR_API=… MENTOR_API_KEY=mdk_… node server.mjs`.
import http from 'node:http';
import crypto from 'node:crypto';

const API = (process.env.MENTOR_API ?? 'http://127.0.0.1:8000').replace(/\/$/, '');
const KEY = process.env.MENTOR_API_KEY; // server-side only: never sent to a browser
const PORT = Number(process.env.PORT ?? 3000);
if (!KEY?.startsWith('mdk_')) throw new Error('Set MENTOR_API_KEY to an API key (mentorctl api-keys create …)');

// The host's own users and toy sign-in: a real platform has its own database and login.
const USERS = {
  grace: { externalId: 'ext-42', role: 'mentor', email: 'grace@host.example', first_name: 'Grace', last_name: 'Hopper' },
  ada: { externalId: 'ext-43', role: 'learner', email: 'ada@host.example', first_name: 'Ada', last_name: 'Lovelace' },
};
const sessions = new Map(); // cookie value → username

/** Calls the Mentor Dashboard API with the host's API key. */
async function mentorApi(method, path, body) {
  const res = await fetch(API + path, {
    method,
    headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
    body: body && JSON.stringify(body),
  });
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${data?.code ?? ''} ${data?.detail ?? ''}`);
  return data;
}

const signedIn = (req) => sessions.get(/(?:^|;\s*)sid=([\w-]+)/.exec(req.headers.cookie ?? '')?.[1]);
const send = (res, status, type, body, headers = {}) => res.writeHead(status, { 'Content-Type': type, ...headers }).end(body);

const loginPage = () => `<!doctype html><meta charset="utf-8"><title>Host sign-in</title>
<h1>Sign in to the host</h1><form method="post" action="/login">
<label>User <select name="user">${Object.keys(USERS).map((u) => `<option>${u}</option>`).join('')}</select></label>
<button>Sign in</button></form>`;

// The scope of the signed-in user's widgets outside a class: a mentor's dashboard, a learner's booking.
const scopeOf = (name) => (USERS[name].role === 'learner' ? 'booking' : 'dashboard');

// `room`: a class (`<session-room>`); else a mentor gets `<mentor-dashboard>`, a learner
// `<mentor-booking>` (the directory, or one mentor's page for `mentor`, and their bookings).
function mainWidget(name, room, mentor) {
  if (room) return ['session-room', `<session-room api-base="${API}" session-id="${room}"></session-room>`];
  if (scopeOf(name) === 'dashboard') return ['mentor-dashboard', `<mentor-dashboard api-base="${API}"></mentor-dashboard>`];
  return ['mentor-booking', `<mentor-booking api-base="${API}"${mentor ? ` mentor-id="${mentor}"` : ''}></mentor-booking>`];
}

const appPage = (name, room, mentor) => {
  const [tag, element] = mainWidget(name, room, mentor);
  return `<!doctype html><meta charset="utf-8"><title>Host app</title>
<script type="module" src="${API}/widgets/notification-bell.js"></script>
<script type="module" src="${API}/widgets/${tag}.js"></script>
<header><b>Host app</b> — signed in as ${name} <notification-bell api-base="${API}"></notification-bell></header>
${element}
<script type="module">
  // Asks the host's own endpoint for a short-lived user token, reused until a minute before expiry.
  function tokenProvider(scope, session) {
    let cached = null;
    return async () => {
      if (cached && cached.until > Date.now()) return cached.access;
      const res = await fetch('/widget-token?' + new URLSearchParams(session ? { scope, session } : { scope }));
      if (!res.ok) return null;
      const { access, expires_in } = await res.json();
      cached = { access, until: Date.now() + (expires_in - 60) * 1000 };
      return access;
    };
  }
  const room = ${JSON.stringify(room)};
  const scope = ${JSON.stringify(scopeOf(name))};
  document.querySelector('notification-bell').tokenProvider = tokenProvider(scope);
  document.querySelector('${tag}').tokenProvider = room ? tokenProvider('room', room) : tokenProvider(scope);
  // Links from the widgets stay in the host: a class opens here with a room token, a mentor's
  // page (from the learners' directory) with the same booking token.
  document.addEventListener('md-navigate', (event) => {
    const path = new URL(event.detail.href, location.href).pathname;
    const toRoom = /^\\/room\\/(\\d+)/.exec(path);
    const toMentor = /^\\/mentors\\/(\\d+)/.exec(path);
    event.preventDefault();
    location.href = toRoom ? '/?room=' + toRoom[1] : toMentor ? '/?mentor=' + toMentor[1] : '/';
  });
</script>`;
};

http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, 'http://host');
    const name = signedIn(req);
    if (req.method === 'POST' && url.pathname === '/login') {
      let form = '';
      for await (const chunk of req) form += chunk;
      const user = new URLSearchParams(form).get('user');
      if (!USERS[user]) return send(res, 400, 'text/plain', 'Unknown user');
      // Provision (create or update) the signed-in user on the Mentor Dashboard by the host's id.
      const { externalId, ...profile } = USERS[user];
      await mentorApi('PUT', `/api/platform/users/${encodeURIComponent(externalId)}/`, profile);
      const sid = crypto.randomUUID();
      sessions.set(sid, user);
      return send(res, 303, 'text/plain', '', { Location: '/', 'Set-Cookie': `sid=${sid}; HttpOnly; SameSite=Lax; Path=/` });
    }
    if (!name) return url.pathname === '/' ? send(res, 200, 'text/html', loginPage()) : send(res, 401, 'text/plain', 'Sign in first');
    if (url.pathname === '/widget-token') {
      // Mint a user token for the signed-in user only: the browser never sees the API key.
      // The host decides the scope: a room token for a class, else what the user's page needs.
      const scope = url.searchParams.get('scope') === 'room' ? 'room' : scopeOf(name);
      const session = scope === 'room' ? Number(url.searchParams.get('session')) : undefined;
      const token = await mentorApi('POST', `/api/platform/users/${encodeURIComponent(USERS[name].externalId)}/tokens/`, { scope, session, ttl: 600 });
      return send(res, 200, 'application/json', JSON.stringify(token), { 'Cache-Control': 'no-store' });
    }
    const id = (param) => url.searchParams.get(param)?.replace(/\D/g, '') || null;
    if (url.pathname === '/') return send(res, 200, 'text/html', appPage(name, id('room'), id('mentor')));
    send(res, 404, 'text/plain', 'Not found');
  } catch (err) {
    console.error(err.message);
    send(res, 502, 'text/plain', 'The mentoring service is unavailable.');
  }
}).listen(PORT, '127.0.0.1', () => console.log(`host app on http://127.0.0.1:${PORT}`));
