/**
 * <mentor-dashboard> and <notification-bell> on the host pages, in Chromium: the metric cards,
 * the session form, live participant counts and unread badge, notification → tab navigation,
 * accepting a request, reconnect and catch-up, user text rendered as text, narrow and wide
 * layouts, accessibility (axe-core), learners' /dashboard, and embedding from another origin.
 */
import http from 'node:http';
import { expect } from 'chai';
import sharp from 'sharp';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { renderPage } from '../../src/pages/router.ts';
import { attachRealtime } from '../../src/realtime/hub.ts';
import { addMinutes } from '../../src/lib/time.ts';
import { Feedback, type User } from '../../src/models/index.ts';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { buildBooking, buildLearner, buildMentor, buildNotification, buildPresence, buildSession, PASSWORD, tokenFor } from '../helpers/factories.ts';
import { axeViolations, DESKTOP, formatViolations, launchBrowser, MOBILE, openPage, screenshot, signIn } from '../helpers/browser.ts';

const XSS = '<img src=x onerror=alert(1)>';

/** Waits until the locator's text is exactly `text` (whitespace-trimmed). */
async function waitForText(locator: Locator, text: string): Promise<void> {
  const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  await locator.filter({ hasText: new RegExp(`^\\s*${escaped}\\s*$`) }).first().waitFor();
}

/** Waits until the dashboard's tab panel shows no "Loading …" line (its only status lines). */
/**
 * Drops, from what the page logged since `seen`, the refused reconnections of a test that takes /ws
 * down on purpose (Chromium logs each as a console error). Anything else logged stays a problem.
 */
function forgiveRefusedReconnects(page: { problems(): string[] }, seen: number): void {
  const problems = page.problems();
  for (let i = problems.length - 1; i >= seen; i--) {
    if (/^console error: WebSocket connection to '[^']*\/ws' failed/.test(problems[i]!)) problems.splice(i, 1);
  }
}

async function panelLoaded(page: Page): Promise<void> {
  await page.waitForFunction(() => !document.querySelector('mentor-dashboard')?.shadowRoot?.querySelector('[role="tabpanel"] [role="status"]'));
}

async function expectNoAxeViolations(page: Page, where: string): Promise<void> {
  const violations = await axeViolations(page);
  expect(violations, `axe violations on ${where}:\n${formatViolations(violations)}`).to.deep.equal([]);
}

/** A second origin for the embedding example, serving it as a third party would. */
async function thirdPartySite(apiOrigin: () => string): Promise<{ origin: string; close(): Promise<void> }> {
  const site = http.createServer(async (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(await renderPage('embed-example.html', apiOrigin()));
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  const { port } = site.address() as { port: number };
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => site.close(() => resolve())),
  };
}

describe('browser: dashboard and notification bell', function () {
  this.timeout(60_000);

  let server: TestServer;
  let site: Awaited<ReturnType<typeof thirdPartySite>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page & { problems(): string[] };
  let mentor: User;
  let learner: User;
  let createdSessionId: number;
  let firstSessionId: number;

  const dashboard = () => page.locator('mentor-dashboard');
  const badge = () => page.locator('notification-bell [part="badge"]');
  /** The bell's badge reads "<n> unread" to screen readers and shows <n>. */
  const badgeShows = (count: number) => waitForText(badge(), `${count} unread`);
  const unreadCount = async () => (await server.api.get('/api/notifications/?page_size=1', { token: tokenFor(server, mentor) })).body.unread_count as number;

  before(async function () {
    browser = await launchBrowser(this);
    site = await thirdPartySite(() => server.url);
    server = await getTestServer({ CORS_ORIGINS: site.origin });

    // Two completed sessions in the last months: 3 students, ratings 5 and 4, $100 + $30 earned.
    mentor = await buildMentor(server.db, { first_name: 'Grace', last_name: 'Hopper' });
    learner = await buildLearner(server.db, { first_name: 'Lin', last_name: 'Learner' });
    const [a, b, c] = [learner, await buildLearner(server.db), await buildLearner(server.db)];
    const past = (days: number) => addMinutes(new Date(), -days * 24 * 60);
    const first = await buildSession(server.db, { mentor_id: mentor.id, status: 'completed', start_time: past(20), price_cents: 5000, capacity: 5 });
    const second = await buildSession(server.db, { mentor_id: mentor.id, status: 'completed', start_time: past(10), price_cents: 3000, capacity: 5 });
    await buildBooking(server.db, { session: first, learner_id: a!.id, status: 'attended' });
    await buildBooking(server.db, { session: first, learner_id: b!.id, status: 'attended' });
    await buildBooking(server.db, { session: second, learner_id: c!.id, status: 'attended' });
    // c was booked on the first class too but never came (a no-show of a class never started: no fee).
    await buildBooking(server.db, { session: first, learner_id: c!.id, status: 'no_show' });
    await buildPresence(server.db, { session: first, user_id: a!.id, joined_at: first.start_time, left_at: addMinutes(first.start_time, 45) });
    await buildPresence(server.db, { session: first, user_id: b!.id, joined_at: addMinutes(first.start_time, 5), left_at: addMinutes(first.start_time, 60) });
    firstSessionId = first.id;
    await Feedback.query(server.db).insert({ session_id: first.id, learner_id: a!.id, rating: 5, comment: 'Great' });
    await Feedback.query(server.db).insert({ session_id: second.id, learner_id: c!.id, rating: 4, comment: null });

    context = await browser.newContext(DESKTOP);
    page = await openPage(context);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await site?.close();
  });

  it('signs a mentor in and shows the four metric cards with the right numbers', async () => {
    await page.goto(`${server.url}/login`);
    await expectNoAxeViolations(page, '/login');
    await signIn(page, server.url, mentor.username, PASSWORD);

    const metric = (key: string) => dashboard().locator(`[data-metric="${key}"] .metric-value`);
    await waitForText(metric('students'), '3');
    await waitForText(metric('sessions'), '2');
    await waitForText(metric('rating'), '4.5');
    await waitForText(metric('earnings'), '$130.00');

    // The same numbers the API reports.
    const analytics = (await server.api.get('/api/analytics/', { token: tokenFor(server, mentor) })).body;
    const earnings = (await server.api.get('/api/earnings/', { token: tokenFor(server, mentor) })).body;
    expect([analytics.students, analytics.total_sessions, analytics.average_rating, earnings.total_earned]).to.deep.equal([3, 2, 4.5, '130.00']);
  });

  it('shows who came to a class: per learner, attended or no-show and the time in the room', async () => {
    // The list opens on upcoming sessions; this one is completed.
    await dashboard().getByLabel('Show').selectOption('completed');
    const row = dashboard().locator(`[data-session-id="${firstSessionId}"]`);
    const toggle = row.locator('[data-action="attendance"]');
    await toggle.click();
    const lines = row.locator('[part="attendance"] li');
    await lines.nth(2).waitFor();
    const texts = (await lines.allTextContents()).map((t) => t.replace(/· joined .*/, '· joined …'));
    expect(texts).to.deep.equal([
      'Lin LearnerAttended45 min in the room · joined …',
      `${(await lines.nth(1).locator('span').first().textContent())}Attended55 min in the room · joined …`,
      `${(await lines.nth(2).locator('span').first().textContent())}No shownever joined the room`,
    ]);
    expect(await toggle.getAttribute('aria-expanded')).to.equal('true');
    await expectNoAxeViolations(page, '/dashboard#sessions (attendance)');
    await toggle.click();
    await row.locator('[part="attendance"]').waitFor({ state: 'detached' });
    expect(await toggle.getAttribute('aria-expanded')).to.equal('false');
  });

  it('creates a session through the form, with the API field errors beside the fields', async () => {
    await dashboard().getByRole('button', { name: 'Create Session' }).click();
    const form = dashboard().getByRole('form', { name: 'New session' });
    const tomorrow = addMinutes(new Date(), 24 * 60);
    const local = tomorrow.toISOString().slice(0, 16); // the context runs in UTC
    await form.getByLabel('Title').fill('   ');
    await form.getByLabel('Starts at').fill(local);
    await form.getByLabel('Price').fill('25');
    await form.getByLabel('Capacity').fill('3');
    await form.getByRole('button', { name: 'Create session' }).click();

    // Whitespace passes the browser's `required` but not the API: its error shows beside Title.
    const titleError = form.locator('[data-field="title"] .field-error');
    await titleError.waitFor();
    expect(await titleError.textContent()).to.match(/\S/);
    expect(await form.getByLabel('Title').getAttribute('aria-invalid')).to.equal('true');

    await form.getByLabel('Title').fill('Career chat');
    await form.getByRole('button', { name: 'Create session' }).click();
    const row = dashboard().locator('[data-session-id]', { hasText: 'Career chat' });
    await row.waitFor();
    createdSessionId = Number(await row.getAttribute('data-session-id'));
    await waitForText(row.locator('[data-participants]'), '0');
    expect(await row.textContent()).to.include('of 3 booked').and.include('$25.00');
    await form.waitFor({ state: 'detached' });
  });

  it('updates the participant count and the bell badge without a reload when a learner books', async () => {
    const before = await unreadCount();
    const res = await server.api.post(`/api/sessions/${createdSessionId}/book/`, undefined, { token: tokenFor(server, learner) });
    expect(res.status).to.equal(201);
    const row = dashboard().locator(`[data-session-id="${createdSessionId}"]`);
    await waitForText(row.locator('[data-participants]'), '1');
    await badgeShows(before + 1);
    expect(await badge().isVisible()).to.equal(true);
  });

  it('marks the mentor ready and shows "Start Class" live once a learner is ready', async () => {
    const soon = await buildSession(server.db, { mentor_id: mentor.id, title: 'Starting soon', start_time: addMinutes(new Date(), 10) });
    const booking = await buildBooking(server.db, { session: soon, learner_id: learner.id });
    await dashboard().locator('[role="tab"][data-tab="sessions"]').click();
    const row = dashboard().locator(`[data-session-id="${soon.id}"]`);
    await row.getByRole('button', { name: "I'm Ready" }).click();
    await row.getByText('You are ready').waitFor();
    expect(await row.getByRole('button', { name: 'Start Class' }).count()).to.equal(0);

    const ready = await server.api.post(`/api/bookings/${booking.id}/ready/`, undefined, { token: tokenFor(server, learner) });
    expect(ready.status).to.equal(200);
    const start = row.getByRole('button', { name: 'Start Class' });
    await start.waitFor();
    expect(await row.textContent()).to.include('1 learner ready');

    // The host decides where the room is; here it records the request instead of navigating.
    await page.evaluate(() =>
      document.addEventListener('md-navigate', (event) => {
        event.preventDefault();
        document.body.dataset.navigatedTo = event.detail.href;
      }, { once: true }),
    );
    await start.click();
    await page.locator(`body[data-navigated-to="/room/${soon.id}"]`).waitFor({ state: 'attached' });
    const started = await server.api.get(`/api/sessions/${soon.id}/`, { token: tokenFor(server, mentor) });
    expect(started.body.status).to.equal('in_progress');
    await row.getByRole('button', { name: 'Join class' }).waitFor();
  });

  it('keeps a started class started when a list fetched before the start is answered after it', async () => {
    const soon = await buildSession(server.db, { mentor_id: mentor.id, title: 'Reconciled late', start_time: addMinutes(new Date(), 10) });
    const booking = await buildBooking(server.db, { session: soon, learner_id: learner.id });
    expect((await server.api.post(`/api/sessions/${soon.id}/ready/`, undefined, { token: tokenFor(server, mentor) })).status).to.equal(200);
    expect((await server.api.post(`/api/bookings/${booking.id}/ready/`, undefined, { token: tokenFor(server, learner) })).status).to.equal(200);
    await dashboard().locator('[role="tab"][data-tab="notifications"]').click();
    await dashboard().locator('[role="tab"][data-tab="sessions"]').click();
    const row = dashboard().locator(`[data-session-id="${soon.id}"]`);
    const start = row.getByRole('button', { name: 'Start Class' });
    await start.waitFor();

    // After a reconnect the tab re-reads its list (the subscriptions were re-confirmed). That read
    // reaches the server before the start and its answer is held until the start is answered.
    let release!: () => void;
    const startAnswered = new Promise<void>((resolve) => (release = resolve));
    let fetched!: () => void;
    const staleRead = new Promise<void>((resolve) => (fetched = resolve));
    await page.route(/\/api\/sessions\/\?/, async (route) => {
      const response = await route.fetch();
      fetched();
      await startAnswered;
      await route.fulfill({ response });
    });
    const seen = page.problems().length;
    await server.hub.close();
    server.hub = attachRealtime(server.server, server.bundle.deps);
    await staleRead;

    await page.evaluate(() => document.addEventListener('md-navigate', (event) => event.preventDefault(), { once: true }));
    await start.click();
    await row.getByRole('button', { name: 'Join class' }).waitFor();
    const applied = page.waitForEvent('requestfinished', (request) => /\/api\/sessions\/\?/.test(request.url()));
    release();
    await applied;
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    await page.unroute(/\/api\/sessions\/\?/);
    expect(await row.getByRole('button', { name: 'Join class' }).count()).to.equal(1);
    expect(await start.count()).to.equal(0);
    forgiveRefusedReconnects(page, seen);
  });

  it('opens the Requests tab from a request notification (keyboard) and accepts it from the UI', async () => {
    const before = await unreadCount();
    const slot = addMinutes(new Date(), 3 * 24 * 60);
    slot.setUTCSeconds(0, 0);
    const created = await server.api.post(
      '/api/requests/',
      { mentor: mentor.id, topic: 'Mock interview', message: 'Backend role', preferred_times: [slot.toISOString()] },
      { token: tokenFor(server, learner) },
    );
    expect(created.status).to.equal(201);
    await badgeShows(before + 1);

    // Keyboard: the bell opens with Enter, focus moves to the newest notification.
    await page.locator('notification-bell [part="button"]').focus();
    await page.keyboard.press('Enter');
    const panel = page.locator('notification-bell [part="panel"]');
    await panel.waitFor();
    await expectNoAxeViolations(page, 'the bell panel');
    await screenshot(page, 'bell-panel-1280x800.png');
    const newest = panel.locator('[part="item"]').first();
    expect(await newest.getAttribute('data-unread')).to.equal('');
    const focusedItem = () =>
      page.evaluate(() => {
        const root = document.querySelector('notification-bell')!.shadowRoot!;
        return [...root.querySelectorAll('.item-open')].indexOf(root.activeElement as Element);
      });
    expect(await focusedItem()).to.equal(0);
    await page.keyboard.press('ArrowDown');
    expect(await focusedItem()).to.equal(1);
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'hidden' });
    expect(await page.evaluate(() => document.querySelector('notification-bell')!.shadowRoot!.activeElement?.getAttribute('part'))).to.equal('button');
    await page.keyboard.press('Enter');
    await panel.waitFor();
    expect(await focusedItem()).to.equal(0);
    await page.keyboard.press('Enter');

    await dashboard().locator('[role="tab"][data-tab="requests"][aria-selected="true"]').waitFor();
    expect(new URL(page.url()).hash).to.equal('#requests');
    await panel.waitFor({ state: 'hidden' });
    const card = dashboard().locator(`[data-request-id="${created.body.id}"]`);
    await card.waitFor();
    expect(await card.getByRole('radio').first().isChecked()).to.equal(true);
    await card.getByRole('button', { name: 'Accept' }).click();
    await card.locator('[data-result="accepted"]').waitFor();

    const after = await server.api.get(`/api/requests/${created.body.id}/`, { token: tokenFor(server, mentor) });
    expect(after.body.status).to.equal('accepted');
    expect(after.body.session).to.be.a('number');
    const session = await server.api.get(`/api/sessions/${after.body.session}/`, { token: tokenFor(server, mentor) });
    expect(new Date(session.body.start_time).getTime()).to.equal(slot.getTime());

    // A request arriving while the tab is open appears without a reload; decline it with a reason.
    const second = await server.api.post(
      '/api/requests/',
      { mentor: mentor.id, topic: 'Code review', preferred_times: [addMinutes(slot, 60).toISOString()] },
      { token: tokenFor(server, learner) },
    );
    const secondCard = dashboard().locator(`[data-request-id="${second.body.id}"]`);
    await secondCard.waitFor();
    expect(await card.locator('[data-result="accepted"]').isVisible()).to.equal(true);
    await secondCard.getByRole('button', { name: 'Decline…' }).click();
    await secondCard.getByLabel('Reason for declining').fill('Fully booked this week');
    await secondCard.getByRole('button', { name: 'Decline request' }).click();
    await secondCard.locator('[data-result="declined"]').waitFor();
    const declined = await server.api.get(`/api/requests/${second.body.id}/`, { token: tokenFor(server, mentor) });
    expect(declined.body).to.include({ status: 'declined', decline_reason: 'Fully booked this week' });
  });

  it('reconnects after the socket drops, catches up over REST and renders user text as text', async () => {
    const before = await unreadCount();
    const reconnecting = dashboard().getByText('Reconnecting… live updates are paused.');
    // Drop every socket (as a restart would) and keep /ws down while a notification is written.
    const seen = page.problems().length;
    await server.hub.close();
    await reconnecting.waitFor();
    await buildNotification(server.db, { user_id: mentor.id, type: 'broadcast', message: XSS, link: '/dashboard#notifications' });
    server.hub = attachRealtime(server.server, server.bundle.deps);

    await badgeShows(before + 1);
    await reconnecting.waitFor({ state: 'hidden' });
    forgiveRefusedReconnects(page, seen);

    // The payload shows as characters in the bell and in the Notifications tab, never as markup.
    await page.locator('notification-bell [part="button"]').click();
    const item = page.locator('notification-bell [part="item"]').first();
    await waitForText(item.locator('.item-open > span').first(), XSS);
    await dashboard().locator('[role="tab"][data-tab="notifications"]').click();
    await waitForText(dashboard().locator('[data-notification-id] button span.block').first(), XSS);

    // The same for a session title.
    await buildSession(server.db, { mentor_id: mentor.id, title: XSS });
    await dashboard().locator('[role="tab"][data-tab="sessions"]').click();
    await waitForText(dashboard().locator('.session-title', { hasText: 'onerror' }), XSS);
    const images = await page.evaluate(() => {
      const roots = ['mentor-dashboard', 'notification-bell'].map((tag) => document.querySelector(tag)!.shadowRoot!);
      return roots.reduce((n, root) => n + root.querySelectorAll('img[src="x"]').length, 0);
    });
    expect(images).to.equal(0);
    expect(page.problems()).to.deep.equal([]);
  });

  it('requests a payout from the Earnings tab and lists it in the history', async () => {
    await dashboard().locator('[role="tab"][data-tab="earnings"]').click();
    const form = dashboard().getByRole('form', { name: 'Request a payout' });
    await waitForText(dashboard().locator('[data-amount="available"] p').last(), '$130.00');
    await form.getByLabel('Amount (USD)').fill('40');
    await form.getByLabel('Note (optional)').fill('October');
    await form.getByRole('button', { name: 'Request payout' }).click();
    await waitForText(dashboard().locator('[data-amount="available"] p').last(), '$90.00');
    const payout = dashboard().locator('[data-payout-id]').first();
    await payout.waitFor();
    expect(await payout.textContent()).to.include('$40.00').and.include('October').and.include('Pending');
    const payouts = await server.api.get('/api/payouts/', { token: tokenFor(server, mentor) });
    expect(payouts.body.results.map((p: { amount: string }) => p.amount)).to.deep.equal(['40.00']);

    // More than is available: the API's answer shows beside the amount.
    await form.getByLabel('Amount (USD)').fill('1000');
    await form.getByRole('button', { name: 'Request payout' }).click();
    await form.locator('.form-error, [data-field="amount"] .field-error').filter({ hasText: /\S/ }).first().waitFor();
  });

  it('edits the profile and uploads a picture, previewed before saving', async () => {
    await dashboard().locator('[role="tab"][data-tab="profile"]').click();
    const form = dashboard().getByRole('form', { name: 'Your profile' });
    await form.getByLabel('Bio').fill('Compilers, <b>not</b> HTML');
    const png = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#4338ca' } }).png().toBuffer();
    await form.getByLabel('Profile picture').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: png });
    const preview = form.locator('[data-preview] img');
    expect(await preview.getAttribute('src')).to.match(/^blob:/);
    expect(await preview.getAttribute('alt')).to.equal('Preview of the new picture');
    await form.getByRole('button', { name: 'Save profile' }).click();

    const saved = dashboard().getByRole('form', { name: 'Your profile' }).locator('[data-preview] img[src*="/media/"]');
    await saved.waitFor();
    await saved.evaluate((img: HTMLImageElement) => img.decode());
    const profile = (await server.api.get('/api/profile/', { token: tokenFor(server, mentor) })).body;
    expect(profile.bio).to.equal('Compilers, <b>not</b> HTML');
    expect(await saved.getAttribute('src')).to.equal(`${server.url}${profile.avatar}`);
    expect(await dashboard().getByLabel('Bio').inputValue()).to.equal('Compilers, <b>not</b> HTML');
  });

  it('passes axe-core on every dashboard tab and shows the tabs as tabs at 1280×800', async () => {
    for (const tab of ['sessions', 'requests', 'earnings', 'analytics', 'profile', 'notifications']) {
      await dashboard().locator(`[role="tab"][data-tab="${tab}"]`).click();
      await dashboard().locator('[role="tabpanel"] :is(h2, [role="alert"])').first().waitFor();
      await panelLoaded(page);
      await expectNoAxeViolations(page, `/dashboard#${tab}`);
      await screenshot(page, `dashboard-1280x800-${tab}.png`);
    }
    await dashboard().locator('[role="tab"][data-tab="sessions"]').click();
    expect(await dashboard().getByRole('tablist').isVisible()).to.equal(true);
    expect(await dashboard().getByLabel('Section', { exact: true }).isVisible()).to.equal(false);
    await screenshot(page, 'dashboard-1280x800.png');
    expect(page.problems()).to.deep.equal([]);
  });

  it('turns the tabs into a drop-down at 390×844 and never scrolls sideways', async () => {
    const mobile = await browser.newContext(MOBILE);
    const phone = await openPage(mobile);
    await signIn(phone, server.url, mentor.username, PASSWORD);
    const board = phone.locator('mentor-dashboard');
    await board.locator('[data-metric="students"] .metric-value', { hasText: '3' }).waitFor();
    expect(await board.getByRole('tablist').isVisible()).to.equal(false);
    const section = board.getByLabel('Section', { exact: true });
    expect(await section.isVisible()).to.equal(true);
    for (const tab of ['requests', 'earnings', 'analytics', 'profile', 'notifications', 'sessions']) {
      await section.selectOption(tab);
      await board.locator(`[role="tabpanel"][aria-labelledby$="-${tab}"]`).waitFor();
      await panelLoaded(phone);
      const width = await phone.evaluate(() => document.documentElement.scrollWidth);
      expect(width, `page width with ${tab} shown`).to.be.at.most(390);
    }
    await board.getByRole('button', { name: 'Create Session' }).click();
    await board.getByRole('form', { name: 'New session' }).waitFor();
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).to.be.at.most(390);
    await screenshot(phone, 'dashboard-390x844.png');
    expect(phone.problems()).to.deep.equal([]);
    await mobile.close();
  });

  it("shows a learner their bookings and requests on /dashboard instead of the mentor's dashboard", async () => {
    const other = await browser.newContext(DESKTOP);
    const learnerPage = await openPage(other);
    await signIn(learnerPage, server.url, learner.username, PASSWORD);
    await learnerPage.locator('mentor-booking[view="mine"]').getByRole('heading', { name: 'My bookings', exact: true }).waitFor();
    expect(await learnerPage.locator('mentor-dashboard').count()).to.equal(0);
    expect(await learnerPage.locator('mentor-booking [part="message"]').count()).to.equal(0);
    await other.close();
  });

  it('works embedded in a page on another origin (ES module bell, classic-script dashboard)', async () => {
    const other = await browser.newContext(DESKTOP);
    const embed = await openPage(other);
    const widgetResponses: Array<{ url: string; allowOrigin: string | null }> = [];
    embed.on('response', (res) => {
      if (res.url().includes('/widgets/')) widgetResponses.push({ url: res.url(), allowOrigin: res.headers()['access-control-allow-origin'] ?? null });
    });
    await embed.goto(site.origin);
    await embed.getByLabel('Username').fill(mentor.username);
    await embed.getByLabel('Password').fill(PASSWORD);
    await embed.getByRole('button', { name: 'Sign in', exact: true }).click();

    const board = embed.locator('mentor-dashboard');
    await waitForText(board.locator('[data-metric="students"] .metric-value'), '3');
    await waitForText(embed.locator('notification-bell [part="badge"]'), `${await unreadCount()} unread`);
    // Themed by the host page through a custom property.
    const accent = await board.locator('[data-action="create-session"]').evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(accent).to.equal('rgb(15, 118, 110)');

    // A notification linking to the dashboard (the newest links to #notifications) switches its tab in place.
    await embed.locator('notification-bell [part="button"]').click();
    await embed.locator('notification-bell [part="item"]').first().locator('.item-open').click();
    await board.locator('[role="tab"][data-tab="notifications"][aria-selected="true"]').waitFor();
    expect(embed.url()).to.equal(`${site.origin}/`);

    expect(widgetResponses.map((r) => new URL(r.url).origin)).to.satisfy((origins: string[]) => origins.every((o) => o === server.url));
    const moduleScripts = widgetResponses.filter((r) => !/\.iife(\.[0-9a-f]{10})?\.js$/.test(r.url));
    expect(moduleScripts.length).to.be.greaterThan(0);
    for (const r of moduleScripts) expect(r.allowOrigin, r.url).to.equal(site.origin);
    expect(embed.problems()).to.deep.equal([]);
    await other.close();
  });
});
