/**
 * What a new user hit on the dashboard, in Chromium: session cards keep their title readable
 * whatever an action adds, the bell's panel stays inside the viewport wherever the bell is, one
 * read lowers the badge by one, "I'm Ready" waits (disabled) for its window in the viewer's time
 * zone, the sessions list starts with what is upcoming, and people read words, not regular
 * expressions.
 */
import { expect } from 'chai';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { addMinutes } from '../../src/lib/time.ts';
import type { User } from '../../src/models/index.ts';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { buildBooking, buildLearner, buildMentor, buildNotification, buildSession, PASSWORD, tokenFor } from '../helpers/factories.ts';
import { DESKTOP, launchBrowser, MOBILE, openPage, signIn } from '../helpers/browser.ts';

const DAY_MINUTES = 24 * 60;
/** A zone east of UTC, so a time shown in UTC would be caught. */
const VIEWER_ZONE = 'Asia/Kolkata';

/** "Opens 17:00 (in 25 days)" as the viewer (VIEWER_ZONE, en-US) should read it. */
function expectedOpens(opens: Date, days: number): string {
  const clock = new Intl.DateTimeFormat('en-US', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: VIEWER_ZONE }).format(opens);
  return `Opens ${clock} (in ${days} days)`;
}

/** The box of a session card's title. */
async function titleBox(card: Locator): Promise<{ width: number; height: number }> {
  const box = await card.locator('h3.session-title').boundingBox();
  if (!box) throw new Error('the session title is not rendered');
  return { width: box.width, height: box.height };
}

describe('browser: first use (cards, bell, badge, readiness, sessions list, messages)', function () {
  this.timeout(90_000);

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

  async function signedIn(user: User, options = DESKTOP): Promise<{ context: BrowserContext; page: Page & { problems(): string[] } }> {
    const context = await browser.newContext({ ...options, timezoneId: VIEWER_ZONE });
    const page = await openPage(context);
    await signIn(page, server.url, user.username, PASSWORD);
    return { context, page };
  }

  it('keeps a session card title on one readable line after "Cancel" and after a refusal (1280×800)', async () => {
    const mentor = await buildMentor(server.db);
    const session = await buildSession(server.db, { mentor_id: mentor.id, title: 'Career chat with a long enough title', start_time: addMinutes(new Date(), 2 * DAY_MINUTES) });
    const { context, page } = await signedIn(mentor);
    const card = page.locator(`mentor-dashboard [data-session-id="${session.id}"]`);
    await card.waitFor();
    const before = await titleBox(card);
    expect(before.width).to.be.greaterThan(150);

    await card.getByRole('button', { name: 'Cancel', exact: true }).click();
    await card.getByLabel('Reason for cancelling').waitFor();
    expect(await titleBox(card), 'after opening the cancel form').to.deep.equal(before);

    // A refusal shows in the card, below its row.
    await page.route('**/api/sessions/*/cancel/', (route) =>
      route.fulfill({
        status: 409,
        contentType: 'application/problem+json',
        body: JSON.stringify({ type: '/problems/session_wrong_status', title: 'Conflict', status: 409, code: 'session_wrong_status', detail: 'This session can no longer be cancelled.' }),
      }),
    );
    await card.getByRole('button', { name: 'Cancel session' }).click();
    await card.locator('.row-error').waitFor();
    expect(await titleBox(card), 'after the refusal').to.deep.equal(before);
    const cardBox = (await card.boundingBox())!;
    expect(cardBox.height).to.be.lessThan(300);
    expect(page.problems()).to.deep.equal([]);
    await context.close();
  });

  for (const [name, options] of [['390×844', MOBILE], ['1280×800', DESKTOP]] as const) {
    it(`shows the whole bell panel inside the viewport with the bell at either edge (${name})`, async () => {
      const mentor = await buildMentor(server.db);
      await buildNotification(server.db, { user_id: mentor.id, type: 'broadcast', message: 'Welcome aboard', link: null });
      const { context, page } = await signedIn(mentor, options);
      const viewport = page.viewportSize()!;
      const bell = page.locator('notification-bell');
      const panel = page.locator('notification-bell [part="panel"]');
      for (const edge of ['right', 'left'] as const) {
        // The host page decides where the bell sits; pin it to one edge of the viewport.
        await bell.evaluate((el: HTMLElement, side) => {
          el.style.position = 'fixed';
          el.style.top = '4px';
          el.style.left = side === 'left' ? '0' : '';
          el.style.right = side === 'right' ? '0' : '';
        }, edge);
        await page.locator('notification-bell [part="button"]').click();
        await panel.waitFor();
        const box = (await panel.boundingBox())!;
        expect(box.x, `left of the panel, bell at the ${edge}`).to.be.at.least(0);
        expect(box.x + box.width, `right of the panel, bell at the ${edge}`).to.be.at.most(viewport.width);
        expect(box.y + box.height).to.be.at.most(viewport.height);
        const heading = (await panel.getByRole('heading', { name: 'Notifications' }).boundingBox())!;
        expect(heading.x).to.be.at.least(0);
        await page.keyboard.press('Escape');
        await panel.waitFor({ state: 'hidden' });
      }
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).to.be.at.most(viewport.width);
      expect(page.problems()).to.deep.equal([]);
      await context.close();
    });
  }

  it('lowers the badge by exactly one when an unread notification is opened', async () => {
    const mentor = await buildMentor(server.db);
    for (let i = 1; i <= 5; i++) await buildNotification(server.db, { user_id: mentor.id, type: 'broadcast', message: `Note ${i}`, link: null });
    const { context, page } = await signedIn(mentor);
    const badge = page.locator('notification-bell [part="badge"]');
    await badge.filter({ hasText: /^5 unread$/ }).waitFor();
    // Every number the badge ever shows from here on.
    await badge.evaluate((el) => {
      const seen: string[] = [];
      (window as unknown as { badgeSeen: string[] }).badgeSeen = seen;
      new MutationObserver(() => seen.push(el.textContent ?? '')).observe(el, { childList: true, characterData: true, subtree: true });
    });
    await page.locator('notification-bell [part="button"]').click();
    await page.locator('notification-bell [part="item"][data-unread] .item-open').first().click();
    const count = async () => (await server.api.get('/api/notifications/?page_size=1', { token: tokenFor(server, mentor) })).body.unread_count as number;
    await badge.filter({ hasText: /^4 unread$/ }).waitFor();
    expect(await count()).to.equal(4);
    const seen = await page.evaluate(() => (window as unknown as { badgeSeen: string[] }).badgeSeen);
    expect(seen.filter((text) => text !== '5 unread' && text !== '4 unread'), 'badge values below the API count').to.deep.equal([]);
    await context.close();
  });

  it('offers "I\'m Ready" weeks early only disabled, saying when it opens in the viewer\'s time zone (dashboard and lobby)', async () => {
    const mentor = await buildMentor(server.db);
    const learner = await buildLearner(server.db);
    const start = addMinutes(new Date(), 25 * DAY_MINUTES + 45);
    start.setUTCSeconds(0, 0);
    const session = await buildSession(server.db, { mentor_id: mentor.id, title: 'Far ahead', start_time: start });
    await buildBooking(server.db, { session, learner_id: learner.id });
    const opens = addMinutes(start, -30);
    const api = await server.api.get(`/api/sessions/${session.id}/`, { token: tokenFor(server, mentor) });
    expect(api.body.ready_opens_at).to.equal(opens.toISOString());

    const { context, page } = await signedIn(mentor);
    const card = page.locator(`mentor-dashboard [data-session-id="${session.id}"]`);
    const ready = card.getByRole('button', { name: "I'm Ready" });
    await ready.waitFor();
    expect(await ready.isDisabled()).to.equal(true);
    expect((await card.locator('[data-opens]').textContent())?.trim()).to.equal(expectedOpens(opens, 25));
    expect(await card.textContent()).not.to.match(/\d{4}-\d{2}-\d{2}T/);
    await context.close();

    const learnerSide = await signedIn(learner);
    await learnerSide.page.goto(`${server.url}/room/${session.id}`);
    const confirm = learnerSide.page.locator('session-room').getByRole('button', { name: "Confirm I'm ready" });
    await confirm.waitFor();
    expect(await confirm.isDisabled()).to.equal(true);
    expect((await learnerSide.page.locator('session-room [data-opens]').textContent())?.trim()).to.equal(expectedOpens(opens, 25));
    await learnerSide.context.close();
  });

  it('lists the upcoming sessions first (in progress, then soonest), a page at a time, with the time zone shown', async () => {
    const mentor = await buildMentor(server.db);
    const later = (days: number) => addMinutes(new Date(), days * DAY_MINUTES);
    for (let i = 0; i < 4; i++) await buildSession(server.db, { mentor_id: mentor.id, status: 'completed', start_time: later(-10 - i), title: `Done ${i}` });
    for (let i = 22; i >= 1; i--) await buildSession(server.db, { mentor_id: mentor.id, start_time: later(i), title: `Upcoming ${i}` });
    const live = await buildSession(server.db, { mentor_id: mentor.id, status: 'in_progress', start_time: addMinutes(new Date(), -5), title: 'Live now' });
    const { context, page } = await signedIn(mentor);
    const board = page.locator('mentor-dashboard');
    const titles = () => board.locator('[data-session-id] h3').allTextContents();
    await board.locator(`[data-session-id="${live.id}"]`).waitFor();
    const first = await titles();
    expect(first.slice(0, 3)).to.deep.equal(['Live now', 'Upcoming 1', 'Upcoming 2']);
    expect(first).to.have.length(21);
    expect(first.some((t) => t.startsWith('Done'))).to.equal(false);
    expect(await board.locator('[data-session-id] p').first().textContent()).to.match(/GMT\+5:30/);

    await board.getByRole('button', { name: 'Show more' }).click();
    await board.locator('[data-session-id]').nth(22).waitFor();
    expect((await titles()).slice(-2)).to.deep.equal(['Upcoming 21', 'Upcoming 22']);
    expect(await board.getByRole('button', { name: 'Show more' }).count()).to.equal(0);

    // One way to create a session; once saved, a reload does not reopen the form.
    expect(await board.getByRole('button', { name: /create session|new session/i }).count()).to.equal(1);
    await board.getByRole('button', { name: 'Create Session' }).click();
    expect(new URL(page.url()).hash).to.equal('#sessions/new');
    const form = board.getByRole('form', { name: 'New session' });
    await form.getByLabel('Title').fill('Fresh one');
    await form.getByLabel('Starts at').fill(new Date(Date.now() + 3 * 86_400_000 + 5.5 * 3_600_000).toISOString().slice(0, 16));
    await form.getByRole('button', { name: 'Create session' }).click();
    await form.waitFor({ state: 'detached' });
    await board.locator('[data-session-id]', { hasText: 'Fresh one' }).waitFor();
    expect(new URL(page.url()).hash).to.equal('#sessions');
    await page.reload();
    await board.locator(`[data-session-id="${live.id}"]`).waitFor();
    expect(await board.getByRole('form', { name: 'New session' }).count()).to.equal(0);
    expect(page.problems()).to.deep.equal([]);
    await context.close();
  });

  it('shows the API\'s words: a price with three decimals, and a payout above the balance', async () => {
    const mentor = await buildMentor(server.db);
    const earned = await buildSession(server.db, { mentor_id: mentor.id, status: 'completed', start_time: addMinutes(new Date(), -3 * DAY_MINUTES), price_cents: 1000 });
    await buildBooking(server.db, { session: earned, learner_id: (await buildLearner(server.db)).id, status: 'attended' });
    const { context, page } = await signedIn(mentor);
    const board = page.locator('mentor-dashboard');
    await board.getByRole('button', { name: 'Create Session' }).click();
    const form = board.getByRole('form', { name: 'New session' });
    await form.getByLabel('Title').fill('Pricing');
    await form.getByLabel('Starts at').fill(new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 16));
    await form.getByLabel('Price').fill('12.345');
    await form.getByRole('button', { name: 'Create session' }).click();
    const priceError = form.locator('[data-field="price"] .field-error');
    await priceError.filter({ hasText: /\S/ }).waitFor();
    expect(await priceError.textContent()).to.equal('must be a decimal amount with at most two decimals, e.g. 12.50');

    await board.locator('[role="tab"][data-tab="earnings"]').click();
    const payout = board.getByRole('form', { name: 'Request a payout' });
    await payout.getByLabel('Amount (USD)').fill('173.50');
    await payout.getByRole('button', { name: 'Request payout' }).click();
    const message = payout.locator('.form-error');
    await message.filter({ hasText: /\S/ }).waitFor();
    expect(await message.textContent()).to.include('exceeds available balance: 10.00 USD');

    // The chart writes its values, not only on hover.
    expect(await board.locator('[part="chart"] [data-chart-values]').first().textContent()).to.include('$10.00');
    await context.close();
  });
});
