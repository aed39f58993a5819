/**
 * `paginate` (src/lib/pagination.ts) takes the total from the page query itself (a COUNT of the
 * whole query as a scalar subquery) and makes a separate COUNT only for a page past the end, where
 * no row carries it. Run against the configured database (SQLite, or PostgreSQL with
 * TEST_DB=postgres), since the SQL is the point.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { createKnex } from '../../src/db/knex.ts';
import { migrateLatest } from '../../src/db/migrate.ts';
import { paginate } from '../../src/lib/pagination.ts';
import { Booking, Session, type User } from '../../src/models/index.ts';
import type { AppContext } from '../../src/types.ts';
import { buildBooking, buildLearner, buildMentor, buildSession } from '../helpers/factories.ts';
import { freshDatabase } from '../helpers/server.ts';

describe('paginate', () => {
  let dataDir: string;
  let drop: () => Promise<void>;
  let db: Knex;
  let mentor: User;
  let sessions: Session[];
  let queries: string[];

  const ctx = (querystring = '') => ({ path: '/api/sessions/', querystring }) as AppContext;
  const mine = () => Session.query(db).where('mentor_id', mentor.id).orderBy('start_time').orderBy('id');
  const ids = (rows: Session[]) => rows.map((s) => s.id);
  const record = (q: { sql: string }) => queries.push(q.sql);

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'md-pagination-'));
    const database = await freshDatabase(dataDir);
    drop = database.drop;
    db = createKnex(database.url);
    await migrateLatest(db);
    mentor = await buildMentor(db);
    const other = await buildMentor(db);
    const base = Date.UTC(2031, 0, 1);
    sessions = [];
    for (let i = 0; i < 5; i++) {
      sessions.push(await buildSession(db, { mentor_id: mentor.id, start_time: new Date(base + i * 3_600_000), capacity: 3 }));
    }
    await buildSession(db, { mentor_id: other.id, start_time: new Date(base) });
    db.on('query', record);
  });

  beforeEach(() => {
    queries = [];
  });

  after(async () => {
    db.off('query', record);
    await db.destroy();
    await drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers a page and the total in one query, the rows without the count column', async () => {
    const page = await paginate(ctx('page_size=2'), mine(), { page_size: 2 }, (rows) => rows);
    expect(page.count).to.equal(5);
    expect(ids(page.results)).to.deep.equal(ids(sessions.slice(0, 2)));
    expect(page.next).to.equal('/api/sessions/?page_size=2&page=2');
    expect(page.previous).to.equal(null);
    expect(queries).to.have.length(1);
    expect(Object.keys(page.results[0]!).sort()).to.deep.equal(Object.keys(sessions[0]!).sort());
    expect(page.results[0]!.start_time).to.be.instanceOf(Date);
  });

  it('counts the whole query on the last page, which is not full', async () => {
    const page = await paginate(ctx(), mine(), { page: 3, page_size: 2 }, (rows) => rows);
    expect(page.count).to.equal(5);
    expect(ids(page.results)).to.deep.equal([sessions[4]!.id]);
    expect(page.next).to.equal(null);
    expect(page.previous).to.equal('/api/sessions/?page=2');
    expect(queries).to.have.length(1);
  });

  it('still reports the count past the last page (a separate COUNT), linking back to the last page', async () => {
    const page = await paginate(ctx('page=9&page_size=2'), mine(), { page: 9, page_size: 2 }, (rows) => rows);
    expect(page).to.deep.equal({ count: 5, next: null, previous: '/api/sessions/?page=3&page_size=2', results: [] });
    expect(queries).to.have.length(2);
  });

  it('answers an empty first page with count 0 and no second query', async () => {
    const none = Session.query(db).where('mentor_id', -1).orderBy('id');
    const page = await paginate(ctx(), none, {}, (rows) => rows);
    expect(page).to.deep.equal({ count: 0, next: null, previous: null, results: [] });
    expect(queries).to.have.length(1);
  });

  it('keeps an explicit select and a join (the bookings listing)', async () => {
    const learner = await buildLearner(db);
    for (const session of sessions.slice(0, 3)) await buildBooking(db, { session, learner_id: learner.id });
    queries = [];
    const query = Booking.query(db)
      .joinRelated('session')
      .select('bookings.*')
      .where('bookings.learner_id', learner.id)
      .orderBy('session.start_time')
      .orderBy('bookings.id');
    const page = await paginate(ctx(), query, { page_size: 2 }, (rows) => rows.map((b) => b.session_id));
    expect(page.count).to.equal(3);
    expect(page.results).to.deep.equal(ids(sessions.slice(0, 2)));
    expect(queries).to.have.length(1);
  });

  it('counts groups, as the separate COUNT would', async () => {
    const perMentor = Session.query(db).select('mentor_id').count({ n: '*' }).groupBy('mentor_id').orderBy('mentor_id');
    const page = await paginate(ctx(), perMentor, { page_size: 1 }, (rows) => rows);
    expect(page.count).to.equal(2);
    expect(page.results).to.have.length(1);
  });

  it('counts a DISTINCT query as DISTINCT leaves it', async () => {
    const distinctMentors = Session.query(db).distinct('mentor_id').orderBy('mentor_id');
    const page = await paginate(ctx(), distinctMentors, { page_size: 1 }, (rows) => rows.map((s) => s.mentor_id));
    expect(page.count).to.equal(2);
    expect(page.results).to.deep.equal([mentor.id]);
    expect(queries).to.have.length(1);
  });
});
