/**
 * <session-room> when the camera and microphone cannot be opened: the lobby says why, and the
 * preview tile shows the failure instead of still waiting for a camera. No WebRTC connection is
 * made, so unlike room.test.ts this needs no network namespace; getUserMedia is made to fail the
 * way it does on a machine without devices. Also: a learner without a booking is sent to the
 * mentor's booking page.
 */
import { expect } from 'chai';
import type { Browser, BrowserContext } from 'playwright-core';
import { DESKTOP, launchBrowser, openPage } from '../helpers/browser.ts';
import { buildLearner, PASSWORD } from '../helpers/factories.ts';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { buildRoomWorld, type RoomWorld } from './room-fixture.ts';

describe('browser: <session-room> without a camera or microphone', function () {
  this.timeout(60_000);

  let server: TestServer;
  let browser: Browser;
  let world: RoomWorld;
  const contexts: BrowserContext[] = [];

  before(async function () {
    browser = await launchBrowser(this);
    server = await getTestServer();
    world = await buildRoomWorld(server);
  });

  after(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.close();
  });

  it('shows "No camera" on the preview tile, never "Starting camera…", once the devices fail', async () => {
    const context = await browser.newContext(DESKTOP);
    contexts.push(context);
    await context.addInitScript(() => {
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Requested device not found', 'NotFoundError'));
    });
    const page = await openPage(context);
    const roomPath = `/room/${world.session.id}`;
    await page.goto(`${server.url}/login?next=${encodeURIComponent(roomPath)}`);
    await page.getByLabel('Username').fill(world.mentor.username);
    await page.getByLabel('Password').fill(PASSWORD);
    await Promise.all([page.waitForURL(`${server.url}${roomPath}`), page.getByRole('button', { name: 'Sign in' }).click()]);

    const room = page.locator('session-room');
    await room.getByText('No camera and microphone was found.').waitFor();
    const overlay = room.locator('[data-view="lobby"] [part~="tile"] .absolute');
    // The message comes after the tile is redrawn, so the tile is already in its final state.
    expect(await overlay.textContent()).to.equal('No camera');
    expect(await overlay.isVisible()).to.equal(true);
    expect(page.problems()).to.deep.equal([]);
  });

  it('links a learner without a booking to the mentor\'s booking page', async () => {
    const stranger = await buildLearner(server.db, { first_name: 'Nora', last_name: 'Booking' });
    const context = await browser.newContext(DESKTOP);
    contexts.push(context);
    const page = await openPage(context);
    const roomPath = `/room/${world.session.id}`;
    await page.goto(`${server.url}/login?next=${encodeURIComponent(roomPath)}`);
    await page.getByLabel('Username').fill(stranger.username);
    await page.getByLabel('Password').fill(PASSWORD);
    await Promise.all([page.waitForURL(`${server.url}${roomPath}`), page.getByRole('button', { name: 'Sign in' }).click()]);

    const message = page.locator('session-room [part="message"]');
    await message.getByText('You are not booked on this class.').waitFor();
    expect((await message.textContent())?.trim()).to.equal('You are not booked on this class. Book a seat to join it.');
    const link = message.getByRole('link', { name: 'Book a seat' });
    expect(await link.getAttribute('href')).to.equal(`${server.url}/mentors/${world.mentor.id}`);
    // No camera is asked for: the lobby never opened.
    expect(await page.locator('session-room [data-view]').count()).to.equal(0);
    expect(page.problems()).to.deep.equal([]);
  });
});
