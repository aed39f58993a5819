/**
 * WebRTC connect time (`npm run bench:webrtc`; not part of `npm test`).
 *
 * A mentor and a learner on /room/{id} in Chromium (two browser contexts, fake camera and
 * microphone) with the real server, inside a network namespace that has only loopback (the script
 * starts itself again under `unshare --net`, as the room test does). Each round: one side joins
 * the call, then the other; the round measures from the moment both have joined — the second
 * one's `room_state` arriving, after which it makes the offer — to simple-peer's `connect` on
 * both sides (the later of the two remote feeds turning `data-status="connected"`). Then both
 * leave. The joining order alternates, so each side is the initiator in half the rounds.
 *
 * Baseline, interleaved with ours round by round: two bare RTCPeerConnections in one page of the
 * same browser, with the same fake media and a data channel (simple-peer's `connect` waits for
 * its data channel), exchanging offer, answer and candidates by direct calls — Chromium's own
 * connect time on loopback, without our signalling path (socket, relay, simple-peer, widget).
 *
 *   npm run bench:webrtc [-- --rounds 20]
 *
 * Prints one JSON line: the machine, the load average, every round in ms, p50, p95 and max of
 * ours and of the baseline, and the ratio of the medians. Target: ours p95 ≤ 1.5 s on loopback.
 */
import os from 'node:os';
import { chromium, type Page } from 'playwright-core';
import { ensureWidgetsBuilt } from '../scripts/build-widgets.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH, DESKTOP } from '../test/helpers/browser.ts';
import { tokenFor } from '../test/helpers/factories.ts';
import { getTestServer } from '../test/helpers/server.ts';
import { canUnshareNetwork, inLoopbackNamespace, killGroup, onlyLoopbackInterfaces, spawnInLoopbackNamespace } from '../test/browser/netns.ts';
import { action, buildRoomWorld, FAKE_MEDIA_ARGS, openRoom } from '../test/browser/room-fixture.ts';

const TARGET_P95_MS = 1500;
const WAIT_MS = 60_000;

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Records, in the page, when a remote feed becomes connected (simple-peer `connect`). */
async function watchConnects(page: Page): Promise<void> {
  await page.evaluate(() => {
    const times: number[] = [];
    (window as unknown as { connectedAt: number[] }).connectedAt = times;
    const root = document.querySelector('session-room')!.shadowRoot!;
    new MutationObserver((records) => {
      for (const r of records) {
        const el = r.target as HTMLElement;
        if (el.dataset.peer && el.dataset.status === 'connected' && r.oldValue !== 'connected') times.push(Date.now());
      }
    }).observe(root, { subtree: true, attributes: true, attributeOldValue: true, attributeFilter: ['data-status'] });
  });
}

const count = (page: Page, list: 'connectedAt' | 'joinedAt') =>
  page.evaluate((name) => (name === 'joinedAt' ? window.__room.joinedAt : (window as unknown as { connectedAt: number[] }).connectedAt).length, list);

/** Waits for entry `index` of a page's list of times and returns it. */
async function timeAt(page: Page, list: 'connectedAt' | 'joinedAt', index: number): Promise<number> {
  const handle = await page.waitForFunction(
    ([name, i]) => {
      const times = name === 'joinedAt' ? window.__room.joinedAt : (window as unknown as { connectedAt: number[] }).connectedAt;
      return times[i as number];
    },
    [list, index] as const,
    { timeout: WAIT_MS },
  );
  return (await handle.jsonValue()) as number;
}

/** One baseline round in `page`: ms from creating the offer to both connections and the data channel being up. */
function baselineConnect(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const holder = window as unknown as { benchMedia?: Promise<MediaStream> };
    const stream = await (holder.benchMedia ??= navigator.mediaDevices.getUserMedia({ video: true, audio: true }));
    const [a, b] = [new RTCPeerConnection({ iceServers: [] }), new RTCPeerConnection({ iceServers: [] })];
    a.onicecandidate = (event) => event.candidate && void b.addIceCandidate(event.candidate);
    b.onicecandidate = (event) => event.candidate && void a.addIceCandidate(event.candidate);
    for (const pc of [a, b]) for (const track of stream.getTracks()) pc.addTrack(track, stream);
    const start = performance.now();
    const channel = a.createDataChannel('bench');
    // (No named helper functions in here: tsx would wrap them in a `__name` the page lacks.)
    const ready = Promise.all([
      ...[a, b].map((pc) => new Promise<void>((resolve) => pc.addEventListener('connectionstatechange', () => pc.connectionState === 'connected' && resolve()))),
      new Promise((resolve) => (channel.onopen = resolve)),
    ]);
    await a.setLocalDescription(await a.createOffer());
    await b.setRemoteDescription(a.localDescription!);
    await b.setLocalDescription(await b.createAnswer());
    await a.setRemoteDescription(b.localDescription!);
    await ready;
    const elapsed = performance.now() - start;
    a.close();
    b.close();
    return Math.round(elapsed);
  });
}

const summary = (times: number[]) => {
  const sorted = [...times].sort((x, y) => x - y);
  return { rounds: times, p50_ms: percentile(sorted, 50), p95_ms: percentile(sorted, 95), max_ms: sorted.at(-1)! };
};

async function join(page: Page): Promise<void> {
  await action(page, 'start').click();
  await page.locator('session-room [data-view="call"]').waitFor({ timeout: WAIT_MS });
}

async function leave(page: Page): Promise<void> {
  await action(page, 'leave').click();
  await page.locator('session-room [data-view="lobby"]').waitFor({ timeout: WAIT_MS });
}

async function measure(rounds: number): Promise<void> {
  if (!onlyLoopbackInterfaces()) throw new Error('not in a loopback-only namespace');
  await ensureWidgetsBuilt();
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...FAKE_MEDIA_ARGS] });
  const server = await getTestServer();
  try {
    const world = await buildRoomWorld(server);
    const mentor = (await openRoom(browser, server.url, world.mentor, world.session.id, DESKTOP)).page;
    const learner = (await openRoom(browser, server.url, world.learner, world.session.id, DESKTOP)).page;
    const { session } = world;
    await server.api.post(`/api/sessions/${session.id}/ready/`, undefined, { token: tokenFor(server, world.mentor) });
    const booking = (await server.api.get(`/api/bookings/?session=${session.id}`, { token: tokenFor(server, world.learner) })).body.results[0];
    await server.api.post(`/api/bookings/${booking.id}/ready/`, undefined, { token: tokenFor(server, world.learner) });
    await Promise.all([watchConnects(mentor), watchConnects(learner)]);
    const baselineContext = await browser.newContext(DESKTOP);
    const baselinePage = await baselineContext.newPage();
    await baselinePage.goto(`${server.url}/login`); // any page of the origin: a secure context with media

    const times: number[] = [];
    const baseline: number[] = [];
    const loads: number[] = [];
    for (let round = 0; round < rounds; round += 1) {
      baseline.push(await baselineConnect(baselinePage));
      const [first, second] = round % 2 === 0 ? [mentor, learner] : [learner, mentor];
      await action(second, 'start').waitFor({ timeout: WAIT_MS }); // the lobby knows the class can start
      const [joinedBefore, mentorConnects, learnerConnects] = await Promise.all([count(second, 'joinedAt'), count(mentor, 'connectedAt'), count(learner, 'connectedAt')]);
      await join(first);
      await join(second);
      const bothJoined = await timeAt(second, 'joinedAt', joinedBefore);
      const connected = Math.max(await timeAt(mentor, 'connectedAt', mentorConnects), await timeAt(learner, 'connectedAt', learnerConnects));
      times.push(connected - bothJoined);
      loads.push(os.loadavg()[0]!);
      await leave(second);
      await leave(first);
    }

    const ours = summary(times);
    const bare = summary(baseline);
    console.log(
      JSON.stringify({
        bench: 'webrtc-connect',
        date: new Date().toISOString(),
        machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memory_gib: +(os.totalmem() / 2 ** 30).toFixed(1), node: process.version, chromium: browser.version() },
        load_avg_1m: { min: Math.min(...loads), max: Math.max(...loads), at_end: os.loadavg() },
        ours,
        baseline: bare,
        ratio_p50: +(ours.p50_ms / bare.p50_ms).toFixed(2),
        target_p95_ms: TARGET_P95_MS,
        met: ours.p95_ms <= TARGET_P95_MS,
      }),
    );
  } finally {
    await browser.close();
    await server.close();
  }
}

/** Outside the namespace: run this script again inside one, passing its output through. */
async function relaunchInNamespace(): Promise<number> {
  const unshare = canUnshareNetwork();
  if (!unshare.ok) throw new Error(`cannot create a loopback-only network namespace: ${unshare.reason}`);
  const child = spawnInLoopbackNamespace([process.execPath, '--import', 'tsx', ...process.argv.slice(1)]);
  child.stdout!.pipe(process.stdout);
  child.stderr!.pipe(process.stderr);
  const stop = () => killGroup(child);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
}

const rounds = option('rounds', 20);
if (inLoopbackNamespace()) {
  await measure(rounds);
} else {
  process.exitCode = await relaunchInNamespace();
}
