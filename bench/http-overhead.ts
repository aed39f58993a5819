/**
 * Where the time goes, step by step, against a bare Koa hello-world in the same run:
 *   GET /healthz          — our whole middleware stack (request id, errors, security headers, CORS,
 *                           routing, validation), no token, no database; at LOG_LEVEL=warn and =info;
 *   GET /api/rtc/config/  — the same plus bearer authentication: JWT verification and the
 *                           per-request user load (one indexed query), no other database work.
 * The listing benchmarks (http-sessions, http-notifications) add their queries on top of this.
 *
 * Usage: node --import tsx bench/http-overhead.ts   (BENCH_ROUNDS, BENCH_SECONDS to change the run)
 */
import { expectAnswer, insertUsers, interleave, prepareDatabase, report, startBareKoa, startOurs, summarize } from './lib/http.ts';

const database = await prepareDatabase();
const [mentor] = await insertUsers(database.db, 'mentor', 1, 'bench_mentor');
await insertUsers(database.db, 'learner', 1000);
const headers = { Authorization: `Bearer ${database.tokens.signAccess({ id: mentor!, role: 'mentor', is_admin: false })}` };

const bare = await startBareKoa();
const warn = await startOurs(database, 'ours (LOG_LEVEL=warn)');
const info = await startOurs(database, 'ours (LOG_LEVEL=info)', { LOG_LEVEL: 'info' });
try {
  await expectAnswer(`${warn.url}/api/rtc/config/`, { headers }, 200);
  const samples = await interleave([
    { name: 'bare koa', server: bare, request: { method: 'GET' } },
    { name: 'healthz, warn', server: warn, path: '/healthz', request: { method: 'GET' } },
    { name: 'healthz, info', server: info, path: '/healthz', request: { method: 'GET' } },
    { name: 'rtc config (auth), warn', server: warn, path: '/api/rtc/config/', request: { method: 'GET', headers } },
  ]);
  report('http-overhead', 'GET /healthz (middleware only) and GET /api/rtc/config/ (plus JWT and the user load)', summarize(samples, 'bare koa'), samples);
} finally {
  await Promise.all([bare.stop(), warn.stop(), info.stop()]);
  await database.cleanup();
}
