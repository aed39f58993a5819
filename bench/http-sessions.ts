/**
 * GET /api/sessions/?status=scheduled as a mentor — authenticated (JWT + user load), validated
 * (query coerced and checked against the spec), 20 rows of 30 scheduled sessions presented with
 * their mentor, ready counts and the caller's booking — against a bare Koa hello-world.
 * Two runs of ours: LOG_LEVEL=warn (no per-request line) and LOG_LEVEL=info (one access-log line
 * per request, to a file). Targets: ≥ 40% of bare Koa's requests/s, p99 < 50 ms.
 *
 * Usage: node --import tsx bench/http-sessions.ts   (BENCH_ROUNDS, BENCH_SECONDS to change the run)
 */
import { expectAnswer, insertRows, insertUsers, interleave, prepareDatabase, report, startBareKoa, startOurs, summarize } from './lib/http.ts';

const SCHEDULED = 30;
const OTHER_MENTORS = 50;

const database = await prepareDatabase();
const { db } = database;
const [mentor] = await insertUsers(db, 'mentor', 1, 'bench_mentor');
const others = await insertUsers(db, 'mentor', OTHER_MENTORS, 'other_mentor');
const learners = await insertUsers(db, 'learner', 40);
const now = Date.now();
const session = (mentorId: number, i: number, status: string) => {
  const start = new Date(now + (i + 1) * 3_600_000);
  return {
    mentor_id: mentorId,
    title: `Session ${i}`,
    description: 'A benchmark session',
    start_time: start.toISOString(),
    duration: 60,
    end_time: new Date(start.getTime() + 3_600_000).toISOString(),
    status,
    capacity: 5,
    currency: 'USD',
    created_at: new Date(now).toISOString(),
    updated_at: new Date(now).toISOString(),
  };
};
// The mentor's 30 scheduled sessions (and 10 drafts the filter leaves out); other mentors' sessions
// fill the table the way a real installation would.
const mine = await insertRows(db, 'sessions', Array.from({ length: SCHEDULED }, (_, i) => session(mentor!, i, 'scheduled')));
await insertRows(db, 'sessions', Array.from({ length: 10 }, (_, i) => session(mentor!, SCHEDULED + i, 'draft')));
await insertRows(db, 'sessions', others.flatMap((id) => Array.from({ length: 20 }, (_, i) => session(id, i, 'scheduled'))));
// Two bookings on each of the mentor's sessions, one of them ready.
const bookings = mine.flatMap((sessionId, i) =>
  [0, 1].map((k) => ({
    session_id: sessionId,
    learner_id: learners[(i * 2 + k) % learners.length],
    status: 'booked',
    payment_amount_cents: 0,
    learner_ready_at: k === 0 ? new Date(now).toISOString() : null,
    created_at: new Date(now).toISOString(),
    updated_at: new Date(now).toISOString(),
  })),
);
await insertRows(db, 'bookings', bookings);
for (const id of mine) await db('sessions').where({ id }).update({ booked_count: 2 });

const token = database.tokens.signAccess({ id: mentor!, role: 'mentor', is_admin: false });
const headers = { Authorization: `Bearer ${token}` };
const PATH = '/api/sessions/?status=scheduled';

const bare = await startBareKoa();
const warn = await startOurs(database, 'ours (LOG_LEVEL=warn)');
const info = await startOurs(database, 'ours (LOG_LEVEL=info)', { LOG_LEVEL: 'info' });
try {
  for (const server of [warn, info]) {
    await expectAnswer(`${server.url}${PATH}`, { headers }, 200, (body) => {
      if (body.results.length !== 20 || body.count !== SCHEDULED) throw new Error(`expected 20 of ${SCHEDULED} rows, got ${body.results.length} of ${body.count}`);
    });
  }
  const samples = await interleave([
    { name: 'bare koa', server: bare, request: { method: 'GET' } },
    { name: warn.name, server: warn, path: PATH, request: { method: 'GET', headers } },
    { name: info.name, server: info, path: PATH, request: { method: 'GET', headers } },
  ]);
  report('http-sessions', `GET ${PATH} (mentor, 20 of ${SCHEDULED} rows)`, summarize(samples, 'bare koa'), samples);
} finally {
  await Promise.all([bare.stop(), warn.stop(), info.stop()]);
  await database.cleanup();
}
