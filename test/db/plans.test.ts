/**
 * What a person's pages cost must follow their own rows, not the size of the tables. On a database
 * with background rows (other mentors' sessions, bookings, requests, payouts, chat, and other
 * users' notifications), each hot GET is called as a mentor and as a learner while a query listener
 * records the SQL it really issues; every SELECT is then explained — `EXPLAIN QUERY PLAN` on
 * SQLite (before and after `PRAGMA optimize` gives the planner statistics), `EXPLAIN (FORMAT
 * JSON)` on PostgreSQL (after ANALYZE; scans and hash/merge joins disabled, see postgresAccesses) — and
 * the plan must not walk other users' rows: no scan of a table, and every index search led by a
 * caller's key (an id, user, mentor, learner or session), never by a status, a role or a time.
 *
 * The two directories (mentors, a learner's open sessions) list everybody's rows by nature: there a
 * search led by role or status is expected, but a full scan still fails.
 */
import { expect } from 'chai';
import type { Knex } from 'knex';
import { optimizeDatabase } from '../../src/db/knex.ts';
import type { User } from '../../src/models/index.ts';
import { buildBooking, buildLearner, buildMentor, buildSession, tokenFor } from '../helpers/factories.ts';
import { getTestServer, usePostgres, type TestServer } from '../helpers/server.ts';

/** Derived tables (a COUNT over the page query, grouped subqueries): not stored rows. */
const DERIVED = /^(paginated|per_learner|CONSTANT|\()/;
/** Columns that identify the caller's rows (or rows reached from them). */
const CALLER_KEYS = new Set(['rowid', 'id', 'user_id', 'mentor_id', 'learner_id', 'session_id']);
/** Leading columns allowed in the directories. */
const DIRECTORY_KEYS = new Set([...CALLER_KEYS, 'role', 'status']);

const HEAVY_NOTIFICATIONS = 12_500;

interface Captured {
  sql: string;
  bindings: readonly unknown[];
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Rows in chunks; PostgreSQL wants Date/ISO alike, SQLite ISO text. */
async function insertMany(db: Knex, table: string, rows: Array<Record<string, unknown>>): Promise<void> {
  await db.batchInsert(table, rows, 500);
}

async function background(db: Knex, now: number): Promise<void> {
  const mentors = await Promise.all(Array.from({ length: 100 }, () => buildMentor(db)));
  const learners = await Promise.all(Array.from({ length: 400 }, () => buildLearner(db)));
  const sessions = mentors.flatMap((m, mi) =>
    Array.from({ length: 30 }, (_, i) => {
      const start = now + (i - 24) * 86_400_000 + mi * 60_000;
      const past = start < now;
      return {
        mentor_id: m.id,
        title: `Background ${mi}/${i}`,
        description: '',
        start_time: iso(start),
        duration: 60,
        end_time: iso(start + 3_600_000),
        status: past ? (i % 10 === 0 ? 'cancelled' : 'completed') : 'scheduled',
        price_cents: 1000,
        currency: 'USD',
        capacity: 3,
        booked_count: 0,
        created_at: iso(now),
        updated_at: iso(now),
      };
    }),
  );
  await insertMany(db, 'sessions', sessions);
  const rows: Array<{ id: number; status: string; mentor_id: number }> = await db('sessions').whereIn('mentor_id', mentors.map((m) => m.id)).select('id', 'status', 'mentor_id');
  const bookings = rows
    .filter((s, i) => i % 2 === 0 && s.status !== 'cancelled')
    .map((s, i) => ({
      session_id: s.id,
      learner_id: learners[i % learners.length]!.id,
      status: s.status === 'completed' ? 'attended' : 'booked',
      payment_amount_cents: 1000,
      currency: 'USD',
      created_at: iso(now),
      updated_at: iso(now),
    }));
  await insertMany(db, 'bookings', bookings);
  await insertMany(
    db,
    'feedback',
    bookings.filter((b) => b.status === 'attended').map((b) => ({ session_id: b.session_id, learner_id: b.learner_id, rating: 4, created_at: iso(now) })),
  );
  await insertMany(
    db,
    'requests',
    Array.from({ length: 1200 }, (_, i) => ({
      learner_id: learners[i % learners.length]!.id,
      mentor_id: mentors[i % mentors.length]!.id,
      topic: 'Background',
      message: '',
      preferred_times: '[]',
      status: ['pending', 'declined', 'cancelled'][i % 3],
      created_at: iso(now - i * 60_000),
      updated_at: iso(now - i * 60_000),
    })),
  );
  await insertMany(
    db,
    'payouts',
    Array.from({ length: 400 }, (_, i) => ({
      mentor_id: mentors[i % mentors.length]!.id,
      amount_cents: 100,
      currency: 'USD',
      status: ['pending', 'approved', 'paid', 'rejected'][i % 4],
      requested_at: iso(now - i * 60_000),
      updated_at: iso(now - i * 60_000),
    })),
  );
  await insertMany(
    db,
    'chat_messages',
    rows.slice(0, 1000).map((s, i) => ({ session_id: s.id, sender_id: s.mentor_id, body: `hi ${i}`, created_at: iso(now) })),
  );
  // Most people are learners who only browse: 3,000 more accounts, and 200,000 notifications over
  // everybody, written by one INSERT … SELECT each.
  const seq = (n: number) => `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${n})`;
  await db.raw(
    `${seq(3000)} INSERT INTO users (username, email, password_hash, role, created_at, updated_at)
     SELECT 'browser' || n, 'browser' || n || '@example.test', 'x', 'learner', ?, ? FROM seq`,
    [iso(now), iso(now)],
  );
  const users = (await db('users').max({ m: 'id' }).first())!.m as number;
  const timestamp = usePostgres() ? `?::timestamptz - n * interval '1 second'` : `strftime('%Y-%m-%dT%H:%M:%SZ', ?, '-' || n || ' seconds')`;
  await db.raw(
    `${seq(200_000)} INSERT INTO notifications (user_id, type, message, data, read_status, timestamp)
     SELECT 1 + n % ${users}, 'broadcast', 'Hello', '{}', n % 4 <> 0, ${timestamp} FROM seq`,
    [iso(now)],
  );
}

/** Every table or index access in a plan, with the column leading its search (none for a scan). */
interface Access {
  table: string;
  kind: 'scan' | 'search';
  leading?: string;
  covering: boolean;
  detail: string;
}

async function sqliteAccesses(db: Knex, q: Captured): Promise<Access[]> {
  const rows: Array<{ detail: string }> = await db.raw(`EXPLAIN QUERY PLAN ${q.sql}`, q.bindings as Knex.RawBinding[]);
  const out: Access[] = [];
  for (const { detail } of rows) {
    const scan = /^SCAN (\S+)/.exec(detail);
    if (scan) {
      out.push({ table: scan[1]!, kind: 'scan', covering: /COVERING/.test(detail), detail });
      continue;
    }
    const search = /^SEARCH (\S+) USING (?:.*?)\((\w+)\s*(?:=|>|<|IN\b)/.exec(detail);
    if (search) out.push({ table: search[1]!, kind: 'search', leading: search[2], covering: /COVERING|PRIMARY KEY/.test(detail), detail });
  }
  return out;
}

interface PgPlan {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PgPlan[];
}

async function postgresAccesses(db: Knex, q: Captured): Promise<Access[]> {
  return db.transaction(async (trx) => {
    // On the test's small tables PostgreSQL rightly prefers scans and hash joins; switched off, the
    // plan shows the index path it takes on large tables — and a missing index still shows as a scan.
    await trx.raw('SET LOCAL enable_seqscan = off; SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off');
    const conn = await (trx as unknown as { client: { acquireConnection(): Promise<any>; releaseConnection(c: unknown): Promise<void> } }).client.acquireConnection();
    try {
      const result = await conn.query({ text: `EXPLAIN (FORMAT JSON) ${q.sql}`, values: q.bindings });
      const plan = result.rows[0]['QUERY PLAN'][0].Plan as PgPlan;
      const out: Access[] = [];
      const walk = (node: PgPlan) => {
        const table = node['Relation Name'] ?? node['Index Name']?.replace(/_(index|unique|pkey)$/, '') ?? '';
        if (node['Node Type'] === 'Seq Scan') out.push({ table, kind: 'scan', covering: false, detail: `Seq Scan on ${table}` });
        if (/Index/.test(node['Node Type']) && node['Index Cond']) {
          const leading = /^\(*(?:\w+\.)?(\w+)\)?(?:::[\w ]+)?\s*(?:=|>|<)/.exec(node['Index Cond'])?.[1];
          out.push({ table, kind: 'search', leading, covering: node['Node Type'] === 'Index Only Scan', detail: `${node['Node Type']} using ${node['Index Name']} (${node['Index Cond']})` });
        } else if (/Index/.test(node['Node Type'])) {
          // An index walked without a condition: a full scan in index order.
          out.push({ table, kind: 'scan', covering: false, detail: `${node['Node Type']} using ${node['Index Name']} without a condition` });
        }
        for (const child of node.Plans ?? []) walk(child);
      };
      walk(plan);
      return out;
    } finally {
      await (trx as any).client.releaseConnection(conn);
    }
  });
}

describe('query plans of the hot per-user queries', function () {
  this.timeout(120_000);
  let server: TestServer;
  let mentor: User;
  let learner: User;
  let sessionId: number;
  const captured: Captured[] = [];

  before(async () => {
    server = await getTestServer();
    const { db } = server;
    const now = Date.now();
    mentor = await buildMentor(db);
    learner = await buildLearner(db);
    // 10,000+ notifications, older than everybody else's: a walk of the table in id order would
    // meet all of those first.
    await insertMany(
      db,
      'notifications',
      Array.from({ length: HEAVY_NOTIFICATIONS }, (_, i) => ({
        user_id: i < 2000 ? learner.id : mentor.id,
        type: 'broadcast',
        message: 'Hello',
        data: '{}',
        read_status: i % 5 !== 0,
        timestamp: iso(now - i * 1000),
      })),
    );
    await background(db, now);
    // The caller's own rows: a few sessions ahead, with bookings.
    const mine = [];
    for (let i = 0; i < 6; i++) {
      mine.push(await buildSession(db, { mentor_id: mentor.id, capacity: 3, status: 'scheduled', start_time: new Date(now + (i + 1) * 86_400_000) }));
    }
    for (const s of mine.slice(0, 3)) await buildBooking(db, { session: s, learner_id: learner.id });
    sessionId = mine[0]!.id;
    if (usePostgres()) await db.raw('VACUUM ANALYZE');
    // The real statements, from whichever knex (writer or read pool) the services use.
    const record = (data: { sql: string; bindings?: readonly unknown[] }) => {
      if (/^\s*select/i.test(data.sql)) captured.push({ sql: data.sql, bindings: data.bindings ?? [] });
    };
    server.db.on('query', record);
    if (server.bundle.deps.dbRead !== server.db) server.bundle.deps.dbRead.on('query', record);
  });

  after(async () => {
    await server?.close();
  });

  const mentorPaths = () => [
    '/api/sessions/?status=scheduled',
    `/api/sessions/?status=scheduled&from=${encodeURIComponent(new Date().toISOString())}`,
    '/api/sessions/',
    `/api/sessions/${sessionId}/`,
    `/api/sessions/${sessionId}/feedback/`,
    `/api/sessions/${sessionId}/chat/`,
    '/api/bookings/',
    '/api/requests/',
    '/api/requests/?status=all',
    '/api/earnings/',
    '/api/payouts/',
    '/api/analytics/',
    '/api/notifications/',
    '/api/notifications/?unread=true',
    '/api/notifications/?after=1',
    '/api/profile/',
    `/api/mentors/${mentor.id}/`,
  ];
  const learnerPaths = () => [
    '/api/sessions/?scope=booked',
    '/api/bookings/',
    '/api/bookings/?upcoming=true',
    '/api/requests/',
    '/api/notifications/',
    '/api/notifications/?unread=false',
  ];
  const directoryPaths: Array<[string, 'mentor' | 'learner']> = [
    ['/api/mentors/', 'learner'],
    ['/api/sessions/', 'learner'],
  ];

  /** The statements one GET issues. */
  async function statementsOf(user: User, path: string): Promise<Captured[]> {
    captured.length = 0;
    const res = await server.api.get(path, { token: tokenFor(server, user) });
    expect(res.status, `${path}: ${res.text}`).to.equal(200);
    return [...captured];
  }

  async function problemsOf(statements: Captured[], allowed: Set<string>): Promise<string[]> {
    const problems: string[] = [];
    for (const q of statements) {
      const accesses = usePostgres() ? await postgresAccesses(server.db, q) : await sqliteAccesses(server.db, q);
      for (const a of accesses) {
        // Derived tables (a COUNT over the page query, grouped subqueries) are not stored rows.
        if (a.kind === 'scan' && DERIVED.test(a.table)) continue;
        if (a.kind === 'scan') problems.push(`${a.detail}\n    in: ${q.sql}`);
        else if (!a.leading || !allowed.has(a.leading)) problems.push(`${a.detail} (led by ${a.leading ?? 'nothing'})\n    in: ${q.sql}`);
      }
    }
    return problems;
  }

  async function check(label: string): Promise<void> {
    const problems: string[] = [];
    for (const [user, paths] of [
      [mentor, mentorPaths()],
      [learner, learnerPaths()],
    ] as const) {
      for (const path of paths) {
        for (const p of await problemsOf(await statementsOf(user, path), CALLER_KEYS)) problems.push(`${user.role} GET ${path}: ${p}`);
      }
    }
    for (const [path, role] of directoryPaths) {
      for (const p of await problemsOf(await statementsOf(role === 'mentor' ? mentor : learner, path), DIRECTORY_KEYS)) problems.push(`${role} GET ${path}: ${p}`);
    }
    expect(problems, `${label}: plans that walk other users' rows:\n${problems.join('\n')}`).to.deep.equal([]);
  }

  it(usePostgres() ? 'every hot GET reads only the caller’s rows' : 'every hot GET reads only the caller’s rows, before SQLite has planner statistics', async () => {
    await check(usePostgres() ? 'PostgreSQL' : 'SQLite without statistics');
  });

  if (!usePostgres()) {
    it('and still after PRAGMA optimize has given SQLite its statistics', async () => {
      await optimizeDatabase(server.db, { startup: true });
      await check('SQLite with statistics');
    });
  }

  it('counts 10,000+ notifications from the caller’s index entries alone', async () => {
    const statements = await statementsOf(mentor, '/api/notifications/?page_size=1');
    const count = statements.find((q) => /count\(\*\)/i.test(q.sql) && /read_status/.test(q.sql) && !/paginated/.test(q.sql));
    expect(count, 'the unread count query').to.not.equal(undefined);
    const accesses = usePostgres() ? await postgresAccesses(server.db, count!) : await sqliteAccesses(server.db, count!);
    expect(accesses.map((a) => a.detail)).to.have.length(1);
    expect(accesses[0]!.kind).to.equal('search');
    expect(accesses[0]!.leading).to.equal('user_id');
    expect(accesses[0]!.covering, accesses[0]!.detail).to.equal(true);
    const total = await server.db('notifications').where({ user_id: mentor.id }).count({ n: '*' }).first();
    expect(Number(total!.n)).to.be.greaterThan(10_000);
  });
});
