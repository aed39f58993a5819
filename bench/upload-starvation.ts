/**
 * Another user's `GET /api/sessions/` latency while big pictures are uploaded (issue: 40 parallel
 * 6000×6000 PNG uploads from one learner made the listing take up to 15 s). Target: the other user's
 * p99 stays under 200 ms during the attack.
 *
 * Two servers on one fresh SQLite database, each in its own process, configured as in production:
 * - "unbounded": the image limits switched off through the environment (IMAGE_MAX_PIXELS=36000000,
 *   IMAGE_CONCURRENCY=0, IMAGE_USER_CONCURRENCY=0, IMAGE_THREADS=0 — sharp's default of one libvips
 *   thread per core), i.e. how uploads were handled before the limits existed;
 * - "limited": the defaults (25 MP, 2 image jobs per process, 1 per user, 1 libvips thread each);
 * - "limited+uv8": the same with UV_THREADPOOL_SIZE=8 (libuv's default is 4 threads, shared by
 *   image jobs, file writes of uploads and every SQLite statement).
 * Two attacks, each kept up for BENCH_SECONDS with 40 uploads always in flight (each one re-sent as
 * soon as it is answered): (a) one learner sends 6000×6000 PNGs, the attack; (b) 40 learners
 * each send 5000×5000 PNGs — 25 MP, the largest canvas the limited server accepts, so its pictures
 * are all decoded. Meanwhile a mentor requests GET /api/sessions/?status=scheduled over 4
 * connections, one request after another on each. Servers and attacks are measured in turns
 * (A B, then B A, …), the quiet listing too. Reported per case: the mentor's p50/p99 (medians over
 * rounds), uploads answered per status, and the server's peak RSS (VmHWM).
 *
 * Usage: node --import tsx bench/upload-starvation.ts   (BENCH_ROUNDS, default 3; BENCH_SECONDS, default 6)
 */
import fs from 'node:fs';
import os from 'node:os';
import sharp from 'sharp';
import { insertRows, insertUsers, machine, median, prepareDatabase, startOurs, type Server } from './lib/http.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const UPLOADS_IN_FLIGHT = 40;
const READERS = 4;

const database = await prepareDatabase();
const { db } = database;
const [mentor] = await insertUsers(db, 'mentor', 1, 'bench_mentor');
const learners = await insertUsers(db, 'learner', UPLOADS_IN_FLIGHT, 'bench_learner');
const now = Date.now();
await insertRows(
  db,
  'sessions',
  Array.from({ length: 30 }, (_, i) => {
    const start = new Date(now + (i + 1) * 3_600_000);
    return {
      mentor_id: mentor,
      title: `Session ${i}`,
      description: 'A benchmark session',
      start_time: start.toISOString(),
      duration: 60,
      end_time: new Date(start.getTime() + 3_600_000).toISOString(),
      status: 'scheduled',
      capacity: 5,
      currency: 'USD',
      created_at: new Date(now).toISOString(),
      updated_at: new Date(now).toISOString(),
    };
  }),
);

const png = (size: number) =>
  sharp({ create: { width: size, height: size, channels: 3, background: { r: 40, g: 120, b: 200 } } }).png().toBuffer();
const pictures = { 6000: new Blob([new Uint8Array(await png(6000))], { type: 'image/png' }), 5000: new Blob([new Uint8Array(await png(5000))], { type: 'image/png' }) };
const bearer = (id: number, role: 'mentor' | 'learner') => `Bearer ${database.tokens.signAccess({ id, role, is_admin: false })}`;
const mentorAuth = bearer(mentor!, 'mentor');
const learnerAuth = learners.map((id) => bearer(id, 'learner'));

const servers: Server[] = [
  await startOurs(database, 'unbounded', { IMAGE_MAX_PIXELS: '36000000', IMAGE_CONCURRENCY: '0', IMAGE_USER_CONCURRENCY: '0', IMAGE_THREADS: '0' }),
  await startOurs(database, 'limited'),
  await startOurs(database, 'limited+uv8', { UV_THREADPOOL_SIZE: '8' }),
];

interface Attack {
  name: string;
  /** Which learner sends upload number `slot` (0–39), and which picture. */
  learner: (slot: number) => number;
  picture: Blob;
}
const attacks: Attack[] = [
  { name: 'one learner, 40 × 6000×6000', learner: () => 0, picture: pictures[6000] },
  { name: '40 learners, 40 × 5000×5000', learner: (slot) => slot, picture: pictures[5000] },
];

function peakRss(server: Server): number {
  const status = fs.readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
  return Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)![1]) / 1024);
}

async function listingLatencies(server: Server, until: number): Promise<number[]> {
  const latencies: number[] = [];
  await Promise.all(
    Array.from({ length: READERS }, async () => {
      while (Date.now() < until) {
        const started = performance.now();
        const res = await fetch(`${server.url}/api/sessions/?status=scheduled`, { headers: { Authorization: mentorAuth } });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`the listing answered ${res.status}`);
        latencies.push(performance.now() - started);
      }
    }),
  );
  return latencies;
}

async function uploads(server: Server, attack: Attack, until: number): Promise<Record<number, number>> {
  const statuses: Record<number, number> = {};
  await Promise.all(
    Array.from({ length: UPLOADS_IN_FLIGHT }, async (_, slot) => {
      while (Date.now() < until) {
        const form = new FormData();
        form.append('picture', attack.picture, 'big.png');
        const res = await fetch(`${server.url}/api/profile/`, { method: 'PATCH', body: form, headers: { Authorization: learnerAuth[attack.learner(slot)]! } });
        await res.arrayBuffer();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      }
    }),
  );
  return statuses;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};

interface Sample {
  server: string;
  attack: string;
  round: number;
  p50: number;
  p99: number;
  max: number;
  listings: number;
  uploads: Record<number, number>;
  loadavg: number;
}
const samples: Sample[] = [];

async function measure(server: Server, attack: Attack | undefined, round: number): Promise<void> {
  const until = Date.now() + SECONDS * 1000;
  const [latencies, statuses] = await Promise.all([listingLatencies(server, until), attack ? uploads(server, attack, until) : Promise.resolve({})]);
  const sample = {
    server: server.name,
    attack: attack?.name ?? 'none (quiet)',
    round,
    p50: Math.round(percentile(latencies, 50)),
    p99: Math.round(percentile(latencies, 99)),
    max: Math.round(Math.max(...latencies)),
    listings: latencies.length,
    uploads: statuses,
    loadavg: Math.round(os.loadavg()[0]! * 100) / 100,
  };
  samples.push(sample);
  console.error(
    `  round ${round} ${sample.server.padEnd(11)} ${sample.attack.padEnd(30)} p50 ${String(sample.p50).padStart(5)} ms  p99 ${String(sample.p99).padStart(6)} ms  max ${String(sample.max).padStart(6)} ms  uploads ${JSON.stringify(statuses)}  load ${sample.loadavg}`,
  );
}

try {
  for (let round = 1; round <= ROUNDS; round++) {
    const order = round % 2 === 1 ? servers : [...servers].reverse();
    for (const attack of [undefined, ...attacks]) for (const server of order) await measure(server, attack, round);
  }
  const rss = Object.fromEntries(servers.map((s) => [s.name, peakRss(s)]));
  console.error(`\nupload-starvation: GET /api/sessions/ for another user during 40 uploads in flight (${ROUNDS} rounds × ${SECONDS} s)`);
  const summary = [];
  for (const attack of [undefined, ...attacks].map((a) => a?.name ?? 'none (quiet)')) {
    for (const server of servers) {
      const mine = samples.filter((s) => s.server === server.name && s.attack === attack);
      const uploadsByStatus: Record<number, number> = {};
      for (const s of mine) for (const [status, n] of Object.entries(s.uploads)) uploadsByStatus[Number(status)] = (uploadsByStatus[Number(status)] ?? 0) + n;
      const row = { server: server.name, attack, p50: median(mine.map((s) => s.p50)), p99: median(mine.map((s) => s.p99)), worst: Math.max(...mine.map((s) => s.max)), uploads: uploadsByStatus };
      summary.push(row);
      console.error(`  ${server.name.padEnd(11)} ${attack.padEnd(30)} p50 ${row.p50} ms  p99 ${row.p99} ms  worst ${row.worst} ms  uploads ${JSON.stringify(uploadsByStatus)}`);
    }
  }
  console.error(`  peak RSS (MiB): ${JSON.stringify(rss)}`);
  console.log(JSON.stringify({ bench: 'upload-starvation', ...machine(), rounds: ROUNDS, seconds: SECONDS, summary, rss, samples }));
} finally {
  for (const server of servers) await server.stop();
  await database.cleanup();
}
