/**
 * examples/host-app in Chromium: the host's own sign-in provisions its user through its API key,
 * and the page it serves shows a mentor's dashboard fed by short-lived `dashboard` tokens, or a
 * learner's `<mentor-booking>` fed by `booking` tokens, from the host's endpoint. The browser never
 * sees the API key.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import readline from 'node:readline';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import type { Browser, BrowserContext } from 'playwright-core';
import { Booking, User } from '../../src/models/index.ts';
import { createApiKey } from '../../src/services/apiKeys.ts';
import { buildAdmin, buildSession } from '../helpers/factories.ts';
import { DESKTOP, launchBrowser, openPage } from '../helpers/browser.ts';
import { getTestServer, type TestServer } from '../helpers/server.ts';

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Starts the example as its README says, and resolves once it listens. */
async function startHostApp(env: Record<string, string>): Promise<{ child: ChildProcess; output: string[] }> {
  const child = spawn(process.execPath, ['examples/host-app/server.mjs'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  readline.createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
  await new Promise<void>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      if (line.startsWith('host app on')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the host app exited (${code}):\n${output.join('\n')}`)));
  });
  return { child, output };
}

describe('browser: the host-app example', function () {
  this.timeout(90_000);
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let host: { child: ChildProcess; output: string[] } | undefined;
  let hostUrl: string;
  let key: string;

  before(async function () {
    browser = await launchBrowser(this);
    const port = await freePort();
    hostUrl = `http://127.0.0.1:${port}`;
    server = await getTestServer({ CORS_ORIGINS: hostUrl });
    key = (await createApiKey(server.db, await buildAdmin(server.db), { name: 'Host app', scopes: ['platform:users', 'platform:tokens'] })).key;
    host = await startHostApp({ MENTOR_API: server.url, MENTOR_API_KEY: key, PORT: String(port) });
    context = await browser.newContext(DESKTOP);
  });
  after(async () => {
    host?.child.kill();
    await browser?.close();
    await server?.close();
  });

  it('signs grace in on the host, provisions ext-42 and shows her dashboard', async () => {
    const page = await openPage(context);
    const tokens: string[] = [];
    page.on('response', async (response) => {
      if (new URL(response.url()).pathname === '/widget-token') tokens.push((await response.json()).access);
    });
    const html: string[] = [];
    page.on('response', async (response) => {
      if ((response.headers()['content-type'] ?? '').startsWith('text/html')) html.push(await response.text());
    });

    // ext-42 already has a session (provisioned earlier by the host, with an older profile); the
    // host's sign-in provisions her again, updating her profile, before the page loads.
    const before = await server.api.put('/api/platform/users/ext-42/', { role: 'mentor', email: 'old@host.example', first_name: 'G.' }, { token: key });
    await buildSession(server.db, { mentor_id: before.body.id, title: 'Office hours with Grace' });

    await page.goto(hostUrl);
    await Promise.all([page.waitForURL(`${hostUrl}/`), page.getByRole('button', { name: 'Sign in' }).click()]);
    const grace = await User.query(server.db).where({ external_id: 'ext-42' }).first();
    expect(grace).to.include({ id: before.body.id, role: 'mentor', first_name: 'Grace', email: 'grace@host.example', password_hash: null });

    const dashboard = page.locator('mentor-dashboard');
    await dashboard.locator('[data-session-id]', { hasText: 'Office hours with Grace' }).waitFor();
    await page.locator('notification-bell [part="badge"]').waitFor({ state: 'attached' });

    expect(tokens.length).to.be.greaterThan(0);
    for (const token of tokens) {
      expect(jwt.decode(token)).to.include({ sub: String(grace!.id), scope: 'dashboard' });
    }
    expect(html.join('')).to.not.contain('mdk_');
    expect(page.problems()).to.deep.equal([]);
  });

  it('signs ada in as a learner: the directory, a mentor page in the host and a booking, with booking tokens only', async () => {
    const grace = await server.api.put('/api/platform/users/ext-42/', { role: 'mentor', email: 'grace@host.example', first_name: 'Grace', last_name: 'Hopper' }, { token: key });
    const session = await buildSession(server.db, { mentor_id: grace.body.id, title: 'Debugging clinic', capacity: 3 });
    const learnerContext = await browser.newContext(DESKTOP);
    try {
      const page = await openPage(learnerContext);
      const scopes: unknown[] = [];
      page.on('response', async (response) => {
        if (new URL(response.url()).pathname === '/widget-token') scopes.push((jwt.decode((await response.json()).access) as { scope: string }).scope);
      });
      await page.goto(hostUrl);
      await page.getByLabel('User').selectOption('ada');
      await Promise.all([page.waitForURL(`${hostUrl}/`), page.getByRole('button', { name: 'Sign in' }).click()]);
      const ada = await User.query(server.db).where({ external_id: 'ext-43' }).first();
      expect(ada).to.include({ role: 'learner', first_name: 'Ada' });

      const widget = page.locator('mentor-booking');
      await page.locator('notification-bell [part="badge"]').waitFor({ state: 'attached' });
      // The directory's link to Grace stays in the host (md-navigate → /?mentor=<id>).
      await Promise.all([page.waitForURL(`${hostUrl}/?mentor=${grace.body.id}`), widget.getByRole('link', { name: 'Grace Hopper' }).click()]);
      const row = widget.locator(`[data-session-id="${session.id}"]`);
      await row.getByRole('button', { name: 'Book' }).click();
      await row.locator('[data-booked]').waitFor();
      const booking = await Booking.query(server.db).where({ session_id: session.id, learner_id: ada!.id }).first();
      expect(booking).to.include({ status: 'booked' });

      expect(scopes.length).to.be.greaterThan(0);
      expect(new Set(scopes)).to.deep.equal(new Set(['booking']));
      expect(page.problems()).to.deep.equal([]);
    } finally {
      await learnerContext.close();
    }
  });
});
