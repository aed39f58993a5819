/**
 * GET /api/notifications/ as a mentor with 200 notifications (50 unread): the newest 20, the
 * unread count and the page links — against a bare Koa hello-world. LOG_LEVEL=warn.
 *
 * Usage: node --import tsx bench/http-notifications.ts   (BENCH_ROUNDS, BENCH_SECONDS to change the run)
 */
import { expectAnswer, insertRows, insertUsers, interleave, prepareDatabase, report, startBareKoa, startOurs, summarize } from './lib/http.ts';

const NOTIFICATIONS = 200;
const UNREAD = 50;

const database = await prepareDatabase();
const { db } = database;
const [mentor] = await insertUsers(db, 'mentor', 1, 'bench_mentor');
const others = await insertUsers(db, 'learner', 100);
const now = Date.now();
const notification = (userId: number, i: number, read: boolean) => ({
  user_id: userId,
  type: 'booking_created',
  message: `Learner ${i} booked "Session ${i}".`,
  link: `/dashboard#sessions/${i}`,
  data: JSON.stringify({ session: i, booking: i }),
  read_status: read,
  read_at: read ? new Date(now).toISOString() : null,
  timestamp: new Date(now - (NOTIFICATIONS - i) * 60_000).toISOString(),
});
await insertRows(db, 'notifications', Array.from({ length: NOTIFICATIONS }, (_, i) => notification(mentor!, i, i < NOTIFICATIONS - UNREAD)));
// Everyone else's notifications share the table, as they would.
await insertRows(db, 'notifications', others.flatMap((id) => Array.from({ length: 20 }, (_, i) => notification(id, i, i % 2 === 0))));

const token = database.tokens.signAccess({ id: mentor!, role: 'mentor', is_admin: false });
const headers = { Authorization: `Bearer ${token}` };
const PATH = '/api/notifications/';

const bare = await startBareKoa();
const ours = await startOurs(database, 'ours (LOG_LEVEL=warn)');
try {
  await expectAnswer(`${ours.url}${PATH}`, { headers }, 200, (body) => {
    if (body.results.length !== 20 || body.unread_count !== UNREAD) throw new Error(`unexpected page: ${body.results.length} rows, ${body.unread_count} unread`);
  });
  const samples = await interleave([
    { name: 'bare koa', server: bare, request: { method: 'GET' } },
    { name: ours.name, server: ours, path: PATH, request: { method: 'GET', headers } },
  ]);
  report('http-notifications', `GET ${PATH} (mentor, 20 of ${NOTIFICATIONS}, ${UNREAD} unread)`, summarize(samples, 'bare koa'), samples);
} finally {
  await Promise.all([bare.stop(), ours.stop()]);
  await database.cleanup();
}
