/**
 * Every page the server serves, in Chromium, with every request it makes listed: all of them go to
 * the server's own origin (no CDN, no font service), and none is refused by the CSP. /docs renders
 * the reference with its "Pages" section and links the WebSocket protocol.
 */
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { buildBooking, buildLearner, buildMentor, buildSession, PASSWORD } from '../helpers/factories.ts';
import { DESKTOP, launchBrowser, openPage, signIn } from '../helpers/browser.ts';

describe('browser: every served page stays on its own origin', function () {
  this.timeout(120_000);

  let server: TestServer;
  let browser: Browser;

  before(async function () {
    browser = await launchBrowser(this);
    server = await getTestServer();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Opens `path` and returns every URL the page requested until `ready` resolved. */
  async function requestsOf(page: Page, path: string, ready: () => Promise<unknown>): Promise<string[]> {
    const urls: string[] = [];
    page.on('request', (request) => urls.push(request.url()));
    await page.goto(`${server.url}${path}`);
    await ready();
    await page.waitForLoadState('networkidle');
    return urls;
  }

  const foreign = (urls: string[]) => urls.filter((url) => !url.startsWith(`${server.url}/`) && !/^(data|blob):/.test(url));

  it('/docs renders the reference, its Pages section and the AsyncAPI link without a request elsewhere', async () => {
    const context = await browser.newContext(DESKTOP);
    const page = await openPage(context);
    const urls = await requestsOf(page, '/docs', () => page.locator('h2', { hasText: /^Pages$/ }).waitFor());
    expect(foreign(urls), 'requests to other origins').to.deep.equal([]);
    expect(urls).to.include(`${server.url}/openapi.yaml`);
    expect(await page.locator('a[href="/asyncapi.yaml"]').count()).to.be.greaterThan(0);
    expect(await page.locator('code', { hasText: '/room/{id}' }).count()).to.be.greaterThan(0);
    expect(page.problems()).to.deep.equal([]);
    await context.close();
  });

  it('the host pages and the problem pages make same-origin requests only', async () => {
    const mentor = await buildMentor(server.db);
    const session = await buildSession(server.db, { mentor_id: mentor.id });
    await buildBooking(server.db, { session, learner_id: (await buildLearner(server.db)).id });
    const context = await browser.newContext(DESKTOP);
    const page = await openPage(context);
    const visits: Array<[string, () => Promise<unknown>]> = [
      ['/login', () => page.getByLabel('Username').waitFor()],
      ['/problems', () => page.getByRole('heading', { name: 'Problem types' }).waitFor()],
      ['/problems/already_booked', () => page.getByRole('heading', { name: 'Already booked' }).waitFor()],
      ['/embed-example', () => page.locator('h1').first().waitFor()],
    ];
    for (const [path, ready] of visits) {
      const urls = await requestsOf(page, path, ready);
      expect(foreign(urls), `requests of ${path} to other origins`).to.deep.equal([]);
      page.removeAllListeners('request');
    }
    await signIn(page, server.url, mentor.username, PASSWORD);
    for (const [path, ready] of [
      ['/dashboard', () => page.locator('mentor-dashboard [data-session-id]').first().waitFor()],
      ['/mentors', () => page.locator('mentor-booking [data-mentor-id]').first().waitFor()],
      [`/mentors/${mentor.id}`, () => page.locator(`mentor-booking [data-session-id="${session.id}"]`).waitFor()],
      [`/room/${session.id}`, () => page.locator('session-room').getByRole('heading', { name: 'Who is ready' }).waitFor()],
    ] as Array<[string, () => Promise<unknown>]>) {
      const urls = await requestsOf(page, path, ready);
      if (path.startsWith('/room/')) expect(await page.getByRole('link', { name: '← Back to the dashboard' }).getAttribute('href')).to.equal('/dashboard#sessions');
      expect(foreign(urls).filter((url) => !url.startsWith(server.url.replace('http', 'ws'))), `requests of ${path} to other origins`).to.deep.equal([]);
      page.removeAllListeners('request');
    }
    // Leaving a page aborts its requests in flight; the room finds no camera in a headless browser.
    const problems = page.problems().filter((p) => !/net::ERR_ABORTED|camera|microphone|NotFoundError|Requested device/i.test(p));
    expect(problems).to.deep.equal([]);
    await context.close();
  });
});
