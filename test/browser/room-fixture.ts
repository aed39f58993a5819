/**
 * What the `<session-room>` browser test and the WebRTC benchmark share: Chromium with fake media,
 * a class with a mentor and a booked learner, the `/room/{id}` pages signed in as each, and probes
 * into the pages (WebRTC stats, the video feeds, join and connect times).
 *
 * Every page gets `instrumentRoom` as an init script: it pins `<session-room ice-servers="[]">`
 * before the widget starts (so simple-peer can never fall back to public STUN servers), records
 * every RTCPeerConnection with its configuration, the camera, microphone and screen tracks handed
 * out, when `room_state` messages arrive (a peer has joined), and the intervals still running.
 */
import http from 'node:http';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { addMinutes } from '../../src/lib/time.ts';
import type { Session, User } from '../../src/models/index.ts';
import { openPage } from '../helpers/browser.ts';
import { buildBooking, buildLearner, buildMentor, buildSession, PASSWORD } from '../helpers/factories.ts';
import type { TestServer } from '../helpers/server.ts';

/** Fake camera, microphone and screen, no permission prompts, ICE candidates on loopback. */
export const FAKE_MEDIA_ARGS = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--allow-loopback-in-peer-connection'];

export interface RoomRecord {
  iceServers: string[];
  connections: RTCPeerConnection[];
  /** Every camera, microphone and screen track the page was given. */
  localTracks: MediaStreamTrack[];
  displayTracks: MediaStreamTrack[];
  joinedAt: number[];
  /** The page's intervals still running: id → delay (the room polls call quality every 2000 ms). */
  intervals: Map<number, number>;
}

declare global {
  interface Window {
    __room: RoomRecord;
  }
}

/** The init script (runs in the page before its own scripts). */
export function instrumentRoom(): void {
  const running = new Map<number, number>();
  const record: RoomRecord = { iceServers: [], connections: [], localTracks: [], displayTracks: [], joinedAt: [], intervals: running };
  const nativeSetInterval = window.setInterval.bind(window);
  const nativeClearInterval = window.clearInterval.bind(window);
  window.setInterval = ((handler: TimerHandler, delay?: number, ...args: unknown[]) => {
    const id = nativeSetInterval(handler, delay, ...args);
    running.set(id, Number(delay ?? 0));
    return id;
  }) as typeof window.setInterval;
  window.clearInterval = ((id?: number) => {
    if (id !== undefined) running.delete(id);
    nativeClearInterval(id);
  }) as typeof window.clearInterval;
  window.__room = record;
  new MutationObserver((_, observer) => {
    const room = document.querySelector('session-room');
    if (!room) return;
    room.setAttribute('ice-servers', '[]');
    observer.disconnect();
  }).observe(document, { childList: true, subtree: true });
  const NativePeerConnection = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends NativePeerConnection {
    constructor(config?: RTCConfiguration) {
      super(config);
      record.iceServers.push(JSON.stringify(config?.iceServers ?? null));
      record.connections.push(this);
    }
  };
  const devices = navigator.mediaDevices;
  const getUserMedia = devices.getUserMedia.bind(devices);
  const getDisplayMedia = devices.getDisplayMedia.bind(devices);
  devices.getUserMedia = async (constraints) => {
    const stream = await getUserMedia(constraints);
    record.localTracks.push(...stream.getTracks());
    return stream;
  };
  devices.getDisplayMedia = async (options) => {
    const stream = await getDisplayMedia(options);
    record.displayTracks.push(...stream.getVideoTracks());
    record.localTracks.push(...stream.getTracks());
    return stream;
  };
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', (event) => {
        if (typeof event.data === 'string' && event.data.startsWith('{"type":"room_state"')) record.joinedAt.push(Date.now());
      });
    }
  };
}

export interface RoomWorld {
  mentor: User;
  learner: User;
  session: Session;
}

/** A free one-to-one class starting in 10 minutes (inside the readiness window), booked by a learner. */
export async function buildRoomWorld(server: TestServer, title = 'Live TypeScript clinic'): Promise<RoomWorld> {
  const mentor = await buildMentor(server.db, { first_name: 'Ada', last_name: 'Mentor' });
  const learner = await buildLearner(server.db, { first_name: 'Lin', last_name: 'Learner' });
  const session = await buildSession(server.db, { mentor_id: mentor.id, title, start_time: addMinutes(new Date(), 10), duration: 60 });
  await buildBooking(server.db, { session, learner_id: learner.id });
  return { mentor, learner, session };
}

export type RoomPage = Page & { problems(): string[] };

/** A new browser context signed in as `user` through /login, showing the room's lobby. */
export async function openRoom(
  browser: Browser,
  baseUrl: string,
  user: User,
  sessionId: number,
  options: BrowserContextOptions,
): Promise<{ context: BrowserContext; page: RoomPage }> {
  const context = await browser.newContext(options);
  await context.addInitScript(instrumentRoom);
  const page = await openPage(context);
  const roomPath = `/room/${sessionId}`;
  await page.goto(`${baseUrl}/login?next=${encodeURIComponent(roomPath)}`);
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(PASSWORD);
  await Promise.all([page.waitForURL(`${baseUrl}${roomPath}`), page.getByRole('button', { name: 'Sign in' }).click()]);
  await page.locator('session-room [data-view="lobby"]').waitFor();
  return { context, page };
}

/** The room's action buttons (`data-action`: ready, start, mute, camera, share, leave, end, …). */
export const action = (page: Page, name: string) => page.locator(`session-room [data-action="${name}"]`);

/** The remote video feeds (`data-peer`, `data-role`, `data-status` on each). */
export const remoteTiles = (page: Page) => page.locator('session-room [part~="tile"][data-peer]');

/** Waits until the page shows exactly one remote feed, connected, and returns its peer id. */
export async function connectedPeer(page: Page, timeout = 60_000): Promise<string> {
  const tile = page.locator('session-room [part~="tile"][data-peer][data-status="connected"]');
  await tile.waitFor({ timeout });
  return (await tile.getAttribute('data-peer'))!;
}

/** Video frames decoded so far on the page's open connections (from `getStats()`). */
export function framesDecoded(page: Page): Promise<number> {
  return page.evaluate(async () => {
    let total = 0;
    for (const pc of window.__room.connections) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((s: { type: string; kind?: string; framesDecoded?: number }) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video') total += s.framesDecoded ?? 0;
      });
    }
    return total;
  });
}

/** The addresses of the local ICE candidates the page's connected peer connections use. */
export function selectedLocalAddresses(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const addresses: string[] = [];
    for (const pc of window.__room.connections) {
      if (pc.connectionState !== 'connected') continue;
      const stats = new Map<string, Record<string, unknown>>();
      (await pc.getStats()).forEach((s: Record<string, unknown>) => stats.set(s.id as string, s));
      for (const s of stats.values()) {
        if (s.type !== 'candidate-pair' || s.state !== 'succeeded' || !s.nominated) continue;
        const local = stats.get(s.localCandidateId as string);
        if (local) addresses.push(String(local.address ?? local.ip));
      }
    }
    return addresses;
  });
}

/** The remote feed's intrinsic size, as decoded (0×0 before the first frame). */
export function remoteVideoSize(page: Page): Promise<{ width: number; height: number }> {
  return remoteTiles(page)
    .first()
    .locator('video')
    .evaluate((video: HTMLVideoElement) => ({ width: video.videoWidth, height: video.videoHeight }));
}

/**
 * Polls `check` (in the test process) until it holds: for conditions no DOM event announces,
 * such as WebRTC statistics. Fails with `what` after `timeoutMs`.
 */
export async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until the page has decoded `frames` more video frames than it had when called. */
export async function decodesMoreFrames(page: Page, who: string, frames = 15): Promise<void> {
  const start = await framesDecoded(page);
  await eventually(`${who} to decode ${frames} more video frames (from ${start})`, async () => (await framesDecoded(page)) >= start + frames);
}

/**
 * The test server's WebSockets by user, so a test can cut one from the server side as a network
 * failure or a crashed connection would (the client sees 1006, the hub its `close`). The sockets
 * are taken from the HTTP `upgrade` event, before the hub handles them.
 */
export function trackWebSockets(server: TestServer): { drop(userId: number): number } {
  const sockets = new Map<import('node:stream').Duplex, number>();
  server.server.prependListener('upgrade', (req: http.IncomingMessage, socket) => {
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    const token = offered[0] === 'bearer' ? offered[1] : undefined;
    if (!token) return;
    try {
      const userId = Number(server.bundle.deps.tokens.verifyAccess(token).sub);
      sockets.set(socket, userId);
      socket.once('close', () => sockets.delete(socket));
    } catch {
      // Refused by the hub anyway.
    }
  });
  return {
    drop(userId) {
      let dropped = 0;
      for (const [socket, owner] of sockets) {
        if (owner !== userId) continue;
        socket.destroy();
        dropped += 1;
      }
      return dropped;
    },
  };
}
