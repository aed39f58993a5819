/**
 * <session-room> on /room/{id} in Chromium: a mentor and a learner (two browser contexts, fake
 * camera, microphone and screen) go through the lobby and readiness, join, see and hear each other
 * over a real WebRTC connection, chat, mute, share a screen, leave and come back, survive the
 * server dropping the mentor's socket, and end the class with the learner's feedback. Attendance is
 * recorded from the room: the learner who came is `attended`; a third booked learner who never
 * joins is a `no_show` and may not rate (409). Each remote feed carries a connection badge from
 * getStats(), and a degraded uplink (getStats() answered with loss and delay, test-only) shows
 * "Your connection is poor". Also: axe-core
 * in the lobby and the call, the 390×844 layout, user text as text.
 *
 * WebRTC must stay on loopback, so this file runs itself again inside a network namespace that has
 * only `lo` (test/browser/netns.ts): the outer mocha run has one test that starts
 * `unshare --net … mocha test/browser/room.test.ts` and passes when that run passes. Inside, the
 * test server and Chromium run in the same process tree, so the test can reach the server (and cut
 * the mentor's socket) directly.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Booking, Feedback, Session, type User } from '../../src/models/index.ts';
import { axeViolations, CHROMIUM_PATH, DESKTOP, formatViolations, launchBrowser, screenshot } from '../helpers/browser.ts';
import { buildBooking, buildLearner, tokenFor } from '../helpers/factories.ts';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { canUnshareNetwork, inLoopbackNamespace, killGroup, onlyLoopbackInterfaces, spawnInLoopbackNamespace } from './netns.ts';
import {
  action,
  buildRoomWorld,
  connectedPeer,
  decodesMoreFrames,
  eventually,
  FAKE_MEDIA_ARGS,
  openRoom,
  remoteTiles,
  remoteVideoSize,
  selectedLocalAddresses,
  trackWebSockets,
  type RoomPage,
  type RoomWorld,
} from './room-fixture.ts';

const XSS = '<img src=x onerror=alert(1)>';

async function expectNoAxeViolations(page: Page, where: string): Promise<void> {
  const violations = await axeViolations(page);
  expect(violations, `axe violations on ${where}:\n${formatViolations(violations)}`).to.deep.equal([]);
}

/** The chat messages a page shows, as `sender: body` lines. */
async function chatLines(page: Page): Promise<string[]> {
  return page
    .locator('session-room [part="chat-message"]')
    .evaluateAll((items) => items.map((li) => `${li.querySelector('span')?.textContent}: ${li.querySelector('p:last-child')?.textContent}`));
}

async function sendChat(page: Page, body: string): Promise<void> {
  await page.locator('session-room').getByLabel('Message').fill(body);
  await page.locator('session-room').getByRole('button', { name: 'Send' }).click();
}

/** Waits until the page's chat shows `line` (`sender: body`). */
async function chatShows(page: Page, line: string): Promise<void> {
  await eventually(`chat line "${line}"`, async () => (await chatLines(page)).includes(line), 30_000);
}

/** Aspect ratio of the remote video as decoded: the fake camera is 4:3, the fake screen 16:9. */
async function remoteAspect(page: Page): Promise<number> {
  const { width, height } = await remoteVideoSize(page);
  return height ? width / height : 0;
}

/** The page's view, remote feeds and peer connections, for failure reports. */
function describeRoom(page: Page): Promise<unknown> {
  return page.evaluate(() => {
    const root = document.querySelector('session-room')?.shadowRoot;
    return {
      view: root?.querySelector('[data-view]')?.getAttribute('data-view'),
      banner: root?.querySelector<HTMLElement>('[part="banner"]')?.hidden === false ? root.querySelector('[part="banner"]')!.textContent : null,
      remotes: [...(root?.querySelectorAll<HTMLElement>('[data-peer]') ?? [])].map((t) => `${t.dataset.peer} ${t.dataset.role} ${t.dataset.status}`),
      connections: window.__room.connections.map((pc) => `${pc.connectionState}/${pc.iceConnectionState}/${pc.signalingState}`),
    };
  });
}

function roomSuite(this: Mocha.Suite): void {
  this.timeout(120_000);

  let server: TestServer;
  let browser: Browser;
  let world: RoomWorld;
  /** Booked too, but never comes into the room. */
  let absent: User;
  let sockets: ReturnType<typeof trackWebSockets>;
  const contexts: BrowserContext[] = [];
  let mentorPage: RoomPage;
  let learnerPage: RoomPage;

  before(async function () {
    expect(onlyLoopbackInterfaces(), 'this suite must run where only loopback interfaces exist').to.equal(true);
    browser = await launchBrowser(this, FAKE_MEDIA_ARGS);
    server = await getTestServer();
    sockets = trackWebSockets(server);
    world = await buildRoomWorld(server, `Live clinic ${XSS}`);
    await Session.query(server.db).findById(world.session.id).patch({ capacity: 2 });
    absent = await buildLearner(server.db, { first_name: 'Abe', last_name: 'Sent' });
    await buildBooking(server.db, { session: world.session, learner_id: absent.id });
    const mentor = await openRoom(browser, server.url, world.mentor, world.session.id, DESKTOP);
    const learner = await openRoom(browser, server.url, world.learner, world.session.id, DESKTOP);
    contexts.push(mentor.context, learner.context);
    mentorPage = mentor.page;
    learnerPage = learner.page;
  });

  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return;
    // What each side had when a step timed out, to tell a signalling problem from a media one.
    for (const [who, page] of [['mentor', mentorPage], ['learner', learnerPage]] as const) {
      console.log(`    ${who}: ${JSON.stringify(await describeRoom(page).catch((error: Error) => error.message))}`);
    }
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows each side a lobby with a camera preview, device choice and who is ready', async () => {
    for (const page of [mentorPage, learnerPage]) {
      const room = page.locator('session-room');
      await room.getByRole('heading', { level: 1, name: `Live clinic ${XSS}` }).waitFor();
      await eventually('the camera preview', async () =>
        room.locator('[part~="preview"] video').evaluate((video: HTMLVideoElement) => video.videoWidth > 0),
      );
      expect(await room.getByLabel('Camera').locator('option').allTextContents()).to.include('fake_device_0');
      expect(await room.getByLabel('Microphone').locator('option').count()).to.be.above(0);
      expect(await action(page, 'start').count(), 'no "Start Class" before anyone is ready').to.equal(0);
    }
    await mentorPage.locator('session-room [part="readiness"]').getByText('0 of 2').waitFor();
    await learnerPage.locator('session-room [part="readiness"]').getByText('Ada Mentor (mentor)').waitFor();
    await screenshot(mentorPage, 'room-lobby-1280.png');
    await expectNoAxeViolations(mentorPage, '/room/{id} (lobby)');
  });

  it('shows "Start Class" to both once the mentor is ready and the learner confirmed', async () => {
    await action(mentorPage, 'ready').click();
    // The learner sees the mentor's readiness live (session_{id}).
    await learnerPage.locator('session-room [part="readiness"] dd', { hasText: /^Ready$/ }).first().waitFor();
    expect(await action(learnerPage, 'start').count()).to.equal(0);
    await action(learnerPage, 'ready').click();
    await action(learnerPage, 'start').waitFor();
    await action(mentorPage, 'start').waitFor();
    await mentorPage.locator('session-room [part="readiness"]').getByText('1 of 2').waitFor();
  });

  it('joins both: the peers connect on loopback and each side decodes the other\'s video', async () => {
    await action(mentorPage, 'start').click();
    await mentorPage.locator('session-room [data-view="call"]').waitFor();
    // The second to start gets the in-progress session (200) and joins.
    await action(learnerPage, 'start').click();
    await learnerPage.locator('session-room [data-view="call"]').waitFor();

    await Promise.all([connectedPeer(mentorPage), connectedPeer(learnerPage)]);
    await Promise.all([decodesMoreFrames(mentorPage, 'the mentor'), decodesMoreFrames(learnerPage, 'the learner')]);
    for (const page of [mentorPage, learnerPage]) {
      expect((await remoteVideoSize(page)).width).to.be.above(0);
      expect(await remoteTiles(page).count()).to.equal(1);
      // Only the ICE servers we gave (none): never simple-peer's public STUN defaults.
      expect(await page.evaluate(() => window.__room.iceServers)).to.satisfy((all: string[]) => all.length > 0 && all.every((s) => s === '[]'));
      for (const address of await selectedLocalAddresses(page)) expect(address).to.match(/^(127\.0\.0\.1|::1)$/);
    }
    expect(await remoteTiles(mentorPage).getAttribute('data-role')).to.equal('learner');
    expect(await remoteTiles(learnerPage).getAttribute('data-role')).to.equal('mentor');
    expect(await remoteTiles(learnerPage).textContent()).to.include('Ada Mentor (mentor)');
    const session = await server.api.get(`/api/sessions/${world.session.id}/`, { token: tokenFor(server, world.mentor) });
    expect(session.body.status).to.equal('in_progress');
    // Both are recorded in the room; the third learner is not.
    const attendance = await server.api.get(`/api/sessions/${world.session.id}/attendance/`, { token: tokenFor(server, world.mentor) });
    expect(attendance.status).to.equal(200);
    const byLearner = new Map(attendance.body.bookings.map((b: { learner: number }) => [b.learner, b]));
    expect(byLearner.get(world.learner.id)).to.include({ status: 'booked', in_room: true });
    expect(byLearner.get(absent.id)).to.include({ status: 'booked', in_room: false, first_joined_at: null });
    const mentorStays = await server.db('room_presence').where({ session_id: world.session.id, user_id: world.mentor.id });
    expect(mentorStays).to.have.length(1);
    await screenshot(mentorPage, 'room-call-1280.png');
    await expectNoAxeViolations(mentorPage, '/room/{id} (in the call)');
  });

  it('shows a connection badge per remote feed with figures from getStats() on both sides, good on loopback', async () => {
    for (const page of [mentorPage, learnerPage]) {
      const badge = remoteTiles(page).locator('[part="quality"]');
      const details = remoteTiles(page).locator('[part="quality-details"]');
      // Polled every 2 s; bitrate and frame rate need two reports.
      await eventually('the badge with bitrate and frame rate', async () => (await details.getAttribute('data-kbps')) !== null && (await details.getAttribute('data-fps')) !== null, 30_000);
      const figures = await details.evaluate((el: HTMLElement) => ({ ...el.dataset }));
      expect(Number(figures.rtt), 'round trip (ms)').to.be.at.least(0).and.below(250);
      expect(Number(figures.loss), 'packet loss (%)').to.be.at.least(0).and.at.most(2);
      expect(Number(figures.fps), 'frames per second').to.be.above(0);
      expect(Number(figures.kbps), 'bitrate (kbps)').to.be.above(0);
      expect(await badge.getAttribute('data-level')).to.equal('good');
      expect(await badge.evaluate((el) => el.textContent)).to.equal('Connection: Good');
      expect(await details.textContent()).to.match(/^Round trip \d+ ms · [\d.]+% lost · \d+ fps · [\d,]+ kbps$/);
      // The figures show on keyboard focus (and hover), and are the badge's description either way.
      expect(await details.isVisible()).to.equal(false);
      await badge.focus();
      expect(await details.isVisible()).to.equal(true);
      expect(await badge.evaluate((el, id) => el.getAttribute('aria-describedby') === id, await details.getAttribute('id'))).to.equal(true);
      await page.keyboard.press('Escape');
      expect(await details.isVisible()).to.equal(false);
      await badge.blur();
      await badge.hover();
      expect(await details.isVisible()).to.equal(true);
      await page.mouse.move(0, 0);
      expect(await page.locator('session-room [part="poor-connection"]').isVisible()).to.equal(false);
    }
    await expectNoAxeViolations(learnerPage, '/room/{id} (in the call, with quality badges)');
  });

  it('warns "Your connection is poor" when the other side reports our packets late and lost, and clears it after', async () => {
    // Test-only degradation: the mentor's connections answer getStats() with what a bad uplink
    // looks like from the other end (900 ms round trip, 40% of our packets lost); nothing else changes.
    await mentorPage.evaluate(() => {
      for (const pc of window.__room.connections) {
        const real = pc.getStats.bind(pc);
        let lost = 0;
        pc.getStats = async () => {
          const report = await real();
          const fake = new Map<string, unknown>();
          report.forEach((stat: Record<string, unknown>, id: string) => {
            if (stat.type === 'remote-inbound-rtp') fake.set(id, { ...stat, roundTripTime: 0.9, fractionLost: 0.4, packetsLost: (lost += 1000) });
            else if (stat.type === 'candidate-pair') fake.set(id, { ...stat, currentRoundTripTime: 0.9 });
            else fake.set(id, stat);
          });
          return fake as unknown as RTCStatsReport;
        };
      }
    });
    const banner = mentorPage.locator('session-room [part="poor-connection"]');
    await banner.waitFor({ timeout: 15_000 });
    expect(await banner.getAttribute('role')).to.equal('status');
    expect(await banner.textContent()).to.match(/^Your connection is poor: .*Round trip 900 ms/);
    // The mentor's view of the learner's feed uses the same (now slow) pair: poor too.
    await remoteTiles(mentorPage).locator('[part="quality"][data-level="poor"]').waitFor({ timeout: 15_000 });
    // Only our side is told: the learner's connection is fine.
    expect(await learnerPage.locator('session-room [part="poor-connection"]').isVisible()).to.equal(false);
    expect(await remoteTiles(learnerPage).locator('[part="quality"]').getAttribute('data-level')).to.equal('good');

    await mentorPage.evaluate(() => {
      for (const pc of window.__room.connections) delete (pc as { getStats?: unknown }).getStats;
    });
    await banner.waitFor({ state: 'hidden', timeout: 15_000 });
    await remoteTiles(mentorPage).locator('[part="quality"][data-level="good"]').waitFor({ timeout: 15_000 });
  });

  it('carries chat both ways, in order, as text', async () => {
    await sendChat(mentorPage, `Welcome! ${XSS}`);
    await chatShows(learnerPage, `Ada Mentor: Welcome! ${XSS}`);
    await sendChat(learnerPage, 'Thanks, happy to be here');
    await chatShows(mentorPage, 'Lin Learner: Thanks, happy to be here');
    await chatShows(learnerPage, 'You: Thanks, happy to be here');
    expect(await chatLines(mentorPage)).to.deep.equal([`You: Welcome! ${XSS}`, 'Lin Learner: Thanks, happy to be here']);
    expect(await chatLines(learnerPage)).to.deep.equal([`Ada Mentor: Welcome! ${XSS}`, 'You: Thanks, happy to be here']);
  });

  it('shows the other side when the mentor mutes and turns the camera off', async () => {
    const mentorTile = remoteTiles(learnerPage);
    // By keyboard: the control keeps the focus while its label changes.
    await action(mentorPage, 'mute').focus();
    await mentorPage.keyboard.press('Enter');
    await mentorTile.locator('[data-indicator="muted"]').waitFor();
    expect(await mentorPage.evaluate(() => document.querySelector('session-room')!.shadowRoot!.activeElement?.getAttribute('data-action'))).to.equal('mute');
    await action(mentorPage, 'camera').click();
    await mentorTile.getByText('Camera off').waitFor();
    expect(await action(mentorPage, 'mute').textContent()).to.include('Unmute');

    await action(mentorPage, 'mute').click();
    await action(mentorPage, 'camera').click();
    await mentorTile.locator('[data-indicator="muted"]').waitFor({ state: 'detached' });
    await mentorTile.getByText('Camera off').waitFor({ state: 'hidden' });
  });

  it('swaps the sent track for a screen share and back to the camera when the share ends', async () => {
    await eventually('the camera picture (4:3) at the learner', async () => Math.abs((await remoteAspect(learnerPage)) - 4 / 3) < 0.05);
    await action(mentorPage, 'share').click();
    await remoteTiles(learnerPage).locator('[data-indicator="screen"]').waitFor();
    await eventually('the screen picture (16:9) at the learner', async () => Math.abs((await remoteAspect(learnerPage)) - 16 / 9) < 0.05);
    expect(await action(mentorPage, 'share').textContent()).to.include('Stop sharing');
    // replaceTrack: the same connection carries the screen, nothing was renegotiated or rebuilt.
    expect(await learnerPage.evaluate(() => window.__room.connections.filter((pc) => pc.connectionState === 'connected').length)).to.equal(1);
    await decodesMoreFrames(learnerPage, 'the learner (screen)');

    // The browser's own "Stop sharing" ends the screen track: the camera comes back.
    await mentorPage.evaluate(() => window.__room.displayTracks.at(-1)!.dispatchEvent(new Event('ended')));
    await eventually('the camera picture (4:3) again', async () => Math.abs((await remoteAspect(learnerPage)) - 4 / 3) < 0.05);
    await remoteTiles(learnerPage).locator('[data-indicator="screen"]').waitFor({ state: 'detached' });
    expect(await action(mentorPage, 'share').textContent()).to.include('Share screen');
  });

  it('lets the learner leave and join again', async () => {
    const qualityPolls = (page: Page) => page.evaluate(() => [...window.__room.intervals.values()].filter((delay) => delay === 2000).length);
    expect(await qualityPolls(learnerPage), 'the call polls its quality').to.equal(1);
    await action(learnerPage, 'leave').click();
    await learnerPage.locator('session-room [data-view="lobby"]').getByText('You left the class').waitFor();
    await remoteTiles(mentorPage).waitFor({ state: 'detached' });
    expect(await qualityPolls(learnerPage), 'the quality polling stops with the call').to.equal(0);
    await action(learnerPage, 'start').click();
    await Promise.all([connectedPeer(mentorPage), connectedPeer(learnerPage)]);
    await decodesMoreFrames(mentorPage, 'the mentor');
    expect(await qualityPolls(learnerPage)).to.equal(1);
  });

  it('shows "Reconnecting…" when the server drops the mentor\'s socket, then recovers the call and chat', async () => {
    const peerBefore = await connectedPeer(learnerPage);
    await mentorPage.evaluate(() => {
      const room = document.querySelector('session-room')!;
      const banner = room.shadowRoot!.querySelector<HTMLElement>('[part="banner"]')!;
      const seen: string[] = ((window as unknown as { bannerSeen: string[] }).bannerSeen = []);
      const states: string[] = ((window as unknown as { states: string[] }).states = []);
      new MutationObserver(() => banner.hidden || seen.push(banner.textContent ?? '')).observe(banner, { attributes: true, childList: true, subtree: true });
      room.addEventListener('md-connection-change', (event) => states.push(event.detail.state));
    });

    expect(sockets.drop(world.mentor.id), 'the mentor has one socket').to.equal(1);

    await mentorPage.waitForFunction(() => (window as unknown as { bannerSeen: string[] }).bannerSeen.some((t) => t.startsWith('Reconnecting…')));
    await mentorPage.waitForFunction(() => (window as unknown as { states: string[] }).states.join() === 'reconnecting,online');
    // The mentor came back as a new peer; the connection was rebuilt and media flows again.
    await eventually('the learner to connect to the mentor\'s new peer', async () => {
      const tile = learnerPage.locator('session-room [part~="tile"][data-peer][data-status="connected"]');
      return (await tile.count()) === 1 && (await tile.getAttribute('data-peer')) !== peerBefore;
    });
    await connectedPeer(mentorPage);
    await mentorPage.locator('session-room [part="banner"]').waitFor({ state: 'hidden' });
    await Promise.all([decodesMoreFrames(mentorPage, 'the mentor after reconnecting'), decodesMoreFrames(learnerPage, 'the learner after reconnecting')]);

    await sendChat(mentorPage, 'Back again');
    await chatShows(learnerPage, 'Ada Mentor: Back again');
    await sendChat(learnerPage, 'Welcome back');
    await chatShows(mentorPage, 'Lin Learner: Welcome back');
  });

  it('rebuilds a peer connection that dies (simple-peer has no ICE restart)', async () => {
    const [mentorPeer, learnerPeer] = await Promise.all([connectedPeer(learnerPage), connectedPeer(mentorPage)]);
    const before = await learnerPage.evaluate(() => window.__room.connections.length);
    await learnerPage.evaluate(() => {
      const banner = document.querySelector('session-room')!.shadowRoot!.querySelector<HTMLElement>('[part="banner"]')!;
      const seen: string[] = ((window as unknown as { bannerSeen: string[] }).bannerSeen = []);
      new MutationObserver(() => banner.hidden || seen.push(banner.textContent ?? '')).observe(banner, { attributes: true, childList: true, subtree: true });
    });
    // The mentor's side of the connection goes away under simple-peer (as a crashed tab would).
    await mentorPage.evaluate(() => window.__room.connections.find((pc) => pc.connectionState === 'connected')!.close());

    await learnerPage.waitForFunction(() => (window as unknown as { bannerSeen: string[] }).bannerSeen.some((t) => t.includes('video connection')));
    await eventually('a new connection at the learner', async () => (await learnerPage.evaluate(() => window.__room.connections.length)) > before);
    // The same two peers (nobody left the room), over a new connection.
    expect(await connectedPeer(learnerPage)).to.equal(mentorPeer);
    expect(await connectedPeer(mentorPage)).to.equal(learnerPeer);
    await learnerPage.locator('session-room [part="banner"]').waitFor({ state: 'hidden' });
    await Promise.all([decodesMoreFrames(mentorPage, 'the mentor on the rebuilt connection'), decodesMoreFrames(learnerPage, 'the learner on the rebuilt connection')]);
  });

  it('stacks the videos at 390×844 with nothing scrolling sideways', async () => {
    await learnerPage.setViewportSize({ width: 390, height: 844 });
    const tiles = learnerPage.locator('session-room [part~="tile"]');
    await eventually('the feeds to stack', async () => {
      const [first, second] = await Promise.all([tiles.nth(0).boundingBox(), tiles.nth(1).boundingBox()]);
      return Boolean(first && second && second.y >= first.y + first.height - 1 && Math.abs(second.x - first.x) < 1);
    });
    const chat = await learnerPage.locator('session-room [part="chat"]').boundingBox();
    const controls = await learnerPage.locator('session-room [part="controls"]').boundingBox();
    expect(chat!.y, 'the chat is below the video on a phone').to.be.at.least(controls!.y + controls!.height);
    expect(await learnerPage.evaluate(() => document.documentElement.scrollWidth)).to.be.at.most(390);
    await screenshot(learnerPage, 'room-call-390.png');
    await learnerPage.setViewportSize(DESKTOP.viewport!);
  });

  it('ends the class for everyone when the mentor ends it; the learner leaves feedback', async () => {
    await action(mentorPage, 'end').click();
    await action(mentorPage, 'confirm-end').click();
    const back = mentorPage.locator('session-room [data-view="ended"]').getByRole('button', { name: 'Back to the dashboard' });
    await back.waitFor();
    expect(await back.isEnabled(), '"Back to the dashboard" is usable right after ending the class').to.equal(true);
    const ended = learnerPage.locator('session-room [data-view="ended"]');
    await ended.getByRole('heading', { name: 'How was the class?' }).waitFor();
    // Every connection is closed and every camera, microphone and screen track released.
    for (const page of [mentorPage, learnerPage]) {
      await page.waitForFunction(() => window.__room.connections.every((pc) => pc.connectionState === 'closed'));
      expect(await page.evaluate(() => window.__room.localTracks.map((t) => t.readyState))).to.satisfy((states: string[]) => states.length > 0 && states.every((s) => s === 'ended'));
    }

    await ended.getByLabel('5 – Excellent').check();
    await ended.getByLabel('Comment (optional)').fill(`Clear and patient ${XSS}`);
    await expectNoAxeViolations(learnerPage, '/room/{id} (feedback)');
    await ended.getByRole('button', { name: 'Send feedback' }).click();
    await ended.getByText('Thank you! You rated this class 5 out of 5.').waitFor();
    await screenshot(learnerPage, 'room-feedback-1280.png');

    const feedback = await Feedback.query(server.db).where({ session_id: world.session.id });
    expect(feedback.map((f) => [f.learner_id, f.rating, f.comment])).to.deep.equal([[world.learner.id, 5, `Clear and patient ${XSS}`]]);

    // Attendance at completion: the learner was in the room (and came back after leaving once),
    // the third learner never was.
    const bookings = await Booking.query(server.db).where({ session_id: world.session.id }).orderBy('id');
    expect(bookings.map((b) => [b.learner_id, b.status])).to.deep.equal([[world.learner.id, 'attended'], [absent.id, 'no_show']]);
    const attendance = await server.api.get(`/api/sessions/${world.session.id}/attendance/`, { token: tokenFor(server, world.mentor) });
    const [came, never] = attendance.body.bookings;
    expect(came).to.include({ status: 'attended', in_room: false });
    expect(came.present_seconds).to.be.above(0);
    expect(new Date(came.last_left_at).getTime()).to.be.above(new Date(came.first_joined_at).getTime());
    expect(never).to.include({ status: 'no_show', first_joined_at: null, present_seconds: 0 });
    expect(await server.db('room_presence').where({ session_id: world.session.id, user_id: world.learner.id })).to.have.length.at.least(2);
    const refused = await server.api.post(`/api/sessions/${world.session.id}/feedback/`, { rating: 1 }, { token: tokenFor(server, absent) });
    expect(refused.status).to.equal(409);
    expect(refused.body.code).to.equal('not_attended');
  });

  it('logged no errors, failed requests or dialogs on either page', () => {
    expect(mentorPage.problems(), 'mentor').to.deep.equal([]);
    expect(learnerPage.problems(), 'learner').to.deep.equal([]);
  });
}

if (inLoopbackNamespace()) {
  describe('browser: <session-room> (inside a loopback-only network namespace)', roomSuite);
} else {
  describe('browser: <session-room> in a loopback-only network namespace', function () {
    this.timeout(10 * 60_000);
    let child: ReturnType<typeof spawnInLoopbackNamespace> | undefined;

    after(() => child && killGroup(child));

    it('passes the room suite run by `unshare --net` with only loopback', async function () {
      // Without Chromium the inner suite would be skipped anyway: skip here, loudly (fails in CI).
      if (!fs.existsSync(CHROMIUM_PATH)) await launchBrowser(this);
      const unshare = canUnshareNetwork();
      if (!unshare.ok) {
        const message = `cannot create a network namespace (${unshare.reason}); the WebRTC room tests need root or CAP_SYS_ADMIN.`;
        if (process.env.CI) throw new Error(`${message} They cannot be skipped in CI.`);
        console.warn(`\n${'!'.repeat(100)}\n!!! ROOM BROWSER TESTS SKIPPED: ${message}\n${'!'.repeat(100)}\n`);
        this.skip();
      }
      const mocha = path.resolve('node_modules/mocha/bin/mocha.js');
      // The inner run reports coverage of its own requests only: the whole-suite check stays outside.
      child = spawnInLoopbackNamespace([process.execPath, mocha, '--timeout', '120000', 'test/browser/room.test.ts'], { CONTRACT_COVERAGE: '' });
      let output = '';
      const collect = (chunk: Buffer) => {
        output += chunk.toString();
        process.stdout.write(chunk.toString().replace(/^(?=.)/gm, '    │ '));
      };
      child.stdout!.on('data', collect);
      child.stderr!.on('data', collect);
      const code = await new Promise<number | null>((resolve) => child!.once('exit', resolve));
      expect(code, `the room suite failed inside the namespace:\n${output.slice(-8000)}`).to.equal(0);
      expect(output, 'the inner run must have run the suite').to.match(/\d+ passing/).and.not.match(/\d+ pending/);
    });
  });
}
