import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { createKnex } from '../../src/db/knex.ts';
import { migrateLatest, migrationConfig, migrationStatus, rollbackAll } from '../../src/db/migrate.ts';
import { freshDatabase } from '../helpers/server.ts';

const TABLES = ['users', 'refresh_tokens', 'sessions', 'bookings', 'requests', 'notifications', 'feedback', 'payouts', 'chat_messages', 'room_presence', 'api_keys'];

async function exerciseConstraints(db: Knex) {
  const now = new Date().toISOString();
  const later = new Date(Date.now() + 3600_000).toISOString();
  const [mentor] = await db('users').insert({ username: 'm', email: 'm@x.io', password_hash: 'x', role: 'mentor', created_at: now, updated_at: now }).returning('id');
  const [learner] = await db('users').insert({ username: 'l', email: 'l@x.io', password_hash: 'x', role: 'learner', created_at: now, updated_at: now }).returning('id');
  const mentorId = typeof mentor === 'object' ? mentor.id : mentor;
  const learnerId = typeof learner === 'object' ? learner.id : learner;
  const rejects = async (p: Promise<unknown>) => {
    let failed = false;
    try {
      await p;
    } catch {
      failed = true;
    }
    expect(failed, 'the database accepted a row that breaks a constraint').to.equal(true);
  };
  // Case-insensitive unique username; role check.
  await rejects(db('users').insert({ username: 'M', email: 'other@x.io', password_hash: 'x', role: 'mentor', created_at: now, updated_at: now }));
  await rejects(db('users').insert({ username: 'z', email: 'z@x.io', password_hash: 'x', role: 'admin', created_at: now, updated_at: now }));
  const session = { mentor_id: mentorId, title: 't', start_time: now, duration: 60, end_time: later, status: 'scheduled', capacity: 1, created_at: now, updated_at: now };
  const [s] = await db('sessions').insert(session).returning('id');
  const sessionId = typeof s === 'object' ? s.id : s;
  await rejects(db('sessions').insert({ ...session, status: 'bogus' }));
  await rejects(db('sessions').insert({ ...session, booked_count: 2 }));
  await rejects(db('sessions').insert({ ...session, mentor_id: 99999 })); // foreign key
  // Participant count can never pass capacity.
  await db('sessions').where({ id: sessionId }).update({ booked_count: 1 });
  await rejects(db('sessions').where({ id: sessionId }).update({ booked_count: 2 }));
  // One live booking per learner and session; a cancelled one does not count.
  const booking = { session_id: sessionId, learner_id: learnerId, status: 'booked', created_at: now, updated_at: now };
  await db('bookings').insert(booking);
  await rejects(db('bookings').insert(booking));
  await db('bookings').where({ session_id: sessionId }).update({ status: 'cancelled', cancelled_at: now });
  await db('bookings').insert(booking);
  // One feedback per learner and session; rating 1..5.
  const fb = { session_id: sessionId, learner_id: learnerId, rating: 5, created_at: now };
  await db('feedback').insert(fb);
  await rejects(db('feedback').insert(fb));
  await rejects(db('feedback').insert({ ...fb, learner_id: mentorId, rating: 6 }));
  // One payout per mentor and idempotency key; positive amounts.
  const payout = { mentor_id: mentorId, amount_cents: 100, idempotency_key: 'k1', requested_at: now, updated_at: now };
  await db('payouts').insert(payout);
  await rejects(db('payouts').insert(payout));
  await rejects(db('payouts').insert({ ...payout, idempotency_key: 'k2', amount_cents: 0 }));
  // One notification per dedupe key (reminders).
  const n = { user_id: learnerId, type: 'session_reminder', message: 'soon', timestamp: now, dedupe_key: 'reminder:1:2' };
  await db('notifications').insert(n);
  await rejects(db('notifications').insert(n));
  // A request cannot be addressed to oneself.
  await rejects(db('requests').insert({ learner_id: mentorId, mentor_id: mentorId, topic: 't', created_at: now, updated_at: now }));
  // Provisioned users have no password and unique external ids; API key prefixes are unique.
  const provisioned = { email: 'p@x.io', password_hash: null, external_id: 'ext-1', role: 'learner', created_at: now, updated_at: now };
  await db('users').insert({ ...provisioned, username: 'p' });
  await rejects(db('users').insert({ ...provisioned, username: 'q', email: 'q@x.io' }));
  const apiKey = { name: 'k', prefix: 'mdk_abcdefgh', key_hash: 'f'.repeat(64), scopes: '[]', created_by: mentorId, created_at: now };
  await db('api_keys').insert(apiKey);
  await rejects(db('api_keys').insert({ ...apiKey, key_hash: 'e'.repeat(64) }));
}

async function tables(db: Knex): Promise<string[]> {
  if (db.client.config.client === 'sqlite3') {
    const rows = await db('sqlite_master').where({ type: 'table' }).select('name');
    return rows.map((r: { name: string }) => r.name);
  }
  const rows = await db('information_schema.tables').where({ table_schema: 'public' }).select('table_name');
  return rows.map((r: { table_name: string }) => r.table_name);
}

function suite(name: string, open: () => Promise<{ db: Knex; done: () => Promise<void> }>) {
  describe(`migrations on ${name}`, () => {
    let db: Knex;
    let done: () => Promise<void>;
    before(async () => ({ db, done } = await open()));
    after(() => done());

    it('migrates up, enforces the constraints, and migrates down to nothing', async () => {
      expect(await migrateLatest(db)).to.have.length.greaterThan(0);
      expect((await migrationStatus(db)).pending).to.deep.equal([]);
      expect(await tables(db)).to.include.members(TABLES);
      await exerciseConstraints(db);
      await rollbackAll(db);
      const left = (await tables(db)).filter((t) => TABLES.includes(t));
      expect(left).to.deep.equal([]);
      // And up again from scratch.
      await migrateLatest(db);
      expect(await tables(db)).to.include.members(TABLES);
    });

    it('attendance: adds no_show (old unmarked bookings of completed sessions become no_show) and room_presence, and undoes it', async () => {
      await rollbackAll(db);
      const config = migrationConfig();
      await db.migrate.up({ ...config, name: '20261124000000_initial' });
      const now = new Date().toISOString();
      const later = new Date(Date.now() + 3600_000).toISOString();
      const id = (row: unknown) => (typeof row === 'object' ? (row as { id: number }).id : (row as number));
      const user = async (name: string, role: string) =>
        id((await db('users').insert({ username: name, email: `${name}@x.io`, password_hash: 'x', role, created_at: now, updated_at: now }).returning('id'))[0]);
      const mentorId = await user('am', 'mentor');
      const learnerId = await user('al', 'learner');
      const session = (status: string) => ({ mentor_id: mentorId, title: 't', start_time: now, duration: 60, end_time: later, status, capacity: 3, created_at: now, updated_at: now });
      const done = id((await db('sessions').insert(session('completed')).returning('id'))[0]);
      const open = id((await db('sessions').insert(session('scheduled')).returning('id'))[0]);
      const booking = (sessionId: number, status: string) => ({ session_id: sessionId, learner_id: learnerId, status, created_at: now, updated_at: now });
      const unmarked = id((await db('bookings').insert(booking(done, 'booked')).returning('id'))[0]);
      const upcoming = id((await db('bookings').insert(booking(open, 'booked')).returning('id'))[0]);
      const rejects = async (p: Promise<unknown>) => {
        let failed = false;
        try {
          await p;
        } catch {
          failed = true;
        }
        expect(failed, 'the database accepted a row that breaks a constraint').to.equal(true);
      };
      await rejects(db('bookings').insert(booking(open, 'no_show')));

      await migrateLatest(db);
      const status = async (bookingId: number) => (await db('bookings').where({ id: bookingId }).first()).status;
      expect(await status(unmarked)).to.equal('no_show');
      expect(await status(upcoming)).to.equal('booked');
      // The rebuilt table keeps its constraints and indexes.
      await rejects(db('bookings').insert(booking(open, 'bogus')));
      await rejects(db('bookings').insert(booking(open, 'booked'))); // one live booking per learner and session
      await rejects(db('bookings').insert({ ...booking(open, 'cancelled') })); // cancelled_at required
      const presence = { session_id: done, user_id: learnerId, connection_id: 'peer-1', joined_at: now, left_at: later };
      await db('room_presence').insert(presence);
      await rejects(db('room_presence').insert({ ...presence, joined_at: later, left_at: now }));
      await rejects(db('room_presence').insert({ ...presence, session_id: 999999 }));

      await db.migrate.down({ ...config, name: '20261202020000_attendance' });
      expect(await status(unmarked)).to.equal('booked');
      await rejects(db('bookings').insert(booking(done, 'no_show')));
      expect(await tables(db)).to.not.include('room_presence');
      await migrateLatest(db);
    });

    it('mentor_stats: backfilled from the rows, kept by triggers through every write, and undone', async () => {
      const MIGRATION = '20261203010000_mentor_stats';
      await migrateLatest(db);
      const config = migrationConfig();
      await db.migrate.down({ ...config, name: MIGRATION });
      expect(await tables(db)).to.not.include('mentor_stats');
      const now = new Date().toISOString();
      const later = new Date(Date.now() + 3600_000).toISOString();
      const id = (row: unknown) => (typeof row === 'object' ? (row as { id: number }).id : (row as number));
      const user = async (name: string, role: string) =>
        id((await db('users').insert({ username: name, email: `${name}@x.io`, password_hash: 'x', role, created_at: now, updated_at: now }).returning('id'))[0]);
      const [m1, m2, l1, l2] = [await user('sm1', 'mentor'), await user('sm2', 'mentor'), await user('sl1', 'learner'), await user('sl2', 'learner')];
      const session = async (mentorId: number, status: string) =>
        id((await db('sessions').insert({ mentor_id: mentorId, title: 't', start_time: now, duration: 60, end_time: later, status, capacity: 3, created_at: now, updated_at: now }).returning('id'))[0]);
      const feedback = (sessionId: number, learnerId: number, rating: number) => db('feedback').insert({ session_id: sessionId, learner_id: learnerId, rating, created_at: now });
      const s1 = await session(m1, 'completed');
      const s2 = await session(m1, 'completed');
      await session(m1, 'scheduled');
      await feedback(s1, l1, 5);
      await feedback(s1, l2, 4);
      await feedback(s2, l1, 2);

      /** The counters against the aggregates they replace, for every mentor. */
      const check = async (step: string) => {
        const stats = new Map(
          ((await db('mentor_stats').select('*')) as Array<Record<string, number | string>>).map((r) => [Number(r.mentor_id), r]),
        );
        for (const mentorId of [m1, m2]) {
          const completed = Number((await db('sessions').where({ mentor_id: mentorId, status: 'completed' }).count({ n: '*' }))[0]!.n);
          const rated = (await db('feedback').join('sessions', 'sessions.id', 'feedback.session_id').where('sessions.mentor_id', mentorId)
            .sum({ sum: 'feedback.rating' }).count({ n: '*' }))[0] as { sum: number | string | null; n: number | string };
          const row = stats.get(mentorId);
          expect(
            { completed: Number(row?.completed_sessions ?? 0), sum: Number(row?.rating_sum ?? 0), count: Number(row?.rating_count ?? 0) },
            `${step}: mentor ${mentorId === m1 ? 'm1' : 'm2'}`,
          ).to.deep.equal({ completed, sum: Number(rated.sum ?? 0), count: Number(rated.n) });
        }
      };

      await db.migrate.up({ ...config, name: MIGRATION });
      const m1Row = await db('mentor_stats').where({ mentor_id: m1 }).first();
      expect([m1Row.completed_sessions, m1Row.rating_sum, m1Row.rating_count].map(Number)).to.deep.equal([2, 11, 3]);
      await check('backfill');

      const s3 = await session(m2, 'scheduled');
      await check('a scheduled session');
      await db('sessions').where({ id: s3 }).update({ status: 'completed' });
      await check('completed');
      await feedback(s3, l1, 3);
      await check('feedback');
      await db('feedback').where({ session_id: s3, learner_id: l1 }).update({ rating: 1 });
      await check('rating changed');
      await db('sessions').where({ id: s2 }).update({ status: 'cancelled' });
      await check('a completed session cancelled');
      await db('sessions').where({ id: s2 }).update({ mentor_id: m2 });
      await check('a session moved to another mentor');
      await db('feedback').where({ session_id: s1, learner_id: l2 }).delete();
      await check('feedback deleted');
      await db('sessions').where({ id: s1 }).delete();
      await check('a session deleted with its feedback');
      expect(Number((await db('mentor_stats').where({ mentor_id: m1 }).first()).rating_count)).to.equal(0);
      await session(m1, 'completed');
      await db('users').where({ id: m2 }).delete();
      expect(await db('mentor_stats').where({ mentor_id: m2 }).first()).to.equal(undefined);
      await check('a mentor deleted');

      await db.migrate.down({ ...config, name: MIGRATION });
      expect(await tables(db)).to.not.include('mentor_stats');
      await migrateLatest(db);
      await check('migrated up again');
    });
  });
}

suite('SQLite', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'md-mig-'));
  const db = createKnex(`sqlite://${path.join(dir, 'db.sqlite3')}`);
  return {
    db,
    done: async () => {
      const mode = await db.raw('PRAGMA journal_mode');
      expect(mode[0].journal_mode).to.equal('wal');
      const fk = await db.raw('PRAGMA foreign_keys');
      expect(fk[0].foreign_keys).to.equal(1);
      await db.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});

if (process.env.TEST_DATABASE_URL) {
  suite('PostgreSQL', async () => {
    const fresh = await freshDatabase(os.tmpdir(), 'postgres');
    const db = createKnex(fresh.url);
    return { db, done: async () => { await db.destroy(); await fresh.drop(); } };
  });
} else {
  describe('migrations on PostgreSQL', () => {
    it('needs TEST_DATABASE_URL (set by .ci/run); not configured here', function () {
      if (process.env.CI) throw new Error('CI must set TEST_DATABASE_URL');
      this.skip();
    });
  });
}

describe('concurrent start-up migrations', () => {
  it('lets several processes migrate the same database at once (the lock holder wins, the others wait)', async function () {
    this.timeout(30000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'md-mig-lock-'));
    const fresh = await freshDatabase(dir);
    const clients = [createKnex(fresh.url), createKnex(fresh.url), createKnex(fresh.url)];
    try {
      const results = await Promise.all(clients.map((k) => migrateLatest(k)));
      // Exactly one of them applied the migrations; all end up current.
      expect(results.filter((applied) => applied.length > 0)).to.have.length(1);
      for (const k of clients) expect((await migrationStatus(k)).pending).to.deep.equal([]);
    } finally {
      await Promise.all(clients.map((k) => k.destroy()));
      await fresh.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('stale migration locks', () => {
  it('takes over a lock file left by a dead process and a knex lock left set by a crash', async function () {
    this.timeout(30000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'md-mig-stale-'));
    const file = path.join(dir, 'db.sqlite3');
    const db = createKnex(`sqlite://${file}`);
    try {
      await migrateLatest(db);
      await rollbackAll(db);
      // A migrator that died: its lock file names a pid that no longer exists, and knex's lock is set.
      const { spawnSync } = await import('node:child_process');
      const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
      fs.writeFileSync(`${file}.migrate.lock`, dead);
      await db('knex_migrations_lock').update({ is_locked: 1 });
      expect(await migrateLatest(db)).to.have.length.greaterThan(0);
      expect(fs.existsSync(`${file}.migrate.lock`)).to.equal(false);
      expect((await migrationStatus(db)).pending).to.deep.equal([]);
    } finally {
      await db.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
