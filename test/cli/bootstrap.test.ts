/**
 * The local bootstrap commands (db, seed, admin create) and the command-line contract (usage
 * errors, help, exit codes, plain output off a terminal), run as child processes.
 */
import { expect } from 'chai';
import type { Knex } from 'knex';
import { createKnex } from '../../src/db/knex.ts';
import { DEMO_TABLES } from '../../src/seed/demo.ts';
import { verifyPassword } from '../../src/auth/passwords.ts';
import { User } from '../../src/models/index.ts';
import { CliSandbox, expectPlain } from './helpers.ts';

async function rowCounts(db: Knex): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of DEMO_TABLES) {
    const row = await db(table).count({ n: '*' }).first();
    counts[table] = Number(row?.n);
  }
  return counts;
}

describe('mentorctl: local bootstrap', function () {
  this.timeout(60000);
  let cli: CliSandbox;
  let db: Knex;

  before(async () => {
    cli = await CliSandbox.create();
  });
  after(async () => {
    await db?.destroy();
    await cli.cleanup();
  });

  it('migrates a fresh data folder, reports the status and is a no-op the second time', async () => {
    const before = await cli.ok(['db', 'status', '--json']);
    expect(JSON.parse(before.stdout).pending).to.have.length.greaterThan(0);

    const first = await cli.ok(['db', 'migrate']);
    expect(first.stdout).to.match(/Applied \d+ migrations? to/);
    expect(first.stdout).to.include('initial');
    expect(first.stderr).to.match(/Applying migrations/); // the progress line, plain off a terminal
    expectPlain(first.stdout + first.stderr);

    const again = await cli.ok(['db', 'migrate']);
    expect(again.stdout).to.match(/is up to date/);
    const status = JSON.parse((await cli.ok(['db', 'status', '--json'])).stdout);
    expect(status.pending).to.deep.equal([]);
    expect(status.applied).to.include('20261124000000_initial');
    db = createKnex(cli.databaseUrl);
  });

  it('creates an admin from flags, with the same rules as the API', async () => {
    const bad = await cli.run(['admin', 'create', '--username', 'a', '--email', 'a@x.io', '--password', 'long-enough-pw']);
    expect(bad.code).to.equal(2);
    expect(bad.stderr.trim()).to.match(/^error: --username: must be 3–150 letters/);

    const short = await cli.run(['admin', 'create', '--username', 'ada', '--email', 'a@x.io', '--password', 'short']);
    expect(short.code).to.equal(2);
    expect(short.stderr).to.include('--password');

    const email = await cli.run(['admin', 'create', '--username', 'ada', '--email', 'not-an-address', '--password', 'long-enough-pw']);
    expect(email.code).to.equal(2);
    expect(email.stderr.trim()).to.equal('error: --email: must be a valid email address');

    const ok = await cli.ok(['admin', 'create', '--username', 'ada', '--email', 'a@x.io', '--password', 'long-enough-pw']);
    expect(ok.stdout).to.match(/Created admin ada \(id \d+, learner\)/);
    const user = await User.query(db).where({ username: 'ada' }).first();
    expect(user?.is_admin).to.equal(true);
    expect(user?.is_active).to.equal(true);
    expect(await verifyPassword('long-enough-pw', user!.password_hash!)).to.equal(true);
  });

  it('refuses a taken username with the field named and exit 1', async () => {
    const taken = await cli.run(['admin', 'create', '--username', 'ADA', '--email', 'other@x.io', '--password', 'long-enough-pw']);
    expect(taken.code).to.equal(1);
    expect(taken.stderr).to.include('error: Conflict (409): This username is already in use.');
    expect(taken.stderr).to.include('--username: this username is already in use');
    expect(taken.stderr).not.to.match(/\bat .*\.ts:\d+/); // no stack trace
  });

  it('without a terminal, a missing value is exit 2 with one line naming the flag (never a prompt)', async () => {
    const result = await cli.run(['admin', 'create', '--username', 'bob', '--email', 'bob@x.io']);
    expect(result.code).to.equal(2);
    expect(result.stdout).to.equal('');
    expect(result.stderr.trim().split('\n')).to.deep.equal([
      'error: missing --password (stdin is not a terminal, so it cannot be asked for)',
    ]);
  });

  it('seeds the demo idempotently: a second run leaves the same row counts', async () => {
    const first = await cli.ok(['seed', '--demo']);
    expect(first.stdout).to.match(/Added the demo data to .*: 12 users, \d+ sessions/);
    expect(first.stdout).to.match(/amara\.okafor\s+mentor\s+demo-password/);
    expect(first.stdout).to.match(/liam\.chen\s+learner\s+demo-password/);
    const counts = await rowCounts(db);
    for (const table of DEMO_TABLES) expect(counts[table], table).to.be.greaterThan(0);

    const second = await cli.ok(['seed', '--demo']);
    expect(second.stdout).to.match(/already in .*; nothing was added/);
    expect(second.stdout).to.include('amara.okafor'); // the credentials are printed again
    expect(await rowCounts(db)).to.deep.equal(counts);
  });

  it('seeds a demo that keeps every rule of the data model', async () => {
    const now = new Date().toISOString();
    const statuses = async (table: string) =>
      (await db(table).distinct('status').orderBy('status')).map((r: { status: string }) => r.status);
    expect(await statuses('sessions')).to.deep.equal(['cancelled', 'completed', 'draft', 'in_progress', 'scheduled']);
    expect(await statuses('bookings')).to.deep.equal(['attended', 'booked', 'cancelled', 'no_show']);
    expect(await statuses('requests')).to.deep.equal(['accepted', 'cancelled', 'declined', 'pending']);
    expect(await statuses('payouts')).to.deep.equal(['approved', 'paid', 'pending', 'rejected']);

    const sessions = await db('sessions').select('id', 'status', 'start_time', 'end_time', 'duration', 'booked_count', 'price_cents');
    const live = await db('bookings').whereNot({ status: 'cancelled' }).select('session_id');
    const liveBySession = new Map<number, number>();
    for (const b of live) liveBySession.set(b.session_id, (liveBySession.get(b.session_id) ?? 0) + 1);
    const iso = (v: string | Date) => new Date(v).toISOString();
    for (const s of sessions) {
      expect(s.booked_count, `session ${s.id} booked_count`).to.equal(liveBySession.get(s.id) ?? 0);
      expect(new Date(s.end_time).getTime() - new Date(s.start_time).getTime()).to.equal(s.duration * 60_000);
      if (s.status === 'scheduled' || s.status === 'draft') expect(iso(s.start_time) > now, `session ${s.id} starts later`).to.equal(true);
      if (s.status === 'completed') expect(iso(s.end_time) < now, `session ${s.id} is over`).to.equal(true);
    }
    // Priced and free; spread over the last twelve months and the coming weeks.
    expect(sessions.some((s) => s.price_cents === null)).to.equal(true);
    expect(sessions.some((s) => s.price_cents > 0)).to.equal(true);
    const starts = sessions.map((s) => new Date(s.start_time).getTime());
    expect(Math.min(...starts)).to.be.below(Date.now() - 300 * 86_400_000);
    expect(Math.max(...starts)).to.be.above(Date.now() + 14 * 86_400_000);

    // Feedback only from learners who attended a completed session (one each: a unique index).
    const strayFeedback = await db('feedback as f')
      .join('sessions as s', 's.id', 'f.session_id')
      .leftJoin('bookings as b', (j) => j.on('b.session_id', 'f.session_id').andOn('b.learner_id', 'f.learner_id'))
      .where((q) => q.whereNot('s.status', 'completed').orWhereNot('b.status', 'attended'))
      .count({ n: '*' })
      .first();
    expect(Number(strayFeedback?.n)).to.equal(0);

    // No mentor was ever paid out more than they earned.
    for (const mentor of await db('users').where({ role: 'mentor' }).select('id', 'username')) {
      const earned = await db('bookings as b')
        .join('sessions as s', 's.id', 'b.session_id')
        .where({ 's.mentor_id': mentor.id, 's.status': 'completed' })
        .whereNot('b.status', 'cancelled')
        .sum({ c: 'b.payment_amount_cents' })
        .first();
      const committed = await db('payouts').where({ mentor_id: mentor.id }).whereNot({ status: 'rejected' }).sum({ c: 'amount_cents' }).first();
      expect(Number(committed?.c ?? 0), mentor.username).to.be.at.most(Number(earned?.c ?? 0));
    }
    const unread = await db('notifications').where({ read_status: false }).count({ n: '*' }).first();
    expect(Number(unread?.n)).to.be.greaterThan(0);

    // Listed by id, newest first: ids follow the notifications' times.
    const notes = await db('notifications').orderBy('id').select('timestamp');
    const times = notes.map((n: { timestamp: string | Date }) => new Date(n.timestamp).getTime());
    expect(times).to.deep.equal([...times].sort((a, b) => a - b));
  });

  it('rolls back only with confirmation: without a terminal --yes is required', async () => {
    const refused = await cli.run(['db', 'rollback']);
    expect(refused.code).to.equal(2);
    expect(refused.stderr).to.match(/needs confirmation: pass --yes/);
    expect(await db.schema.hasTable('users')).to.equal(true);

    const done = await cli.ok(['db', 'rollback', '--all', '--yes']);
    expect(done.stdout).to.match(/Rolled back \d+ migrations? on/);
    expect(await db.schema.hasTable('users')).to.equal(false);
    const status = JSON.parse((await cli.ok(['db', 'status', '--json'])).stdout);
    expect(status.applied).to.deep.equal([]);
  });

  it('refuses to seed or create an admin before the database is migrated', async () => {
    const seed = await cli.run(['seed', '--demo']);
    expect(seed.code).to.equal(1);
    expect(seed.stderr).to.match(/pending migration.*run "mentorctl db migrate" first/);
    const admin = await cli.run(['admin', 'create', '--username', 'eve', '--email', 'eve@x.io', '--password', 'long-enough-pw']);
    expect(admin.code).to.equal(1);
    expect(admin.stderr).to.match(/pending migration/);
  });
});

describe('mentorctl: command line', function () {
  this.timeout(60000);
  let cli: CliSandbox;

  before(async () => {
    cli = await CliSandbox.create();
  });
  after(() => cli.cleanup());

  it('answers an unknown command with exit 2 and a help hint', async () => {
    const result = await cli.run(['frobnicate']);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.include("error: unknown command 'frobnicate'");
    expect(result.stderr).to.include('(add --help for usage)');
    expect(result.stdout).to.equal('');
  });

  it('treats bad options and arguments as usage errors (exit 2)', async () => {
    const cases: string[][] = [
      ['users', 'list', '--role', 'admin'],
      ['users', 'show', 'abc'],
      ['users', 'list', '--active', '--inactive'],
      ['payouts', 'approve'],
      ['seed'],
      ['notify', '--message', 'hi'],
      ['users'],
    ];
    for (const args of cases) {
      const result = await cli.run(args);
      expect(result.code, args.join(' ')).to.equal(2);
      expect(result.stderr, args.join(' ')).to.match(/error:|Usage:/);
    }
  });

  it('has --help with examples on every command', async () => {
    const commands = [
      [], ['db'], ['db', 'migrate'], ['db', 'status'], ['db', 'rollback'], ['seed'], ['admin'], ['admin', 'create'],
      ['login'], ['logout'], ['whoami'], ['users'], ['users', 'list'], ['users', 'show'], ['users', 'create'],
      ['users', 'set-role'], ['users', 'deactivate'], ['users', 'activate'], ['sessions'], ['sessions', 'list'],
      ['payouts'], ['payouts', 'list'], ['payouts', 'approve'], ['payouts', 'reject'], ['payouts', 'mark-paid'],
      ['notify'], ['stats'],
    ];
    const results = await Promise.all(commands.map((c) => cli.run([...c, '--help'])));
    results.forEach((result, i) => {
      const name = ['mentorctl', ...commands[i]!].join(' ');
      expect(result.code, name).to.equal(0);
      expect(result.stdout, name).to.include(`Usage: ${name}`);
      expect(result.stdout, name).to.include('Examples:');
      expectPlain(result.stdout);
    });
  });

  it('prints the version', async () => {
    const result = await cli.ok(['--version']);
    expect(result.stdout.trim()).to.match(/^\d+\.\d+\.\d+$/);
  });
});
