/**
 * <mentor-booking> on /mentors, /mentors/{id} and a learner's /dashboard, in Chromium at 390×844:
 * a learner finds a mentor, books a session, requests one with two preferred times, sees the
 * mentor's acceptance (given in the mentor's dashboard, in another browser) arrive without a
 * reload, cancels a booking, and reads the API's reason when a cancellation is refused. Every view
 * passes axe-core and never scrolls sideways.
 */
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { addMinutes } from '../../src/lib/time.ts';
import type { Session, User } from '../../src/models/index.ts';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { buildBooking, buildLearner, buildMentor, buildSession, PASSWORD, tokenFor } from '../helpers/factories.ts';
import { axeViolations, DESKTOP, formatViolations, launchBrowser, MOBILE, openPage, screenshot, signIn } from '../helpers/browser.ts';

/** A zone east of UTC, so a time shown (or sent) in UTC would be caught. */
const VIEWER_ZONE = 'Asia/Kolkata';
const ZONE_OFFSET_MINUTES = 330;
const DAY = 24 * 60;

/** What a `datetime-local` input in VIEWER_ZONE holds for `instant`. */
const localInput = (instant: Date) => addMinutes(instant, ZONE_OFFSET_MINUTES).toISOString().slice(0, 16);

/** A future instant on a whole minute. */
function inDays(days: number, extraMinutes = 0): Date {
  const at = addMinutes(new Date(), days * DAY + extraMinutes);
  at.setUTCSeconds(0, 0);
  return at;
}

describe('browser: <mentor-booking> (learners book, request, cancel; live updates)', function () {
  this.timeout(120_000);

  let server: TestServer;
  let browser: Browser;
  let mentor: User;
  let learner: User;
  let open: Session;
  let started: Session;
  let context: BrowserContext;
  let page: Page & { problems(): string[] };

  const widget = () => page.locator('mentor-booking');

  /** axe-core finds nothing and the page does not scroll sideways. */
  async function checkView(where: string): Promise<void> {
    const violations = await axeViolations(page);
    expect(violations, `axe violations on ${where}:\n${formatViolations(violations)}`).to.deep.equal([]);
    const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    expect(widths.scroll, `sideways scroll on ${where}`).to.be.at.most(widths.client);
    await screenshot(page, `booking-390x844-${where.replace(/[^a-z0-9]+/gi, '-')}.png`);
  }

  /** Waits until no section of the widget says "Loading …". */
  async function loaded(): Promise<void> {
    await page.waitForFunction(() => !document.querySelector('mentor-booking')?.shadowRoot?.querySelector('[role="status"]:not(:empty)')?.textContent?.startsWith('Loading'));
  }

  before(async function () {
    browser = await launchBrowser(this);
    server = await getTestServer();
    mentor = await buildMentor(server.db, { first_name: 'Ada', last_name: 'Bookable', bio: 'Compilers and careers.', expertise: ['rust', 'career'], hourly_rate_cents: 4500 });
    learner = await buildLearner(server.db, { first_name: 'Lee', last_name: 'Learner' });
    open = await buildSession(server.db, { mentor_id: mentor.id, title: 'Rust office hours', capacity: 3, start_time: inDays(2), price_cents: 2000 });
    // Booked, due to start five minutes ago and not started by the mentor: the API refuses to cancel it.
    started = await buildSession(server.db, { mentor_id: mentor.id, title: 'Already under way', start_time: addMinutes(new Date(), -5) });
    await buildBooking(server.db, { session: started, learner_id: learner.id });
    context = await browser.newContext({ ...MOBILE, timezoneId: VIEWER_ZONE });
    page = await openPage(context);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it("shows a learner's /dashboard as their bookings and requests, not the mentors' dead end", async () => {
    await signIn(page, server.url, learner.username, PASSWORD);
    await widget().getByRole('heading', { name: 'My bookings and requests', level: 1 }).waitFor();
    expect(await page.locator('mentor-dashboard').count()).to.equal(0);
    expect(await page.locator('notification-bell').count()).to.equal(1);
    await widget().locator(`[data-session-id="${started.id}"]`).waitFor();
    await loaded();
    await checkView('dashboard');
  });

  it('finds the mentor in /mentors, opens them, and books a seat; seats left follow live', async () => {
    await page.goto(`${server.url}/mentors`);
    await widget().getByRole('heading', { name: 'Mentors', level: 1 }).waitFor();
    await widget().getByLabel('Search mentors').fill('Bookable');
    await widget().getByRole('button', { name: 'Search' }).click();
    const link = widget().getByRole('link', { name: 'Ada Bookable' });
    await link.waitFor();
    expect(await widget().locator('[data-mentor-id]').count()).to.equal(1);
    await checkView('mentors');

    await Promise.all([page.waitForURL(`${server.url}/mentors/${mentor.id}`), link.click()]);
    const card = widget().locator(`[data-mentor-id="${mentor.id}"]`);
    await card.waitFor();
    expect(await card.textContent()).to.include('Compilers and careers.').and.include('$45.00 per hour').and.include('rust').and.include('No reviews yet');
    const row = widget().locator(`[data-session-id="${open.id}"]`);
    await row.locator('[data-spots]', { hasText: '3 seats left' }).waitFor();
    // The viewer's time zone, named.
    expect(await row.locator('time').textContent()).to.include('GMT+5:30');
    expect(await widget().locator(`[data-session-id="${started.id}"]`).count(), 'a session already under way is not offered').to.equal(0);
    await loaded();
    await checkView('mentor');

    await row.getByRole('button', { name: 'Book' }).click();
    await row.locator('[data-booked]').waitFor();
    await row.locator('[data-spots]', { hasText: '2 seats left' }).waitFor();
    // Another learner books: the count drops without a reload.
    const other = await buildLearner(server.db);
    expect((await server.api.post(`/api/sessions/${open.id}/book/`, {}, { token: tokenFor(server, other) })).status).to.equal(201);
    await row.locator('[data-spots]', { hasText: '1 seat left' }).waitFor();
  });

  let requestId: number;
  const first = inDays(4);
  const second = inDays(5, 90);

  it('requests a session with two preferred times, sent as UTC instants', async () => {
    const form = widget().getByRole('form', { name: 'Request a session' });
    const errorOf = (name: string) => form.locator(`[data-field="${name}"] .field-error`);
    // Nothing filled in: said in words beside the fields, before anything is sent.
    await form.getByRole('button', { name: 'Send request' }).click();
    await errorOf('topic').filter({ hasText: /\S/ }).waitFor();
    expect(await errorOf('topic').textContent()).to.equal('Enter a topic.');
    expect(await errorOf('preferred_times').textContent()).to.equal('Choose at least one preferred time.');
    // A time in the past: the API's words, naming which time.
    await form.getByLabel('Topic').fill('Too late');
    await form.getByLabel('Preferred time 1', { exact: true }).fill(localInput(inDays(-1)));
    await form.getByRole('button', { name: 'Send request' }).click();
    await errorOf('preferred_times').filter({ hasText: /\S/ }).waitFor();
    expect(await errorOf('preferred_times').textContent()).to.equal('Preferred time 1: must be in the future');

    await form.getByLabel('Topic').fill('Career change into compilers');
    await form.getByLabel('Preferred time 1', { exact: true }).fill(localInput(first));
    await form.getByRole('button', { name: 'Add another time' }).click();
    await form.getByLabel('Preferred time 2', { exact: true }).fill(localInput(second));
    await form.getByLabel('Message (optional)').fill('Two evenings that suit me.');
    await checkView('request form');
    await form.getByRole('button', { name: 'Send request' }).click();
    await widget().getByText('Request “Career change into compilers” sent.', { exact: false }).waitFor();

    const sent = await server.api.get('/api/requests/', { token: tokenFor(server, learner) });
    expect(sent.body.results).to.have.length(1);
    requestId = sent.body.results[0].id;
    expect(sent.body.results[0].preferred_times).to.deep.equal([first.toISOString(), second.toISOString()]);
  });

  it('shows the booking and the pending request in "My bookings", and the acceptance live when the mentor accepts in their dashboard', async () => {
    await page.goto(`${server.url}/dashboard`);
    const booking = widget().locator(`[part="booking"][data-session-id="${open.id}"]`);
    await booking.waitFor();
    expect(await booking.textContent()).to.include('Rust office hours').and.include('GMT+5:30');
    const request = widget().locator(`[data-request-id="${requestId}"]`);
    await request.locator('[data-status="pending"]').waitFor();
    await loaded();
    await checkView('my bookings');

    // The mentor, in another browser, accepts the first preferred time from the dashboard.
    const mentorContext = await browser.newContext(DESKTOP);
    const mentorPage = await openPage(mentorContext);
    await signIn(mentorPage, server.url, mentor.username, PASSWORD);
    await mentorPage.goto(`${server.url}/dashboard#requests`);
    const card = mentorPage.locator(`mentor-dashboard [data-request-id="${requestId}"]`);
    await card.waitFor();
    await card.getByRole('button', { name: 'Accept' }).click();
    await card.locator('[data-result="accepted"]').waitFor();
    expect(mentorPage.problems()).to.deep.equal([]);
    await mentorContext.close();

    // No reload: the request turns accepted and its session appears among the bookings.
    await widget().locator(`[data-request-id="${requestId}"][data-request-status="accepted"]`).waitFor();
    const accepted = (await server.api.get(`/api/requests/${requestId}/`, { token: tokenFor(server, learner) })).body;
    await widget().locator(`[part="booking"][data-session-id="${accepted.session}"]`).waitFor();
    expect(await widget().locator(`[part="booking"][data-session-id="${accepted.session}"] time`).textContent()).to.include('GMT+5:30');
    await loaded();
    await checkView('my bookings after acceptance');
  });

  it('cancels a booking, and shows in words why the API refuses to cancel one whose session has started', async () => {
    const booking = widget().locator(`[part="booking"][data-session-id="${open.id}"]`);
    await booking.getByRole('button', { name: 'Cancel booking' }).click();
    await booking.waitFor({ state: 'detached' });
    const mine = await server.api.get(`/api/bookings/?session=${open.id}`, { token: tokenFor(server, learner) });
    expect(mine.body.results.map((b: { status: string }) => b.status)).to.deep.equal(['cancelled']);

    const underway = widget().locator(`[part="booking"][data-session-id="${started.id}"]`);
    await underway.getByRole('button', { name: 'Cancel booking' }).click();
    const reason = underway.locator('.row-error');
    await reason.filter({ hasText: /\S/ }).waitFor();
    expect(await reason.textContent()).to.equal('The session has started or is no longer scheduled; the booking can no longer be cancelled.');
    await checkView('refused cancel');
  });

  it('"Join class" leads to the room through md-navigate', async () => {
    const underway = widget().locator(`[part="booking"][data-session-id="${started.id}"]`);
    // A host may keep the navigation to itself (preventDefault); this one records it once.
    await page.evaluate(() => {
      document.addEventListener('md-navigate', (event) => (event.preventDefault(), document.body.setAttribute('data-navigated-to', event.detail.href)), { once: true });
    });
    const join = underway.getByRole('link', { name: 'Join class' });
    await join.click();
    await page.locator(`body[data-navigated-to="/room/${started.id}"]`).waitFor({ state: 'attached' });
    // Without preventDefault the widget follows the link.
    await Promise.all([page.waitForURL(`${server.url}/room/${started.id}`), join.click()]);
    // Leaving a page aborts its requests in flight; the room finds no camera in a headless browser.
    const problems = page.problems().filter((p) => !/net::ERR_ABORTED|camera|microphone|NotFoundError|Requested device/i.test(p));
    expect(problems).to.deep.equal([]);
  });
});
