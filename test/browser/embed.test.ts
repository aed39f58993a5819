/**
 * /embed-example as a third party uses it: snippets that paste cleanly one by one, copy buttons,
 * the sign-in form gone once signed in, and, on an origin the API does not allow, widgets that
 * say so instead of "Could not reach the server".
 */
import http from 'node:http';
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { renderPage } from '../../src/pages/router.ts';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { buildMentor, PASSWORD, tokenFor } from '../helpers/factories.ts';
import { DESKTOP, launchBrowser, openPage } from '../helpers/browser.ts';

const REFUSED = "This page's origin is not allowed by the server (CORS_ORIGINS).";

/** Another origin serving the embedding example for the API at `apiOrigin()` (and an empty `/blank`). */
async function hostSite(apiOrigin: () => string): Promise<{ origin: string; close(): Promise<void> }> {
  const site = http.createServer(async (req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(req.url === '/blank' ? '<!doctype html><title>A host page</title>' : await renderPage('embed-example.html', apiOrigin()));
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  const { port } = site.address() as { port: number };
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => site.close(() => resolve())) };
}

describe('browser: embedding from another origin', function () {
  this.timeout(90_000);

  let browser: Browser;
  let allowed: TestServer;
  let refused: TestServer;
  let allowedSite: Awaited<ReturnType<typeof hostSite>>;
  let refusedSite: Awaited<ReturnType<typeof hostSite>>;

  before(async function () {
    browser = await launchBrowser(this);
    allowedSite = await hostSite(() => allowed.url);
    refusedSite = await hostSite(() => refused.url);
    allowed = await getTestServer({ CORS_ORIGINS: allowedSite.origin });
    refused = await getTestServer();
  });

  after(async () => {
    await browser?.close();
    await Promise.all([allowed?.close(), refused?.close(), allowedSite?.close(), refusedSite?.close()]);
  });

  it('has snippets that each paste alone without an error, with a working Copy button', async () => {
    const context = await browser.newContext(DESKTOP);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: allowedSite.origin });
    const page = await openPage(context);
    await page.goto(allowedSite.origin);
    const snippets = page.locator('.snippet');
    const count = await snippets.count();
    expect(count).to.equal(6);
    const texts: string[] = [];
    for (let i = 0; i < count; i++) {
      const snippet = snippets.nth(i);
      texts.push((await snippet.locator('code').textContent())!);
      await snippet.getByRole('button', { name: 'Copy' }).click();
      await snippet.getByRole('button', { name: 'Copied' }).waitFor();
      expect(await page.evaluate(() => navigator.clipboard.readText())).to.equal(texts[i]);
    }
    expect(page.problems()).to.deep.equal([]);

    // Each one alone on an empty page of the host's origin: no ReferenceError, no syntax error.
    for (const [i, text] of texts.entries()) {
      expect(text.trimStart(), `snippet ${i + 1} is HTML`).to.match(/^</);
      const blank = await openPage(context);
      await blank.goto(`${allowedSite.origin}/blank`);
      await blank.setContent(`<!doctype html><html><head></head><body>${text}</body></html>`);
      await blank.waitForLoadState('networkidle');
      expect(blank.problems().filter((p) => p.startsWith('page error')), `snippet ${i + 1} pasted alone`).to.deep.equal([]);
      await blank.close();
    }
    await context.close();
  });

  it('hides the sign-in form once signed in', async () => {
    const mentor = await buildMentor(allowed.db);
    const context = await browser.newContext(DESKTOP);
    const page = await openPage(context);
    await page.goto(allowedSite.origin);
    await page.getByLabel('Username').fill(mentor.username);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByText('Signed in: the widgets below are live.').waitFor();
    await page.locator('#embed-login').waitFor({ state: 'hidden' });
    expect(page.problems()).to.deep.equal([]);
    await context.close();
  });

  it('says that the page\'s origin is not allowed when CORS_ORIGINS leaves it out', async () => {
    const mentor = await buildMentor(refused.db);
    const context = await browser.newContext(DESKTOP);
    const page = await openPage(context);
    await page.goto(refusedSite.origin);
    await page.getByLabel('Username').fill(mentor.username);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.locator('#embed-status', { hasText: REFUSED }).waitFor();

    // With a token from elsewhere, both widgets say the same.
    const token = tokenFor(refused, mentor);
    await page.evaluate(async (access) => {
      await Promise.all(['mentor-dashboard', 'notification-bell'].map((tag) => customElements.whenDefined(tag)));
      for (const el of document.querySelectorAll<HTMLElement & { token: string | null }>('mentor-dashboard, notification-bell')) el.token = access;
    }, token);
    await page.locator('mentor-dashboard [part="message"]', { hasText: REFUSED }).waitFor();
    await page.locator('notification-bell [part="button"]').click();
    await page.locator('notification-bell [part="panel"] [role="alert"]', { hasText: REFUSED }).waitFor();
    await context.close();
  });
});
