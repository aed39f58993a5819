/**
 * The API commands, run as child processes against a real server started in this process
 * (getTestServer). `--json` outputs are checked against the schemas of openapi.yaml they document.
 */
import fs from 'node:fs';
import { expect } from 'chai';
import { Notification, Payout, User } from '../../src/models/index.ts';
import { buildAdmin, buildLearner, buildMentor, buildSession, PASSWORD } from '../helpers/factories.ts';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { CliSandbox, expectPlain, expectSchema } from './helpers.ts';

async function buildPayout(server: TestServer, mentor: User, attrs: Partial<Payout> = {}): Promise<Payout> {
  return Payout.query(server.db).insertAndFetch({ mentor_id: mentor.id, amount_cents: 12_500, status: 'pending', ...attrs });
}

describe('mentorctl: from a fresh data folder to the first listing', function () {
  this.timeout(60000);
  let cli: CliSandbox;
  let server: TestServer | undefined;

  before(async () => {
    cli = await CliSandbox.create();
  });
  after(async () => {
    await server?.close();
    await cli.cleanup();
  });

  it('db migrate, admin create, login, users list --json returns the admin', async () => {
    await cli.ok(['db', 'migrate']);
    await cli.ok(['admin', 'create', '--username', 'ada', '--email', 'a@x.io', '--password', 'long-enough-pw']);
    server = await getTestServer({ DATABASE_URL: cli.databaseUrl });

    const login = await cli.ok(['login', '--url', server.url, '--username', 'ada', '--password', 'long-enough-pw']);
    expect(login.stdout).to.include(`Logged in to ${server.url} as ada`);
    expect(fs.statSync(cli.credentialsFile).mode & 0o777).to.equal(0o600);
    const stored = JSON.parse(fs.readFileSync(cli.credentialsFile, 'utf8'));
    expect(stored).to.include({ url: server.url, username: 'ada' });
    expect(stored.access).to.be.a('string');
    expect(stored.refresh).to.be.a('string');

    // The stored login remembers the server: no --url needed any more.
    const users = await cli.json(['users', 'list']);
    expectSchema(users, 'AdminUser[]');
    expect(users).to.have.length(1);
    expect(users[0]).to.include({ username: 'ada', email: 'a@x.io', is_admin: true, is_active: true });
  });
});

describe('mentorctl: API commands', function () {
  this.timeout(60000);
  let server: TestServer;
  let cli: CliSandbox;
  let admin: User;

  before(async () => {
    server = await getTestServer();
    cli = await CliSandbox.create();
    admin = await buildAdmin(server.db, { username: 'root' });
    await cli.ok(['login', '--url', server.url, '--username', 'root', '--password', PASSWORD]);
  });
  after(async () => {
    await server.close();
    await cli.cleanup();
  });

  describe('login', () => {
    it('refuses wrong credentials with the API message and keeps no file', async () => {
      const other = await CliSandbox.create();
      try {
        const result = await other.run(['login', '--url', server.url, '--username', 'root', '--password', 'wrong-password']);
        expect(result.code).to.equal(1);
        expect(result.stderr).to.include('error: Unauthorized (401): No active account found with the given credentials.');
        expect(fs.existsSync(other.credentialsFile)).to.equal(false);
      } finally {
        await other.cleanup();
      }
    });

    it('refreshes an expired access token with the refresh token and saves the rotated pair', async () => {
      const before = JSON.parse(fs.readFileSync(cli.credentialsFile, 'utf8'));
      fs.writeFileSync(cli.credentialsFile, JSON.stringify({ ...before, access: 'expired.token.here' }), { mode: 0o600 });
      const who = await cli.json(['whoami']);
      expect(who).to.deep.include({ url: server.url, source: 'credentials' });
      expect(who.user.username).to.equal('root');
      const after = JSON.parse(fs.readFileSync(cli.credentialsFile, 'utf8'));
      expect(after.access).not.to.equal('expired.token.here');
      expect(after.refresh).not.to.equal(before.refresh);
      expect(fs.statSync(cli.credentialsFile).mode & 0o777).to.equal(0o600);
    });

    it('uses MENTORCTL_TOKEN instead of the stored login, and says so when it is refused', async () => {
      const mentor = await buildMentor(server.db, { username: 'token_user' });
      const token = server.bundle.deps.tokens.signAccess(mentor);
      const who = await cli.json(['whoami'], { MENTORCTL_TOKEN: token, MENTORCTL_URL: server.url });
      expect(who).to.deep.include({ source: 'MENTORCTL_TOKEN' });
      expect(who.user.username).to.equal('token_user');

      const refused = await cli.run(['whoami'], { MENTORCTL_TOKEN: 'not-a-token', MENTORCTL_URL: server.url });
      expect(refused.code).to.equal(1);
      expect(refused.stderr).to.include('refused MENTORCTL_TOKEN (401)');
    });

    it('never sends the stored tokens to another server', async () => {
      const result = await cli.run(['users', 'list', '--url', 'http://127.0.0.1:9']);
      expect(result.code).to.equal(1);
      expect(result.stderr).to.include(`logged in to ${server.url}, not http://127.0.0.1:9`);
    });

    it('reports an unreachable server in one line with a hint, no stack', async () => {
      const result = await cli.run(['whoami', '--url', 'http://127.0.0.1:9'], { MENTORCTL_TOKEN: 'x' });
      expect(result.code).to.equal(1);
      expect(result.stderr).to.match(/^error: cannot reach the API at http:\/\/127\.0\.0\.1:9 \(/);
      expect(result.stderr).not.to.match(/\bat .*:\d+:\d+/);
    });
  });

  describe('users', () => {
    it('lists with filters, as a table or as AdminUser JSON', async () => {
      const mentor = await buildMentor(server.db, { username: 'filter_mentor', first_name: 'Grace', last_name: 'Hopper' });
      await buildLearner(server.db, { username: 'filter_learner', is_active: false });
      const mentors = await cli.json(['users', 'list', '--role', 'mentor', '--search', 'hopper']);
      expectSchema(mentors, 'AdminUser[]');
      expect(mentors.map((u: { id: number }) => u.id)).to.deep.equal([mentor.id]);
      const inactive = await cli.json(['users', 'list', '--inactive', '--search', 'filter_']);
      expect(inactive.map((u: { username: string }) => u.username)).to.deep.equal(['filter_learner']);

      const table = await cli.ok(['users', 'list', '--search', 'filter_']);
      expect(table.stdout.split('\n')[0]).to.match(/^ID\s+USERNAME\s+NAME\s+EMAIL\s+ROLE\s+ADMIN\s+STATUS/);
      expect(table.stdout).to.match(/filter_mentor\s+Grace Hopper/);
      expect(table.stdout).to.match(/filter_learner.*inactive/);
      expectPlain(table.stdout);
    });

    it('pages through every user, or stops at --limit', async () => {
      for (let i = 0; i < 105; i++) await buildLearner(server.db, { username: `page_${String(i).padStart(3, '0')}` });
      const all = await cli.json(['users', 'list', '--search', 'page_']);
      expect(all).to.have.length(105);
      expect(new Set(all.map((u: { id: number }) => u.id)).size).to.equal(105);
      const some = await cli.json(['users', 'list', '--search', 'page_', '--limit', '3']);
      expect(some.map((u: { username: string }) => u.username)).to.deep.equal(['page_000', 'page_001', 'page_002']);
    });

    it('shows, creates, changes the role, deactivates and activates', async () => {
      const created = await cli.json([
        'users', 'create', '--username', 'jane', '--email', 'jane@x.io', '--password', 'long-enough-pw', '--role', 'learner', '--first-name', 'Jane',
      ]);
      expectSchema(created, 'AdminUser');
      expect(created).to.include({ username: 'jane', role: 'learner', is_admin: false, first_name: 'Jane' });

      const shown = await cli.ok(['users', 'show', String(created.id)]);
      expect(shown.stdout).to.match(/Username:\s+jane/);

      const promoted = await cli.json(['users', 'set-role', String(created.id), 'mentor']);
      expect(promoted.role).to.equal('mentor');

      const refused = await cli.run(['users', 'deactivate', String(created.id)]);
      expect(refused.code).to.equal(2);
      expect(refused.stderr).to.include('pass --yes');
      expect((await User.query(server.db).findById(created.id))!.is_active).to.equal(true);

      const off = await cli.ok(['users', 'deactivate', String(created.id), '--yes']);
      expect(off.stdout).to.include('jane (id');
      expect((await User.query(server.db).findById(created.id))!.is_active).to.equal(false);
      const on = await cli.json(['users', 'activate', String(created.id)]);
      expect(on.is_active).to.equal(true);
    });

    it('shows the API problem and each field error for a refused create', async () => {
      const result = await cli.run(['users', 'create', '--username', 'root', '--email', 'other@x.io', '--password', 'long-enough-pw', '--role', 'mentor']);
      expect(result.code).to.equal(1);
      expect(result.stderr).to.include('error: Conflict (409): This username is already in use.');
      expect(result.stderr).to.include('--username: this username is already in use');
      const missing = await cli.run(['users', 'show', '999999']);
      expect(missing.code).to.equal(1);
      expect(missing.stderr).to.match(/^error: Not found \(404\)/);
    });
  });

  describe('api-keys', () => {
    it('creates a key (printed once, with a warning), lists it without the secret and revokes it', async () => {
      const created = await cli.ok(['api-keys', 'create', '--name', 'Acme LMS', '--scope', 'platform:users', '--scope', 'platform:tokens', '--expires', '30d']);
      const key = created.stdout.trim().split('\n').at(-1)!;
      expect(key).to.match(/^mdk_[A-Za-z0-9_-]{43}$/);
      expect(created.stdout).to.match(/Created API key \d+ "Acme LMS" \(platform:users, platform:tokens\), expires/);
      expect(created.stderr).to.include('only time the key is shown');
      const works = await server.api.put('/api/platform/users/cli-1/', { role: 'learner', email: 'cli-1@acme.example' }, { token: key });
      expect(works.status).to.equal(201);

      const json = await cli.json(['api-keys', 'create', '--name', 'ci', '--scope', 'admin:read', '--json']);
      expectSchema(json, 'ApiKeyCreated');
      const listed = await cli.json(['api-keys', 'list']);
      expectSchema(listed, 'ApiKey[]');
      expect(JSON.stringify(listed)).to.not.contain(key).and.not.contain(json.key);
      expect(listed[0]).to.include({ id: json.id, name: 'ci' });
      const table = await cli.ok(['api-keys', 'list']);
      expect(table.stdout.split('\n')[0]).to.match(/^ID\s+NAME\s+PREFIX\s+SCOPES\s+STATUS/);
      expect(table.stdout).to.not.contain(key);

      const id = listed.find((k: { name: string }) => k.name === 'Acme LMS').id;
      const unconfirmed = await cli.run(['api-keys', 'revoke', String(id)]);
      expect(unconfirmed.code).to.equal(2);
      expect((await cli.ok(['api-keys', 'revoke', String(id), '--yes'])).stdout).to.include(`API key ${id} is revoked.`);
      expect((await server.api.get('/api/platform/users/cli-1/', { token: key })).status).to.equal(401);
      expect((await cli.ok(['api-keys', 'list'])).stdout).to.match(/Acme LMS.*revoked/);
    });

    it('refuses unknown scopes and bad expiries as usage errors, and a past date with the API message', async () => {
      const scope = await cli.run(['api-keys', 'create', '--name', 'x', '--scope', 'everything']);
      expect(scope.code).to.equal(2);
      expect(scope.stderr).to.include('Allowed choices are platform:users');
      const missing = await cli.run(['api-keys', 'create', '--name', 'x']);
      expect(missing.code).to.equal(2);
      const expiry = await cli.run(['api-keys', 'create', '--name', 'x', '--scope', 'events', '--expires', 'soon']);
      expect(expiry.code).to.equal(2);
      const past = await cli.run(['api-keys', 'create', '--name', 'x', '--scope', 'events', '--expires', '2020-01-01']);
      expect(past.code).to.equal(1);
      expect(past.stderr).to.include('--expires: must be in the future');
    });
  });

  describe('sessions', () => {
    it('lists every session with --status and --mentor filters', async () => {
      const mentor = await buildMentor(server.db, { username: 'session_mentor' });
      const scheduled = await buildSession(server.db, { mentor_id: mentor.id, title: 'Scheduled one' });
      await buildSession(server.db, { mentor_id: mentor.id, title: 'A draft', status: 'draft' });
      const sessions = await cli.json(['sessions', 'list', '--mentor', String(mentor.id), '--status', 'scheduled']);
      expectSchema(sessions, 'Session[]');
      expect(sessions.map((s: { id: number }) => s.id)).to.deep.equal([scheduled.id]);
      const table = await cli.ok(['sessions', 'list', '--mentor', String(mentor.id)]);
      expect(table.stdout).to.match(/Scheduled one\s+session_mentor\s+scheduled\s+free\s+0\/1/);
      expect(table.stdout).to.match(/A draft\s+session_mentor\s+draft/);
    });
  });

  describe('payouts', () => {
    it('approve changes the payout and notifies the mentor', async () => {
      const mentor = await buildMentor(server.db);
      const payout = await buildPayout(server, mentor);
      const result = await cli.ok(['payouts', 'approve', String(payout.id), '--note', 'In the Friday run']);
      expect(result.stdout).to.include(`Approved payout #${payout.id}: 125.00 USD for mentor ${mentor.id}`);

      const saved = await Payout.query(server.db).findById(payout.id);
      expect(saved).to.include({ status: 'approved', admin_note: 'In the Friday run', processed_by: admin.id });
      const notes = await Notification.query(server.db).where({ user_id: mentor.id, type: 'payout_approved' });
      expect(notes).to.have.length(1);
      expect(notes[0]!.data).to.deep.equal({ payout: payout.id });
    });

    it('approving a paid payout exits 1 with the API message', async () => {
      const mentor = await buildMentor(server.db);
      const payout = await buildPayout(server, mentor, { status: 'paid', processed_at: new Date() });
      const result = await cli.run(['payouts', 'approve', String(payout.id)]);
      expect(result.code).to.equal(1);
      expect(result.stderr.trim()).to.match(/^error: Conflict \(409\): .+/);
      expect(result.stderr).not.to.match(/\bat .*:\d+:\d+/);
      expect((await Payout.query(server.db).findById(payout.id))!.status).to.equal('paid');
    });

    it('reject and mark-paid ask for confirmation; --yes runs them; --json prints the Payout', async () => {
      const mentor = await buildMentor(server.db);
      const toReject = await buildPayout(server, mentor);
      const toPay = await buildPayout(server, mentor, { amount_cents: 4_000 });

      for (const [command, payout] of [['reject', toReject], ['mark-paid', toPay]] as const) {
        const refused = await cli.run(['payouts', command, String(payout.id)]);
        expect(refused.code, command).to.equal(2);
        expect(refused.stderr, command).to.include('pass --yes');
        expect((await Payout.query(server.db).findById(payout.id))!.status, command).to.equal('pending');
      }
      const rejected = await cli.json(['payouts', 'reject', String(toReject.id), '--yes', '--note', 'Missing bank details']);
      expectSchema(rejected, 'Payout');
      expect(rejected).to.include({ status: 'rejected', admin_note: 'Missing bank details' });
      const paid = await cli.json(['payouts', 'mark-paid', String(toPay.id), '--yes']);
      expect(paid.status).to.equal('paid');
      const types = (await Notification.query(server.db).where({ user_id: mentor.id })).map((n) => n.type).sort();
      expect(types).to.deep.equal(['payout_paid', 'payout_rejected']);

      const listed = await cli.json(['payouts', 'list', '--mentor', String(mentor.id)]);
      expectSchema(listed, 'Payout[]');
      expect(listed.map((p: { id: number }) => p.id)).to.deep.equal([toReject.id, toPay.id]);
      const pending = await cli.json(['payouts', 'list', '--mentor', String(mentor.id), '--status', 'pending']);
      expect(pending).to.deep.equal([]);
      const table = await cli.ok(['payouts', 'list', '--mentor', String(mentor.id)]);
      expect(table.stdout).to.match(new RegExp(`${mentor.username} \\(${mentor.id}\\)\\s+125\\.00 USD\\s+rejected`));
    });
  });

  describe('notify', () => {
    it('--role mentor reaches every active mentor and nobody else', async () => {
      const mentors = await Promise.all([buildMentor(server.db), buildMentor(server.db)]);
      const gone = await buildMentor(server.db, { is_active: false });
      const learner = await buildLearner(server.db);
      const everyMentor = await User.query(server.db).where({ role: 'mentor', is_active: true });

      const result = await cli.json(['notify', '--role', 'mentor', '--message', 'Payouts run on Friday', '--link', '/dashboard#earnings']);
      expectSchema(result, 'BroadcastResult');
      expect(result.sent).to.equal(everyMentor.length);

      const received = await Notification.query(server.db).where({ type: 'broadcast', message: 'Payouts run on Friday' });
      expect(received.map((n) => n.user_id).sort((a, b) => a - b)).to.deep.equal(everyMentor.map((m) => m.id).sort((a, b) => a - b));
      for (const m of mentors) expect(received.some((n) => n.user_id === m.id && n.link === '/dashboard#earnings')).to.equal(true);
      expect(received.some((n) => n.user_id === gone.id || n.user_id === learner.id)).to.equal(false);
    });

    it('--user notifies one user; an unknown user is the field error', async () => {
      const learner = await buildLearner(server.db);
      const result = await cli.ok(['notify', '--user', String(learner.id), '--message', 'Hello there']);
      expect(result.stdout).to.include(`Sent 1 notification to user ${learner.id}`);
      expect(await Notification.query(server.db).where({ user_id: learner.id, message: 'Hello there' })).to.have.length(1);

      const unknown = await cli.run(['notify', '--user', '999999', '--message', 'x']);
      expect(unknown.code).to.equal(1);
      expect(unknown.stderr).to.match(/^error: .*\(400\)/);
      expect(unknown.stderr).to.include('--user:');

      const noMessage = await cli.run(['notify', '--role', 'all']);
      expect(noMessage.code).to.equal(2);
      expect(noMessage.stderr.trim()).to.equal('error: missing --message (stdin is not a terminal, so it cannot be asked for)');
    });
  });

  describe('stats', () => {
    it('prints PlatformStats as JSON and as a summary', async () => {
      const stats = await cli.json(['stats']);
      expectSchema(stats, 'PlatformStats');
      const count = await server.db('users').count({ n: '*' }).first();
      expect(stats.users.total).to.equal(Number(count?.n));
      const human = await cli.ok(['stats']);
      expect(human.stdout).to.match(/Users:\s+\d+ \(mentors \d+/);
      expect(human.stdout).to.match(/Gross revenue:\s+\d+\.\d\d USD/);
    });

    it('is refused (403) for a non-admin, with the API message', async () => {
      const learner = await buildLearner(server.db);
      const result = await cli.run(['stats'], { MENTORCTL_TOKEN: server.bundle.deps.tokens.signAccess(learner), MENTORCTL_URL: server.url });
      expect(result.code).to.equal(1);
      expect(result.stderr).to.match(/^error: Forbidden \(403\)/);
    });
  });

  describe('logout', () => {
    it('revokes the refresh token on the server and deletes the credentials file', async () => {
      const other = await CliSandbox.create();
      try {
        await other.ok(['login', '--url', server.url, '--username', 'root', '--password', PASSWORD]);
        const { refresh } = JSON.parse(fs.readFileSync(other.credentialsFile, 'utf8'));
        const result = await other.ok(['logout']);
        expect(result.stdout).to.include(`Logged out of ${server.url}`);
        expect(fs.existsSync(other.credentialsFile)).to.equal(false);
        const reuse = await server.api.post('/api/auth/token/refresh/', { refresh });
        expect(reuse.status).to.equal(401);

        const again = await other.ok(['logout']);
        expect(again.stdout).to.include('Not logged in');
        const listing = await other.run(['users', 'list']);
        expect(listing.code).to.equal(1);
        expect(listing.stderr).to.include('not logged in; run "mentorctl login"');
      } finally {
        await other.cleanup();
      }
    });
  });
});
