/**
 * POST /api/sessions/{id}/book/ — every request a successful booking: a different learner takes a
 * seat on one of 60 scheduled sessions with room for all of them, so each request runs the whole
 * write path (token, user, locked session, conditional seat update, booking insert, the mentor's
 * notification in the same transaction, commit, the post-commit push, the 201 presentation).
 * The (learner, session) pairs are used in turn and never twice: no answer is a 409.
 * Against a bare Koa hello-world answering the same POST. LOG_LEVEL=warn.
 *
 * Usage: node --import tsx bench/http-book.ts   (BENCH_ROUNDS, BENCH_SECONDS to change the run)
 */
import { expectAnswer, insertRows, insertUsers, interleave, prepareDatabase, report, startBareKoa, startOurs, summarize } from './lib/http.ts';

const SESSIONS = 60;
const LEARNERS = 500;

const database = await prepareDatabase();
const { db } = database;
const [mentor] = await insertUsers(db, 'mentor', 1, 'bench_mentor');
const learners = await insertUsers(db, 'learner', LEARNERS);
const now = Date.now();
const sessions = await insertRows(
  db,
  'sessions',
  Array.from({ length: SESSIONS }, (_, i) => {
    const start = new Date(now + (i + 24) * 3_600_000);
    return {
      mentor_id: mentor,
      title: `Group session ${i}`,
      description: '',
      start_time: start.toISOString(),
      duration: 60,
      end_time: new Date(start.getTime() + 3_600_000).toISOString(),
      status: 'scheduled',
      capacity: LEARNERS,
      price_cents: 1500,
      currency: 'USD',
      created_at: new Date(now).toISOString(),
      updated_at: new Date(now).toISOString(),
    };
  }),
);
const authorization = learners.map((id) => `Bearer ${database.tokens.signAccess({ id, role: 'learner', is_admin: false })}`);

/** The i-th booking: sessions in turn, the next learner once every session had one. */
let next = 0;
function nextBooking(): { path: string; authorization: string } {
  const i = next++;
  if (i >= SESSIONS * LEARNERS) throw new Error('out of (learner, session) pairs: raise LEARNERS');
  return { path: `/api/sessions/${sessions[i % SESSIONS]}/book/`, authorization: authorization[Math.floor(i / SESSIONS)]! };
}

const bare = await startBareKoa();
const ours = await startOurs(database, 'ours (LOG_LEVEL=warn)');
try {
  const first = nextBooking();
  await expectAnswer(`${ours.url}${first.path}`, { method: 'POST', headers: { Authorization: first.authorization } }, 201);
  const samples = await interleave([
    { name: 'bare koa', server: bare, request: { method: 'POST' } },
    {
      name: ours.name,
      server: ours,
      request: {
        requests: [
          {
            method: 'POST',
            setupRequest: (req) => {
              const booking = nextBooking();
              return { ...req, path: booking.path, headers: { ...req.headers, authorization: booking.authorization } };
            },
          },
        ],
      },
    },
  ]);
  report('http-book', `POST /api/sessions/{id}/book/ (${next} bookings, each a new learner-session pair)`, summarize(samples, 'bare koa'), samples);
} finally {
  await Promise.all([bare.stop(), ours.stop()]);
  await database.cleanup();
}
