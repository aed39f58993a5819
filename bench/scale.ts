/**
 * Does a mentor's (and a learner's) page cost the same on a big platform as on a small one?
 *
 * Two SQLite databases hold the same measured people — a mentor with 200 sessions and 100 bookings
 * on them, a learner holding half of those, their requests, feedback, payouts, chat and
 * notifications, with the same ids in both. The big one also holds the background of a grown
 * platform: 2,000 other mentors, 5,000 other learners, 200,000 sessions (two years of history and a
 * month ahead), their bookings, feedback, requests, payouts, chat and 1,000,000 notifications —
 * written with bulk `INSERT … SELECT` from recursive CTEs in one transaction per table, not through
 * the API. One production server runs on each (`serve.ts`, the `npm start` configuration); every
 * GET endpoint of the two people is measured on both, interleaved (small, big, big, small, …),
 * with autocannon at 20 connections. Reported per endpoint: the median requests/s over the rounds
 * on each database and big/small. Target: ≥ 0.67 for every endpoint.
 *
 * Usage: node --import tsx bench/scale.ts   (BENCH_ROUNDS, BENCH_SECONDS to change the run,
 * BENCH_ONLY=<regex on "who path"> to measure only some endpoints;
 * about 5–10 minutes with the defaults; `--build-only` builds the two databases, prints where they
 * are and keeps them). SQLite only.
 */
import os from 'node:os';
import autocannon from 'autocannon';
import type { Knex } from 'knex';
import { TokenService } from '../src/auth/tokens.ts';
import { loadConfig } from '../src/config.ts';
import { machine, median, prepareDatabase, startOurs, type BenchDatabase, type Server } from './lib/http.ts';

const CONNECTIONS = 20;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const WARMUP_SECONDS = 1;
const TARGET = 0.67;

const BACKGROUND = { mentors: 2000, learners: 5000, sessions: 200_000, notifications: 1_000_000, requests: 40_000, payouts: 10_000, chat: 200_000 };
const CLASSMATES = 20;
const PEER_MENTORS = 19;
const MY_SESSIONS = 200;

const NOW = Date.now();
const iso = (ms: number) => new Date(ms).toISOString();
const DAY = 86_400_000;

// ---------------------------------------------------------------- the measured people (both databases)

interface People {
  mentor: number;
  learner: number;
  completedSession: number;
  chatSession: number;
}

async function insertUsers(db: Knex, role: 'mentor' | 'learner', prefix: string, count: number): Promise<void> {
  // One statement per table: a recursive CTE numbers the rows.
  await db.raw(
    `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?)
     INSERT INTO users (username, email, password_hash, role, first_name, last_name, bio, expertise, hourly_rate_cents, created_at, updated_at)
     SELECT ? || n, ? || n || '@bench.test', 'not-a-login', ?, 'Bench', ? || ' ' || n, 'Teaches things.', '["typescript"]', 4000, ?, ?
     FROM seq`,
    [count, prefix, prefix, role, prefix, iso(NOW), iso(NOW)],
  );
}

/**
 * The mentor, the learner and 20 classmates, ids 1–22 in both databases, with all their rows; and 19
 * peer mentors without sessions (ids 23–41), so the small database's directory page lists 20 mentors
 * too (the big one's lists the measured mentor and 19 background mentors with 100 sessions each).
 */
async function insertPeople(db: Knex): Promise<People> {
  await insertUsers(db, 'mentor', 'measured_mentor', 1);
  await insertUsers(db, 'learner', 'measured_learner', 1);
  await insertUsers(db, 'learner', 'classmate', CLASSMATES);
  await insertUsers(db, 'mentor', 'peer_mentor', PEER_MENTORS);
  const id = async (username: string) => (await db('users').where({ username }).first('id')).id as number;
  const mentor = await id('measured_mentor1');
  const learner = await id('measured_learner1');
  const classmates = (await db('users').where('username', 'like', 'classmate%').orderBy('id').select('id')).map((r) => r.id as number);

  // 200 sessions, one a day: 170 in the past (completed, every tenth cancelled), 30 ahead
  // (scheduled, every fifth a draft). Every other one has a booking: 100 bookings, half the learner's.
  const sessions = [];
  const bookings: Array<Record<string, any>> = [];
  for (let i = 0; i < MY_SESSIONS; i++) {
    const start = NOW + (i - 170) * DAY + 10 * 3_600_000;
    const past = i < 170;
    const status = past ? (i % 10 === 0 ? 'cancelled' : 'completed') : i % 5 === 0 ? 'draft' : 'scheduled';
    const booked = i % 2 === 0 && status !== 'draft';
    sessions.push({
      mentor_id: mentor,
      title: `Measured session ${i}`,
      description: 'A session of the measured mentor',
      start_time: iso(start),
      duration: 60,
      end_time: iso(start + 3_600_000),
      status,
      price_cents: 2500,
      currency: 'USD',
      capacity: 5,
      booked_count: booked && status !== 'cancelled' ? 1 : 0,
      ended_at: status === 'completed' ? iso(start + 3_600_000) : null,
      cancelled_at: status === 'cancelled' ? iso(start - DAY) : null,
      created_at: iso(start - 30 * DAY),
      updated_at: iso(start - 30 * DAY),
    });
  }
  await db.batchInsert('sessions', sessions, 100);
  const mine: Array<{ id: number; status: string; start_time: string }> = await db('sessions').where({ mentor_id: mentor }).orderBy('id').select('id', 'status', 'start_time');
  mine.forEach((s, i) => {
    if (i % 2 !== 0 || s.status === 'draft') return;
    const who = i % 4 === 0 ? learner : classmates[(i / 2) % CLASSMATES]!;
    const status = s.status === 'completed' ? 'attended' : s.status === 'cancelled' ? 'cancelled' : 'booked';
    bookings.push({
      session_id: s.id,
      learner_id: who,
      status,
      payment_amount_cents: 2500,
      currency: 'USD',
      cancelled_at: status === 'cancelled' ? s.start_time : null,
      created_at: iso(new Date(s.start_time).getTime() - 10 * DAY),
      updated_at: iso(new Date(s.start_time).getTime() - 10 * DAY),
    });
  });
  // 100 bookings in all: the 30 future sessions add the rest.
  for (const s of mine.filter((x) => x.status === 'scheduled')) {
    if (bookings.length >= 100) break;
    if (bookings.some((b) => b.session_id === s.id)) continue;
    bookings.push({ session_id: s.id, learner_id: learner, status: 'booked', payment_amount_cents: 2500, currency: 'USD', cancelled_at: null, created_at: iso(NOW - DAY), updated_at: iso(NOW - DAY) });
    await db('sessions').where({ id: s.id }).update({ booked_count: 1 });
  }
  await db.batchInsert('bookings', bookings, 100);
  const attended = bookings.filter((b) => b.status === 'attended');
  await db.batchInsert(
    'feedback',
    attended.map((b, i) => ({ session_id: b.session_id, learner_id: b.learner_id, rating: 1 + (i % 5), comment: 'Helpful.', created_at: b.updated_at })),
    100,
  );
  const requests = Array.from({ length: 30 }, (_, i) => {
    const created = NOW - (30 - i) * DAY;
    const status = i % 3 === 0 ? 'pending' : i % 3 === 1 ? 'declined' : 'cancelled';
    return {
      learner_id: i % 2 ? learner : classmates[i % CLASSMATES]!,
      mentor_id: mentor,
      topic: `Topic ${i}`,
      message: 'Could we talk about this?',
      preferred_times: '[]',
      status,
      responded_at: status === 'declined' ? iso(created + 3_600_000) : null,
      decline_reason: status === 'declined' ? 'Busy' : null,
      created_at: iso(created),
      updated_at: iso(created),
    };
  });
  await db.batchInsert('requests', requests, 100);
  await db.batchInsert(
    'payouts',
    Array.from({ length: 5 }, (_, i) => ({
      mentor_id: mentor,
      amount_cents: 1000,
      currency: 'USD',
      status: ['paid', 'paid', 'approved', 'pending', 'rejected'][i],
      requested_at: iso(NOW - (10 - i) * DAY),
      updated_at: iso(NOW - (10 - i) * DAY),
    })),
    100,
  );
  const chatSession = mine.find((s) => s.status === 'completed')!.id;
  await db.batchInsert(
    'chat_messages',
    Array.from({ length: 50 }, (_, i) => ({ session_id: chatSession, sender_id: i % 2 ? mentor : classmates[0]!, body: `Message ${i}`, created_at: iso(NOW - DAY + i * 1000) })),
    100,
  );
  for (const user of [mentor, learner]) {
    await db.batchInsert(
      'notifications',
      Array.from({ length: 300 }, (_, i) => ({
        user_id: user,
        type: 'session_updated',
        message: `Something changed (${i}).`,
        link: '/dashboard#sessions',
        data: '{}',
        read_status: i % 3 !== 0,
        timestamp: iso(NOW - (300 - i) * 3_600_000),
      })),
      100,
    );
  }
  const completedSession = (await db('bookings as b').join('sessions as s', 's.id', 'b.session_id').where({ 's.mentor_id': mentor, 'b.status': 'attended' }).first('s.id')).id as number;
  return { mentor, learner, completedSession, chatSession };
}

// ---------------------------------------------------------------- the background (big database only)

async function insertBackground(db: Knex): Promise<void> {
  const B = BACKGROUND;
  const t0 = performance.now();
  const step = (what: string) => console.error(`  background: ${what} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  const firstUser = ((await db('users').max({ m: 'id' }).first())!.m as number) + 1;
  await db.transaction(async (trx) => {
    await insertUsers(trx, 'mentor', 'other_mentor', B.mentors);
    await insertUsers(trx, 'learner', 'other_learner', B.learners);
  });
  const firstMentor = firstUser;
  const firstLearner = firstUser + B.mentors;
  const firstSession = ((await db('sessions').max({ m: 'id' }).first())!.m as number) + 1;
  step('users');
  // Starts spread evenly from two years ago to a month ahead; each mentor's every tenth session is
  // cancelled (past) or a draft (ahead).
  const spanMinutes = 760 * 1440;
  await db.transaction((trx) =>
    trx.raw(
      `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?),
       timed AS (SELECT n, strftime('%Y-%m-%dT%H:%M:00.000Z', ?, '+' || (n * ? / ?) || ' minutes') AS start FROM seq)
       INSERT INTO sessions (mentor_id, title, description, start_time, duration, end_time, status, price_cents, currency, capacity, booked_count, created_at, updated_at)
       SELECT ? + (n % ?), 'Session ' || n, 'Background', start, 60,
              strftime('%Y-%m-%dT%H:%M:00.000Z', start, '+60 minutes'),
              CASE WHEN start < ? THEN (CASE WHEN n % 10 = 0 THEN 'cancelled' ELSE 'completed' END)
                   ELSE (CASE WHEN n % 10 = 0 THEN 'draft' ELSE 'scheduled' END) END,
              2000, 'USD', 5, 0, start, start
       FROM timed`,
      [B.sessions, iso(NOW - 730 * DAY), spanMinutes, B.sessions, firstMentor, B.mentors, iso(NOW)],
    ),
  );
  step('sessions');
  // Two thirds of the sessions that are not drafts have one booking.
  await db.transaction(async (trx) => {
    await trx.raw(
      `INSERT INTO bookings (session_id, learner_id, status, payment_amount_cents, currency, cancelled_at, created_at, updated_at)
       SELECT id, ? + (id * 7 % ?),
              CASE status WHEN 'completed' THEN 'attended' WHEN 'cancelled' THEN 'cancelled' ELSE 'booked' END,
              2000, 'USD', CASE WHEN status = 'cancelled' THEN start_time END, created_at, created_at
       FROM sessions WHERE id >= ? AND id % 3 <> 0 AND status <> 'draft'`,
      [firstLearner, B.learners, firstSession],
    );
    await trx.raw(
      `UPDATE sessions SET booked_count = 1 WHERE id >= ? AND id % 3 <> 0 AND status IN ('scheduled', 'completed')`,
      [firstSession],
    );
  });
  step('bookings');
  await db.transaction(async (trx) => {
    await trx.raw(
      `INSERT INTO feedback (session_id, learner_id, rating, comment, created_at)
       SELECT session_id, learner_id, 1 + id % 5, 'Fine.', created_at FROM bookings
       WHERE session_id >= ? AND status = 'attended' AND id % 2 = 0`,
      [firstSession],
    );
    await trx.raw(
      `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?)
       INSERT INTO requests (learner_id, mentor_id, topic, message, preferred_times, status, responded_at, created_at, updated_at)
       SELECT ? + (n % ?), ? + (n % ?), 'Topic ' || n, 'Hello', '[]',
              CASE n % 3 WHEN 0 THEN 'pending' WHEN 1 THEN 'declined' ELSE 'cancelled' END,
              CASE WHEN n % 3 = 1 THEN ? END, ?, ?
       FROM seq`,
      [B.requests, firstLearner, B.learners, firstMentor, B.mentors, iso(NOW), iso(NOW - DAY), iso(NOW - DAY)],
    );
    await trx.raw(
      `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?)
       INSERT INTO payouts (mentor_id, amount_cents, currency, status, requested_at, updated_at)
       SELECT ? + (n % ?), 1000, 'USD', CASE n % 4 WHEN 0 THEN 'pending' WHEN 1 THEN 'approved' WHEN 2 THEN 'paid' ELSE 'rejected' END, ?, ?
       FROM seq`,
      [B.payouts, firstMentor, B.mentors, iso(NOW - DAY), iso(NOW - DAY)],
    );
    await trx.raw(
      `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?)
       INSERT INTO chat_messages (session_id, sender_id, body, created_at)
       SELECT ? + (n % ?), ? + (n % ?), 'Hi ' || n, ? FROM seq`,
      [B.chat, firstSession, B.sessions, firstMentor, B.mentors, iso(NOW - DAY)],
    );
  });
  step('feedback, requests, payouts, chat');
  // 1,000,000 notifications over the other 7,000 people, three in four read.
  await db.transaction((trx) =>
    trx.raw(
      `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?)
       INSERT INTO notifications (user_id, type, message, link, data, read_status, read_at, timestamp)
       SELECT ? + (n % ?), 'session_updated', 'Something changed.', '/dashboard#sessions', '{}',
              n % 4 <> 0, CASE WHEN n % 4 <> 0 THEN ? END, ?
       FROM seq`,
      [B.notifications, firstUser, B.mentors + B.learners, iso(NOW), iso(NOW - DAY)],
    ),
  );
  step('notifications');
}

// ---------------------------------------------------------------- measuring

interface Endpoint {
  who: 'mentor' | 'learner';
  path: string;
}

async function measure(server: Server, endpoint: Endpoint, token: string, seconds: number): Promise<autocannon.Result> {
  const result = await autocannon({
    url: `${server.url}${endpoint.path}`,
    connections: CONNECTIONS,
    duration: seconds,
    headers: { Authorization: `Bearer ${token}` },
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${server.name} ${endpoint.path}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result;
}

async function sameAnswer(small: Server, big: Server, endpoint: Endpoint, tokens: { small: string; big: string }): Promise<void> {
  const get = async (s: Server) => {
    const token = s === small ? tokens.small : tokens.big;
    const res = await fetch(`${s.url}${endpoint.path}`, { headers: { Authorization: `Bearer ${token}` } });
    if (res.status !== 200) throw new Error(`${s.name} ${endpoint.path} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  };
  const [a, b] = await Promise.all([get(small), get(big)]);
  // The directories (mentors, open sessions) list everybody's: only their shape is compared.
  if (endpoint.path.startsWith('/api/mentors/?') || endpoint.path === '/api/sessions/') return;
  // Times derived from "now" (analytics' default range) differ by the milliseconds between the calls.
  const strip = (x: Record<string, unknown>) => JSON.stringify(x, (k, v) => (k === 'from' || k === 'to' ? undefined : v));
  if (strip(a) !== strip(b)) console.error(`  warning: ${endpoint.path}: the two databases answer differently for the measured user`);
}

async function main(): Promise<void> {
  const started = performance.now();
  const small = await prepareDatabase();
  const big = await prepareDatabase();
  const [people] = await Promise.all([insertPeople(small.db), insertPeople(big.db)]);
  await insertBackground(big.db);
  const counts = Object.fromEntries(
    await Promise.all(['users', 'sessions', 'bookings', 'notifications'].map(async (t) => [t, Number((await big.db(t).count({ n: '*' }).first())!.n)])),
  );
  console.error(`  big database: ${JSON.stringify(counts)}, built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  await Promise.all([small.db.destroy(), big.db.destroy()]);
  if (process.argv.includes('--build-only')) {
    // For looking at plans by hand: the two databases stay where they are.
    console.log(JSON.stringify({ small: small.databaseUrl, big: big.databaseUrl, people }));
    return;
  }

  const tokensFor = (d: BenchDatabase) => new TokenService(loadConfig({ NODE_ENV: 'test', DATA_DIR: d.dataDir, JWT_SECRET: d.jwtSecret, JWT_ACCESS_TTL: '86400' }).jwt);
  const token = (d: BenchDatabase, who: Endpoint['who']) =>
    tokensFor(d).signAccess({ id: who === 'mentor' ? people!.mentor : people!.learner, role: who, is_admin: false });

  const p = people!;
  const endpoints: Endpoint[] = [
    { who: 'mentor', path: '/api/sessions/?status=scheduled' },
    { who: 'mentor', path: '/api/sessions/' },
    { who: 'mentor', path: `/api/sessions/${p.completedSession}/` },
    { who: 'mentor', path: `/api/sessions/${p.completedSession}/feedback/` },
    { who: 'mentor', path: `/api/sessions/${p.chatSession}/chat/` },
    { who: 'mentor', path: '/api/bookings/' },
    { who: 'mentor', path: '/api/requests/?status=all' },
    { who: 'mentor', path: '/api/earnings/' },
    { who: 'mentor', path: '/api/payouts/' },
    { who: 'mentor', path: '/api/analytics/' },
    { who: 'mentor', path: '/api/notifications/' },
    { who: 'mentor', path: '/api/notifications/?unread=true' },
    { who: 'mentor', path: '/api/profile/' },
    { who: 'mentor', path: `/api/mentors/${p.mentor}/` },
    { who: 'mentor', path: '/api/mentors/?page_size=20' },
    // A page of one mentor: the page's content aside, what the platform's size costs.
    { who: 'mentor', path: '/api/mentors/?page_size=1' },
    { who: 'learner', path: '/api/sessions/' },
    { who: 'learner', path: '/api/sessions/?scope=booked' },
    { who: 'learner', path: '/api/bookings/' },
    { who: 'learner', path: '/api/bookings/?upcoming=true' },
    { who: 'learner', path: '/api/requests/' },
    { who: 'learner', path: '/api/notifications/' },
    { who: 'learner', path: '/api/profile/' },
  ];

  // BENCH_ONLY=<regex>: only the endpoints whose path matches (a re-run of a few).
  const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : undefined;
  if (only) endpoints.splice(0, endpoints.length, ...endpoints.filter((e) => only.test(`${e.who} ${e.path}`)));

  const smallServer = await startOurs(small, 'small');
  const bigServer = await startOurs(big, 'big');
  const rows: Array<{ endpoint: Endpoint; small: number[]; big: number[]; smallP50: number[]; bigP50: number[]; load: number[] }> = [];
  try {
    for (const endpoint of endpoints) {
      const tokens = { small: token(small, endpoint.who), big: token(big, endpoint.who) };
      await sameAnswer(smallServer, bigServer, endpoint, tokens);
      await measure(smallServer, endpoint, tokens.small, WARMUP_SECONDS);
      await measure(bigServer, endpoint, tokens.big, WARMUP_SECONDS);
      const row = { endpoint, small: [] as number[], big: [] as number[], smallP50: [] as number[], bigP50: [] as number[], load: [] as number[] };
      for (let round = 0; round < ROUNDS; round++) {
        const order = round % 2 === 0 ? (['small', 'big'] as const) : (['big', 'small'] as const);
        for (const which of order) {
          const result = await measure(which === 'small' ? smallServer : bigServer, endpoint, tokens[which], SECONDS);
          row[which].push(Math.round(result.requests.average));
          row[which === 'small' ? 'smallP50' : 'bigP50'].push(result.latency.p50);
        }
        row.load.push(Math.round(os.loadavg()[0]! * 100) / 100);
      }
      rows.push(row);
      const ratio = median(row.big) / median(row.small);
      console.error(`  ${endpoint.who.padEnd(7)} ${endpoint.path.padEnd(36)} small ${String(median(row.small)).padStart(6)} req/s  big ${String(median(row.big)).padStart(6)} req/s  big/small ${ratio.toFixed(2)}${ratio < TARGET ? '  < target' : ''}`);
    }
  } finally {
    await Promise.all([smallServer.stop(), bigServer.stop()]);
    await Promise.all([small.cleanup(), big.cleanup()]);
  }
  const summary = rows.map((r) => ({
    who: r.endpoint.who,
    path: r.endpoint.path,
    small_rps: median(r.small),
    big_rps: median(r.big),
    small_p50_ms: median(r.smallP50),
    big_p50_ms: median(r.bigP50),
    ratio: Math.round((median(r.big) / median(r.small)) * 100) / 100,
  }));
  const loads = rows.flatMap((r) => r.load);
  console.error(`\nscale: ${ROUNDS} rounds × ${SECONDS} s, ${CONNECTIONS} connections, load ${Math.min(...loads)}–${Math.max(...loads)}, ${((performance.now() - started) / 1000).toFixed(0)} s in all`);
  console.error(`| who | endpoint | small req/s | big req/s | big p50 ms | big/small |\n| --- | --- | --- | --- | --- | --- |`);
  for (const s of summary) console.error(`| ${s.who} | \`GET ${s.path}\` | ${s.small_rps} | ${s.big_rps} | ${s.big_p50_ms} | ${s.ratio.toFixed(2)}${s.ratio < TARGET ? ' ✗' : ''} |`);
  const missed = summary.filter((s) => s.ratio < TARGET);
  console.log(JSON.stringify({ bench: 'scale', ...machine(), rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS, background: BACKGROUND, summary, met: missed.length === 0 }));
}

await main();
