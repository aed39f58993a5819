/**
 * The host pages' sign-in state in Chromium: /login, tokens kept in localStorage, the access
 * token refreshed before it expires (and the sockets renewing theirs in-band), sign-out, and a
 * deactivated account sent back to /login.
 */
import { expect } from 'chai';
import type { Browser, BrowserContext, Page, WebSocket } from 'playwright-core';
import { type User } from '../../src/models/index.ts';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { buildAdmin, buildMentor, PASSWORD, tokenFor } from '../helpers/factories.ts';
import { axeViolations, DESKTOP, formatViolations, launchBrowser, openPage, signIn } from '../helpers/browser.ts';

interface StoredAuth {
  access: string;
  refresh: string;
  accessExpiresAt: number;
}

const storedAuth = (page: Page) =>
  page.evaluate(() => JSON.parse(localStorage.getItem('mentor-dashboard.auth') ?? 'null') as StoredAuth | null);

/** Frames of one socket, and whether every ping it sent has been answered. */
class SocketLog {
  readonly sent: string[] = [];
  readonly received: string[] = [];
  closed = false;

  constructor(ws: WebSocket) {
    ws.on('framesent', (f) => this.sent.push(String(f.payload)));
    ws.on('framereceived', (f) => this.received.push(String(f.payload)));
    ws.on('close', () => (this.closed = true));
  }

  count(list: string[], type: string): number {
    return list.filter((frame) => frame.includes(`"type":"${type}"`)).length;
  }

  get settled(): boolean {
    return this.count(this.sent, 'ping') === this.count(this.received, 'pong') && this.count(this.sent, 'auth') === this.count(this.received, 'authenticated');
  }
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('browser: signing in, token refresh and signing out', function () {
  this.timeout(60_000);

  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let mentor: User;

  before(async function () {
    browser = await launchBrowser(this);
    server = await getTestServer();
  });
  beforeEach(async () => {
    mentor = await buildMentor(server.db);
    context = await browser.newContext(DESKTOP);
  });
  afterEach(() => context.close());
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('refuses a wrong password on /login with an accessible message', async () => {
    const page = await openPage(context);
    await page.goto(`${server.url}/login?next=/dashboard%23earnings`);
    await page.getByLabel('Username').fill(mentor.username);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.filter({ hasText: 'do not match' }).waitFor();
    expect(new URL(page.url()).pathname).to.equal('/login');
    expect(await storedAuth(page)).to.equal(null);
    const violations = await axeViolations(page);
    expect(violations, formatViolations(violations)).to.deep.equal([]);

    // The right password returns to `next`, and the tokens are kept.
    await page.getByLabel('Password').fill(PASSWORD);
    await Promise.all([page.waitForURL(`${server.url}/dashboard#earnings`), page.getByRole('button', { name: 'Sign in' }).click()]);
    await page.locator('mentor-dashboard [role="tab"][data-tab="earnings"][aria-selected="true"]').waitFor();
    const auth = await storedAuth(page);
    expect(auth?.access).to.be.a('string');
    expect(auth?.refresh).to.be.a('string');
    expect(page.problems()).to.deep.equal([]);
  });

  it('refreshes the access token before it expires and renews it on the open sockets', async () => {
    const page = await openPage(context);
    await page.clock.install();
    const sockets: SocketLog[] = [];
    page.on('websocket', (ws) => sockets.push(new SocketLog(ws)));
    await signIn(page, server.url, mentor.username, PASSWORD);
    await until(() => sockets.length === 2 && sockets.every((s) => s.count(s.received, 'welcome') === 1), 'both widgets to connect');
    const first = (await storedAuth(page))!;

    // 14½ minutes of page time, in steps shorter than the heartbeat, each answered by the server.
    for (let elapsed = 0; elapsed < 14.5 * 60_000; elapsed += 20_000) {
      await page.clock.runFor(20_000);
      await until(() => sockets.every((s) => s.settled), 'pings and renewals to be answered');
    }

    // The refresh and the sockets' renewals are real requests started by page timers near the end:
    // wait for them to land rather than read the state while they are in flight.
    let renewed = first;
    await until(async () => {
      renewed = (await storedAuth(page))!;
      return renewed.access !== first.access && sockets.every((s) => s.count(s.sent, 'auth') > 0 && s.settled);
    }, 'the refreshed token to be stored and renewed on both sockets');
    expect(renewed.access).not.to.equal(first.access);
    expect(renewed.refresh).not.to.equal(first.refresh);
    for (const socket of sockets) {
      expect(socket.closed, 'the socket stayed open').to.equal(false);
      const auth = socket.sent.filter((f) => f.includes('"type":"auth"')).map((f) => JSON.parse(f) as { token: string });
      expect(auth.map((a) => a.token)).to.deep.equal([renewed.access]);
      expect(socket.count(socket.received, 'authenticated')).to.equal(1);
    }
    // The spent refresh token is dead: rotation happened on the server (once the grace for
    // parallel refreshes, test/api/refresh-grace.test.ts, has passed).
    await server.db('refresh_tokens').whereNotNull('used_at').update({ used_at: new Date(Date.now() - 3600_000) });
    const replay = await server.api.post('/api/auth/token/refresh/', { refresh: first.refresh });
    expect(replay.status).to.equal(401);
    expect(page.problems()).to.deep.equal([]);
  });

  it('signs out: the tokens are gone and the refresh token is revoked', async () => {
    const page = await openPage(context);
    await signIn(page, server.url, mentor.username, PASSWORD);
    const { refresh } = (await storedAuth(page))!;
    await Promise.all([page.waitForURL(`${server.url}/login`), page.getByRole('button', { name: 'Sign out' }).click()]);
    expect(await storedAuth(page)).to.equal(null);
    const res = await server.api.post('/api/auth/token/refresh/', { refresh });
    expect(res.status).to.equal(401);
  });

  it('signs out to /login, not back through it, when a widget is refused while the logout is in flight', async () => {
    const page = await openPage(context);
    await signIn(page, server.url, mentor.username, PASSWORD);
    const navigations: string[] = [];
    page.on('request', (request) => request.isNavigationRequest() && navigations.push(new URL(request.url()).pathname + new URL(request.url()).search));
    // Once the tokens are cleared any widget request goes out without one and is refused
    // (md-unauthorized), and another tab may drop the stored login: here a widget reports the
    // refusal before the logout's answer arrives, as happened on a loaded machine.
    await page.route('**/api/auth/logout/', async (route) => {
      const response = await route.fetch();
      await page.evaluate(() =>
        document.querySelector('mentor-dashboard')!.dispatchEvent(
          new CustomEvent('md-unauthorized', { bubbles: true, composed: true, detail: { message: 'The API refused the token.' } }),
        ),
      );
      await route.fulfill({ response });
    });
    await Promise.all([page.waitForURL(`${server.url}/login`), page.getByRole('button', { name: 'Sign out' }).click()]);
    expect(navigations).to.deep.equal(['/login']);
    expect(await storedAuth(page)).to.equal(null);
  });

  it('sends a deactivated account back to /login', async () => {
    const page = await openPage(context);
    const sockets: SocketLog[] = [];
    page.on('websocket', (ws) => sockets.push(new SocketLog(ws)));
    await signIn(page, server.url, mentor.username, PASSWORD);
    await page.locator('mentor-dashboard [data-metric="students"] .metric-value', { hasText: '0' }).waitFor();
    // The news comes by the open sockets (closed with 4003): wait until both widgets have theirs.
    await until(() => sockets.length === 2 && sockets.every((s) => s.count(s.received, 'welcome') === 1), 'both widgets to connect');
    const admin = await buildAdmin(server.db);
    const res = await server.api.patch(`/api/admin/users/${mentor.id}/`, { is_active: false }, { token: tokenFor(server, admin) });
    expect(res.status).to.equal(200);
    // The server closes the account's sockets; the widgets report md-unauthorized, the page signs out.
    await page.waitForURL(/\/login\?next=/);
    expect(await storedAuth(page)).to.equal(null);
  });
});
